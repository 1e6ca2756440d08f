"""``python main.py letters ...``: files listed, empty days said, refusals one line and exit 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from scheduler.cli import main
from scheduler.domain.enums import ChairKind, SessionStatus
from scheduler.services.clinic import get_settings
from scheduler.store import Database
from scheduler.store.models import Chair, Letter
from tests.letter_fixtures import (
    PatientSpec,
    add_patient,
    add_printing_nurse,
    add_series,
    local_time,
    run_letters,
)

# The command reads the real clock (for "upcoming" and the letter date): book far ahead.
DAY = dt.date(2035, 3, 14)


@pytest.fixture
def booked(db: Database) -> dict[str, str]:
    with db.transaction() as s:
        zoe = add_patient(s, PatientSpec("Zoë", "Łukasiewicz-Núñez"))
        liam = add_patient(s, PatientSpec("Liam", "O'Brien"))
        add_series(s, zoe, "iv_ketamine", [local_time(DAY, 8), local_time(DAY.replace(day=16), 8)])
        (cancelled,) = add_series(
            s, liam, "iv_ketamine", [local_time(DAY, 9)], statuses={1: SessionStatus.CANCELLED}
        )
        return {"zoe": zoe.chart_number, "cancelled": str(cancelled.id)}


@pytest.fixture(autouse=True)
def nurse(db: Database, db_path: Path, tmp_path: Path) -> Path:
    return add_printing_nurse(db, db_path, tmp_path)


run = run_letters


def _letters_recorded(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count(Letter.id))) or 0


def test_prep_prints_the_files_it_wrote(
    db: Database,
    db_path: Path,
    booked: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    assert run(db_path, "prep", "--date", DAY.isoformat(), "--out", str(out)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        str(out / "prep-2035-03-14-all.pdf"),
        str(out / "prep-2035-03-14-0800-200001-lukasiewicz-nunez-zoe.pdf"),
        "1 prep letter written.",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(Path(line).name for line in lines[:2])
    assert _letters_recorded(db) == 1


def test_new_only_prints_each_prep_letter_once_and_then_says_so(
    db: Database,
    db_path: Path,
    booked: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert run(db_path, "prep", "--date", DAY.isoformat(), "--new-only", "--out", str(first)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == str(first / "prep-2035-03-14-new.pdf")
    assert lines[-1] == "1 prep letter written."
    assert run(db_path, "prep", "--date", DAY.isoformat(), "--new-only", "--out", str(second)) == 0
    assert capsys.readouterr().out == (
        "The prep letter for Wednesday, March 14, 2035 has been printed already; "
        "nothing new to print.\n"
    )
    assert not second.exists()
    assert _letters_recorded(db) == 1


def test_a_day_without_sessions_says_so(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run(db_path, "aftercare", "--date", "2035-12-25", "--out", str(tmp_path / "o"))
    assert status == 0
    assert (
        capsys.readouterr().out
        == "No sessions on Tuesday, December 25, 2035; no letters written.\n"
    )
    assert not (tmp_path / "o").exists()


def test_schedule_for_a_patient(
    db: Database,
    db_path: Path,
    booked: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(db_path, "schedule", "--patient", booked["zoe"], "--out", str(tmp_path)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert Path(lines[0]).name.startswith("schedule-")
    assert Path(lines[0]).name.endswith("-200001-lukasiewicz-nunez-zoe.pdf")
    # The calendar file beside the letter, with the patient's two sessions.
    assert Path(lines[1]) == Path(lines[0]).with_suffix(".ics")
    calendar = Calendar.from_ical(Path(lines[1]).read_bytes())
    assert len(calendar.walk("VEVENT")) == 2
    assert lines[2] == "1 schedule letter written."


def _refusal(
    db: Database, db_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> str:
    assert run(db_path, *args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert _letters_recorded(db) == 0
    lines = captured.err.splitlines()
    assert len(lines) == 1
    return lines[0]


def test_refusals_are_one_line_with_exit_status_2(
    db: Database,
    db_path: Path,
    booked: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = str(tmp_path / "out")
    assert _refusal(db, db_path, capsys, ["schedule", "--patient", "999", "--out", out]) == (
        "error: No patient has chart number 999."
    )
    assert _refusal(
        db, db_path, capsys, ["prep", "--session", booked["cancelled"], "--out", out]
    ) == (
        "error: The session of Liam O'Brien on Wednesday, March 14, 2035 is cancelled; "
        "no letter is printed for it."
    )
    blocker = tmp_path / "file"
    blocker.write_text("x")
    message = _refusal(
        db, db_path, capsys, ["prep", "--date", DAY.isoformat(), "--out", str(blocker)]
    )
    assert message.startswith(f"error: Cannot use {blocker} for letters: ")
    assert not (tmp_path / "out").exists()


def test_a_broken_clinic_template_prints_nothing(
    db: Database,
    db_path: Path,
    booked: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    own = tmp_path / "wording"
    own.mkdir()
    (own / "prep.toml").write_text('title = "Hi"\nintro = "On ${dat}"\n', encoding="utf-8")
    with db.transaction() as s:
        get_settings(s).letter_template_dir = str(own)
    out = tmp_path / "out"
    message = _refusal(db, db_path, capsys, ["prep", "--date", DAY.isoformat(), "--out", str(out)])
    assert message.startswith(
        f"error: {own / 'prep.toml'}, line 2: “intro” uses the unknown placeholder ${{dat}}"
    )
    assert not out.exists()


def test_a_patient_without_upcoming_sessions_gets_no_schedule(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.transaction() as s:
        chart = add_patient(s, PatientSpec("Ada", "Moreau")).chart_number
    assert run(db_path, "schedule", "--patient", chart, "--out", str(tmp_path / "o")) == 0
    assert capsys.readouterr().out == (
        f"Patient {chart} has no upcoming sessions; no letter written.\n"
    )
    assert not (tmp_path / "o").exists()


def test_letters_are_printed_as_the_named_user_not_the_login(
    db: Database,
    db_path: Path,
    booked: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOGNAME", "dr_chief")
    monkeypatch.setenv("USER", "dr_chief")
    out = tmp_path / "out"
    assert run(db_path, "prep", "--date", DAY.isoformat(), "--out", str(out)) == 0
    with db.reading() as s:
        assert set(s.scalars(select(Letter.generated_by))) == {"maria"}


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ([], "give your sign-in name with --user"),
        (["--user", "maria", "--password-file", "WRONG"], "sign-in name or the password is wrong"),
        (["--user", "maria", "--password-file", "MISSING"], "Cannot read the password file"),
    ],
)
def test_printing_needs_a_signed_in_user(
    db: Database,
    db_path: Path,
    booked: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    who: list[str],
    message: str,
) -> None:
    (tmp_path / "WRONG").write_text("not her password\n", encoding="utf-8")
    who = [str(tmp_path / w) if w in ("WRONG", "MISSING") else w for w in who]
    out = tmp_path / "out"
    args = ["letters", "prep", "--date", DAY.isoformat(), "--out", str(out), "--db", str(db_path)]
    assert main([*args, *who]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert message in err
    assert not out.exists()
    assert _letters_recorded(db) == 0


def test_the_password_is_asked_on_the_terminal_without_a_file(
    db: Database,
    db_path: Path,
    booked: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return "correct horse"

    monkeypatch.setattr("scheduler.cli.common.getpass.getpass", getpass)
    out = tmp_path / "out"
    args = ["letters", "prep", "--date", DAY.isoformat(), "--out", str(out), "--db", str(db_path)]
    assert main([*args, "--user", "maria"]) == 0
    assert asked == ["Password for maria: "]
    assert _letters_recorded(db) == 1


def test_aftercare_skips_visits_and_refuses_one_by_name(
    db: Database,
    db_path: Path,
    booked: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with db.transaction() as s:
        s.add(Chair(name="Office 1", kind=ChairKind.OFFICE))
        dana = add_patient(s, PatientSpec("Dana", "Moreau"))
        (visit,) = add_series(s, dana, "consultation", [local_time(DAY, 11)])
        visit_id = str(visit.id)
    out = tmp_path / "out"
    assert _refusal(
        db, db_path, capsys, ["aftercare", "--session", visit_id, "--out", str(out)]
    ) == (
        "error: Consultation / screening has no aftercare letter (the session of Dana Moreau "
        "on Wednesday, March 14, 2035)."
    )
    assert run(db_path, "aftercare", "--date", DAY.isoformat(), "--out", str(out)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "1 aftercare letter written." in lines
    assert (
        "Skipped 1 session with no aftercare letter (consultations, follow-up visits, "
        "video calls)." in lines
    )
