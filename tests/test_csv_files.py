"""CSV exports read back with ``csv``, and ``main.py import patients`` / ``export`` end to end."""

from __future__ import annotations

import csv
import datetime as dt
import io
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scheduler.cli import main
from scheduler.domain.patient_csv import guess_mapping, read_table
from scheduler.services import session_life as life
from scheduler.services.booking import book_series
from scheduler.services.csv_export import boosters_csv, csv_bytes, patients_csv, sessions_csv
from scheduler.services.patient_import import preview_import
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Patient
from tests.conftest import ACTOR, NOW
from tests.factories import Clinic, propose, set_up_test_clinic
from tests.letter_fixtures import add_printing_nurse
from tests.test_maintenance import _completed_single

GOOD = (
    "First Name,Last Name,DOB,Mobile,E-mail\n"
    "Zoë,Łukasiewicz,02/13/1984,555 201 3344,zoe@example.org\n"
    "美咲,佐藤,1975-07-04,,\n"
)
BAD = "First Name,Last Name,DOB\nAna,Lee,1984-02-13\nBo,Chen,1984-13-02\n"


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # spreadsheets need the BOM to see UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def c(db: Database) -> Clinic:
    return set_up_test_clinic(db)


def test_patients_export_reads_back_and_imports_again(db: Database, c: Clinic) -> None:
    with db.reading() as s:
        data = patients_csv(s, actor=ACTOR)
        table = read_table(data)
        again = preview_import(s, table, guess_mapping(table.headers), actor=ACTOR, now=NOW)
    # Every column but "Archived" is recognised; each patient is already on file.
    assert len(guess_mapping(table.headers)) == len(table.headers) - 1
    assert [r.errors for r in again.rows] == [[], []]
    assert again.duplicates == 2
    rows = read_back(data)
    assert rows[0][:4] == ["First name", "Last name", "Date of birth", "Preferred name"]
    assert rows[0][-2:] == ["Chart number (MRN)", "Archived"]
    assert len(rows) == 3
    assert rows[1][2] == "05/17/1980"  # US style, as the desk shows it
    assert rows[1][-1] == "no"


def test_sessions_export_lists_the_day(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        series = book_series(s, propose(s, c), actor=ACTOR, now=NOW)
        first = min(series.sessions, key=lambda x: x.starts_at)
        life.confirm(s, first.id, actor=ACTOR, now=NOW)
    with db.reading() as s:
        rows = read_back(sessions_csv(s, dt.date(2026, 11, 18), actor=ACTOR))
    assert rows[0] == [
        "Date", "Time", "Chair", "Patient", "Chart number", "Therapy", "Session", "Status"
    ]  # fmt: skip
    (date, time, chair, patient, chart, therapy, place, status) = rows[1]
    assert (date, time, chair, chart, therapy, place, status) == (
        "11/18/2026", "10:00–11:30 AM", "Chair 1", "100001", "IV ketamine infusion", "1 of 6",
        "Confirmed",
    )  # fmt: skip
    assert patient.startswith("Zoë Tester")


def test_boosters_export_lists_who_is_due(db: Database, c: Clinic) -> None:
    _completed_single(db, c.patient, c.iv_single, dt.date(2026, 9, 28))
    with db.reading() as s:
        rows = read_back(boosters_csv(s, today=dt.date(2026, 11, 16), actor=ACTOR))
    assert rows[0][:3] == ["Patient", "Chart number", "Phone"]
    ((name, chart, _, last, therapy, _, due, overdue),) = rows[1:]
    assert (chart, last, due, overdue) == ("100001", "09/28/2026", "10/26/2026", "21")
    assert name.startswith("Zoë Tester")
    assert therapy


def test_cells_that_a_spreadsheet_would_run_stay_text() -> None:
    rows = read_back(csv_bytes(["a"], [["=HYPERLINK(1)"], ["+1 555 201 3344"], ["-x"], ["@x"]]))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(1)", "+1 555 201 3344", "'-x", "'@x"]


# The command line, as Maria (a nurse with an account).


def as_maria(db_path: Path | str, password: Path, *args: str) -> int:
    return main([*args, "--db", str(db_path), "--user", "maria", "--password-file", str(password)])


def count(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count(Patient.id))) or 0


def test_import_command_imports_and_audits_as_the_user(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password = add_printing_nurse(db, db_path, tmp_path)
    file = tmp_path / "export.csv"
    file.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert as_maria(db_path, password, "import", "patients", str(file), "--dry-run") == 0
    assert capsys.readouterr().out == "2 patients would be imported.\n"
    assert count(db) == 0
    assert as_maria(db_path, password, "import", "patients", str(file)) == 0
    assert capsys.readouterr().out == "2 patients imported.\n"
    with db.reading() as s:
        actors = list(
            s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "patient.create"))
        )
    assert actors == ["maria", "maria"]
    # The same file again: both rows are likely duplicates, left out.
    assert as_maria(db_path, password, "import", "patients", str(file)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "0 patients imported; 2 likely duplicates left out (row 2, 3)."
    assert out[1] == "Row 2: likely the same person as chart 100001"


def test_import_command_lists_every_row_in_error_and_imports_nothing(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password = add_printing_nurse(db, db_path, tmp_path)
    file = tmp_path / "export.csv"
    file.write_bytes(BAD.encode("cp1252"))
    assert as_maria(db_path, password, "import", "patients", str(file)) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: Nothing was imported: 1 problem in the file.",
        "Row 3: date of birth 1984-13-02 is not a date.",
    ]
    assert count(db) == 0


def test_import_command_maps_columns_and_refuses_unreadable_files(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password = add_printing_nurse(db, db_path, tmp_path)
    file = tmp_path / "export.csv"
    file.write_text("Given,Family,Born,Mobile\nAna,Lee,1984-02-13,555 201 3344\n", encoding="utf-8")
    assert as_maria(db_path, password, "import", "patients", str(file)) == 2
    assert "No column is chosen for First name or Last name" in capsys.readouterr().err
    mapping = ["--map", "given=first_name", "--map", "Family=last_name", "--map",
               "Born=date_of_birth", "--map", "Mobile=skip"]  # fmt: skip
    assert as_maria(db_path, password, "import", "patients", str(file), *mapping) == 0
    with db.reading() as s:
        patient = s.scalars(select(Patient)).one()
    assert (patient.first_name, patient.mobile_phone) == ("Ana", "")
    assert as_maria(db_path, password, "import", "patients", str(file), "--map", "Age=notes") == 2
    assert "no column is headed “Age”" in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert as_maria(db_path, password, "import", "patients", str(empty)) == 2
    assert capsys.readouterr().err == (
        f"error: {empty}: The file is empty; there are no patients in it to import.\n"
    )


def test_import_needs_a_user(db: Database, db_path: Path, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    file = tmp_path / "export.csv"
    file.write_text(GOOD, encoding="utf-8")
    assert main(["import", "patients", str(file), "--db", str(db_path)]) == 2
    assert "give your sign-in name with --user" in capsys.readouterr().err
    assert count(db) == 0


@pytest.mark.parametrize(
    "what",
    [["patients"], ["sessions", "--date", "2026-11-18"], ["boosters", "--date", "2026-11-16"]],
)
def test_export_command_writes_a_private_file(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    what: list[str],
) -> None:  # fmt: skip
    set_up_test_clinic(db)
    password = add_printing_nurse(db, db_path, tmp_path)
    out = tmp_path / "out.csv"
    assert as_maria(db_path, password, "export", *what, "--out", str(out)) == 0
    assert capsys.readouterr().out == f"{out}\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(read_back(out.read_bytes())) >= 1


def test_export_to_a_missing_folder_is_one_sentence(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    password = add_printing_nurse(db, db_path, tmp_path)
    out = tmp_path / "nowhere" / "out.csv"
    assert as_maria(db_path, password, "export", "patients", "--out", str(out)) == 2
    assert capsys.readouterr().err.startswith(f"error: Cannot write {out}: No such file")


@pytest.mark.parametrize("command", [["import", "patients"], ["export", "sessions"]])
def test_the_commands_have_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    assert "--user" in capsys.readouterr().out
