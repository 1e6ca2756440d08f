"""The clinic's numbers: exact figures from a small clinic, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.domain.enums import StaffRole
from scheduler.errors import NotAllowed
from scheduler.services.reports.figures import (
    BOOSTERS,
    INDUCTIONS,
    LETTERS,
    NO_SHOWS,
    UTILISATION,
    ClinicReport,
    chair_utilisation,
    clinic_report,
)
from scheduler.services.reports.periods import ReportRefused
from scheduler.store import Database
from tests.conftest import ACTOR
from tests.factories import add_account
from tests.report_fixtures import FIRST, LAST, TODAY, build_known_clinic


def report(db: Database) -> ClinicReport:
    with db.reading() as s:
        return clinic_report(s, FIRST, LAST, actor=ACTOR, today=TODAY)


def test_utilisation_is_booked_minutes_with_turnover_over_open_minutes(db: Database) -> None:
    build_known_clinic(db)
    chart = report(db).chart(UTILISATION)
    week = chart.starts.index(dt.date(2026, 11, 16))
    rows = {(r[0], r[1]): r[2:] for r in chart.csv_table()[1:]}
    assert rows[("2026-11-16", "Chair 1")] == ("195", "1920", "10.2")
    assert rows[("2026-11-16", "Chair 2")] == ("150", "1920", "7.8")
    assert rows[("2026-11-23", "Chair 1")] == ("105", "2400", "4.4")
    # The range starts on a Thursday: its first week is Thu and Fri only, and holds nothing.
    assert rows[("2026-10-01", "Chair 1")] == ("0", "960", "0.0")
    assert chart.csv_table()[0] == (
        "Week starting", "Chair", "Booked minutes", "Open minutes", "Utilisation %",
    )  # fmt: skip
    chair_1 = next(s for s in chart.series if s.name == "Chair 1")
    assert chair_1.values[week] == 10.2
    assert chart.labels[week] == "Nov 16"


def test_no_shows_and_late_cancellations_per_month(db: Database) -> None:
    build_known_clinic(db)
    chart = report(db).chart(NO_SHOWS)
    assert chart.labels == ("Oct 2026", "Nov 2026")
    assert {s.name: s.values for s in chart.series} == {
        "No-shows": (0.0, 1.0),
        "Late cancellations": (0.0, 1.0),
    }


def test_inductions_started_and_completed_per_month(db: Database) -> None:
    build_known_clinic(db)
    chart = report(db).chart(INDUCTIONS)
    assert {s.name: s.values for s in chart.series} == {
        "Started": (1.0, 1.0),
        "Completed": (0.0, 1.0),
    }


def test_boosters_due_and_overdue_by_the_week_they_fall_due(db: Database) -> None:
    build_known_clinic(db)
    chart = report(db).chart(BOOSTERS)
    weeks = {day: n for n, day in enumerate(chart.starts)}
    series = {s.name: s.values for s in chart.series}
    assert series["Overdue"][weeks[dt.date(2026, 11, 2)]] == 1
    assert series["Due"][weeks[dt.date(2026, 11, 16)]] == 1
    assert sum(series["Overdue"]) + sum(series["Due"]) == 2


def test_letters_printed_and_emailed_per_day(db: Database) -> None:
    build_known_clinic(db)
    chart = report(db).chart(LETTERS)
    printed = dict(zip(chart.starts, chart.series[0].values, strict=True))
    emailed = dict(zip(chart.starts, chart.series[1].values, strict=True))
    assert printed[dt.date(2026, 11, 17)] == 1
    assert sum(printed.values()) == 1
    assert emailed[dt.date(2026, 11, 18)] == 1
    assert sum(emailed.values()) == 1  # the failed attempt on the 19th sent nothing
    assert chart.csv_table()[0] == ("Day", "Printed", "Emailed")


def test_a_backwards_range_is_refused_in_one_sentence(db: Database) -> None:
    with db.reading() as s, pytest.raises(ReportRefused, match="before its first day"):
        clinic_report(s, LAST, FIRST, actor=ACTOR, today=TODAY)


def test_every_role_may_read_the_reports(db: Database) -> None:
    with db.transaction() as s:
        nurse = add_account(s, "Maria Santos", "maria", StaffRole.NURSE)
    with db.reading() as s:
        assert chair_utilisation(s, FIRST, LAST, actor=nurse).series == ()
    nobody = ACTOR.__class__(None, "nobody", "Nobody", frozenset())
    with db.reading() as s, pytest.raises(NotAllowed):
        chair_utilisation(s, FIRST, LAST, actor=nobody)


def test_the_command_writes_the_utilisation_csv(
    db: Database, db_path: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_known_clinic(db)
    with db.transaction() as s:
        add_account(s, "Tom Becker", "tom", StaffRole.FRONT_DESK)
    password = tmp_path / "password"
    password.write_text("correct horse\n", encoding="utf-8")
    out = tmp_path / "out" / "utilisation.csv"
    who = ["--user", "tom", "--password-file", str(password)]
    span = ["--from", "2026-11-16", "--to", "2026-11-29"]
    status = main(["report", "utilisation", *span, "--csv", str(out), "--db", str(db_path), *who])
    assert status == 0
    assert capsys.readouterr().out.strip() == str(out)
    with out.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows == [
        ["Week starting", "Chair", "Booked minutes", "Open minutes", "Utilisation %"],
        ["2026-11-16", "Chair 1", "195", "1920", "10.2"],
        ["2026-11-16", "Chair 2", "150", "1920", "7.8"],
        ["2026-11-23", "Chair 1", "105", "2400", "4.4"],
        ["2026-11-23", "Chair 2", "0", "2400", "0.0"],
    ]


def test_the_command_names_a_bad_date(
    db: Database, db_path: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", "utilisation", "--from", "2026-11-31", "--to", "2026-12-06"]
    with pytest.raises(SystemExit) as exit_:
        main([*args, "--csv", str(tmp_path / "u.csv"), "--db", str(db_path)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: argument --from: “2026-11-31” is not a date like 2026-11-18")
    assert err.count("\n") == 1
    assert not (tmp_path / "u.csv").exists()
