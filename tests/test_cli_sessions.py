"""``python main.py sessions --date YYYY-MM-DD [--json]``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.services import session_life as life
from scheduler.services.booking import book_series
from scheduler.store import Database
from tests.conftest import ACTOR, NOW
from tests.factories import add_closure, propose, set_up_test_clinic


@pytest.fixture
def booked(db: Database) -> Database:
    clinic = set_up_test_clinic(db)
    with db.transaction() as s:
        series = book_series(s, propose(s, clinic), actor=ACTOR, now=NOW)
        first = min(series.sessions, key=lambda x: x.starts_at)
        life.confirm(s, first.id, actor=ACTOR, now=NOW)
        add_closure(s, dt.date(2026, 11, 26), "Thanksgiving")
    return db


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    status = main(["--db", str(db_path), "sessions", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_text_lists_the_day(
    booked: Database, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, db_path, "--date", "2026-11-18")
    assert status == 0
    assert out.splitlines()[0] == "Wed, Nov 18, 2026: 1 session"
    line = out.splitlines()[1]
    assert line.startswith("10:00–11:30 AM  Zoë Tester")
    assert "(100001)" in line
    assert line.endswith("IV ketamine infusion  infusion 1 of 6  Chair 1  Confirmed")


def test_json_is_stable_with_offsets(
    booked: Database, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, db_path, "--date", "2026-11-20", "--json")
    assert status == 0
    document = json.loads(out)
    assert document["format"] == 1
    assert document["date"] == "2026-11-20"
    assert document["timezone"] == "America/New_York"
    assert document["closed"] is None
    (session,) = document["sessions"]
    assert set(session) == {
        "session_id", "starts_at", "ends_at", "patient", "chart_number", "therapy", "series_id",
        "number", "series_count", "progress", "place", "chair", "nurse", "status",
        "late_cancellation",
    }  # fmt: skip
    assert session["starts_at"] == "2026-11-20T10:00:00-05:00"
    assert session["ends_at"] == "2026-11-20T11:30:00-05:00"
    assert (session["number"], session["series_count"], session["progress"]) == (2, 6, "2 of 6")
    assert (session["chair"], session["nurse"], session["status"]) == ("Chair 1", None, "booked")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-11-17", ["No sessions on Tue, Nov 17, 2026."]),
        ("2026-11-26", ["The clinic is closed on Thu, Nov 26, 2026 (Thanksgiving).",
                        "No sessions on Thu, Nov 26, 2026."]),
    ],
)  # fmt: skip
def test_an_empty_day_says_so_and_succeeds(
    booked: Database,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    day: str,
    expected: list[str],
) -> None:
    status, out, _ = run(capsys, db_path, "--date", day)
    assert (status, out.splitlines()) == (0, expected)
    status, out, _ = run(capsys, db_path, "--date", day, "--json")
    assert (status, json.loads(out)["sessions"]) == (0, [])


def test_a_bad_date_is_a_usage_error(
    db: Database, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        run(capsys, db_path, "--date", "18/11/2026")
    assert exited.value.code == 2
    assert "is not a date like 2026-11-18" in capsys.readouterr().err
