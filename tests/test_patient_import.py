"""Importing patients from a CSV export: all or nothing, rows in error, likely duplicates."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from scheduler.domain.access import Actor
from scheduler.domain.enums import StaffRole
from scheduler.domain.patient_csv import CsvTable, guess_mapping, read_table
from scheduler.domain.patients import PatientDetails
from scheduler.errors import NotAllowed
from scheduler.services.patient_import import (
    IMPORT_REASON,
    ImportRefused,
    import_patients,
    preview_import,
)
from scheduler.services.patients import create_patient
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Patient
from tests.conftest import ACTOR, NOW

GOOD = (
    "MRN,First Name,Last Name,Date of Birth,Cell,E-mail\n"
    ",Zoë,Łukasiewicz,02/13/1984,(555) 201-3344,zoe@example.org\n"
    ",Dana,Kowalski,1990-07-01,,\n"
    "A-77,美咲,佐藤,7/4/1975,,\n"
)
# Row 3's birth date has a month 13; row 4 has no last name.
BAD = "First Name,Last Name,DOB\nAna,Lee,1984-02-13\nBo,Chen,1984-13-02\nCy,,03/02/1990\n"


def table_of(text: str, encoding: str = "utf-8") -> CsvTable:
    return read_table(text.encode(encoding))


def patients_on_file(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count(Patient.id))) or 0


def run_import(db: Database, table: CsvTable, **kwargs: bool) -> str:
    with db.transaction() as s:
        result = import_patients(
            s, table, guess_mapping(table.headers), actor=ACTOR, now=NOW, **kwargs
        )
        return result.summary


def test_a_good_file_imports_every_row_with_chart_numbers(db: Database) -> None:
    assert run_import(db, table_of(GOOD)) == "3 patients imported."
    with db.reading() as s:
        found = {
            p.last_name: (p.first_name, p.date_of_birth, p.chart_number, p.mobile_phone)
            for p in s.scalars(select(Patient))
        }
        reasons = list(
            s.scalars(select(AuditEntry.reason).where(AuditEntry.action == "patient.create"))
        )
        actors = set(
            s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "patient.create"))
        )
    assert found == {
        "Łukasiewicz": ("Zoë", dt.date(1984, 2, 13), "100001", "(555) 201-3344"),
        "Kowalski": ("Dana", dt.date(1990, 7, 1), "100002", ""),
        "佐藤": ("美咲", dt.date(1975, 7, 4), "A-77", ""),
    }
    assert reasons == [IMPORT_REASON] * 3
    assert actors == {ACTOR.sign_in}


def test_a_bad_row_imports_nothing_and_each_problem_names_its_row(db: Database) -> None:
    with pytest.raises(ImportRefused) as refused:
        run_import(db, table_of(BAD))
    assert refused.value.errors == (
        "Row 3: date of birth 1984-13-02 is not a date.",
        "Row 4: Last name is required.",
    )
    assert str(refused.value).startswith("Nothing was imported: 2 problems in the file. Row 3:")
    assert patients_on_file(db) == 0


def test_a_row_refused_by_the_database_rules_takes_back_the_rows_before_it(db: Database) -> None:
    # Both rows want the same chart number: the preview names the second.
    text = "MRN,First,Last,DOB\n500,Ana,Lee,1984-02-13\n500,Bo,Chen,1985-02-13\n"
    with pytest.raises(ImportRefused) as refused:
        run_import(db, table_of(text))
    assert refused.value.errors == ("Row 3: chart number 500 is also in row 2.",)
    assert patients_on_file(db) == 0


def test_a_taken_chart_number_is_a_row_error(db: Database) -> None:
    run_import(db, table_of("MRN,First,Last,DOB\n500,Ana,Lee,1984-02-13\n"))
    with pytest.raises(ImportRefused, match=r"Row 2: chart number 500 is already taken\."):
        run_import(db, table_of("MRN,First,Last,DOB\n500,Bo,Chen,1985-02-13\n"))


def test_a_likely_duplicate_is_flagged_and_left_out_unless_included(db: Database) -> None:
    with db.transaction() as s:
        on_file = create_patient(
            s, PatientDetails("Zoe", "LUKASIEWICZ", dt.date(1984, 2, 13)), actor=ACTOR, now=NOW
        )
        chart = on_file.chart_number
    # Row 5 repeats row 3, its birth date written US style.
    table = table_of(GOOD + ",Dana,Kowalski,07/01/1990,,\n")
    with db.reading() as s:
        preview = preview_import(s, table, guess_mapping(table.headers), actor=ACTOR, now=NOW)
    assert [(r.row, r.duplicate_of) for r in preview.rows if r.duplicate_of] == [
        (2, (f"chart {chart}",)),
        (5, ("row 3",)),
    ]
    assert preview.errors == []
    assert preview.duplicates == 2
    assert run_import(db, table) == (
        "2 patients imported; 2 likely duplicates left out (row 2, 5)."
    )
    assert patients_on_file(db) == 3


def test_duplicates_are_imported_when_the_desk_says_they_are_different_people(db: Database) -> None:
    run_import(db, table_of(GOOD))
    assert run_import(db, table_of(GOOD.replace("A-77", "")), include_duplicates=True) == (
        "3 patients imported."
    )
    assert patients_on_file(db) == 6


def test_a_dry_run_stores_nothing(db: Database) -> None:
    assert run_import(db, table_of(GOOD), dry_run=True) == "3 patients would be imported."
    assert patients_on_file(db) == 0


@pytest.mark.parametrize(("encoding", "prefix"), [("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")])
def test_bom_and_windows_1252_files_keep_accents(
    db: Database, encoding: str, prefix: bytes
) -> None:
    data = (
        prefix
        + "First Name,Last Name,Date of Birth\nJosé,Müller-Lüdenscheidt,1970-01-31\n".encode(
            encoding
        )
    )
    table = read_table(data)
    assert table.headers[0] == "First Name"
    run_import(db, table)
    with db.reading() as s:
        patient = s.scalars(select(Patient)).one()
    assert (patient.first_name, patient.last_name) == ("José", "Müller-Lüdenscheidt")


def test_a_file_without_a_name_column_is_one_sentence(db: Database) -> None:
    with pytest.raises(ImportRefused) as refused:
        run_import(db, table_of("Patient,DOB\nAna Lee,1984-02-13\n"))
    assert refused.value.errors == ()
    assert str(refused.value).startswith("No column is chosen for First name or Last name")


def test_importing_needs_the_right_to_edit_patients(db: Database) -> None:
    admin = Actor(None, "alex", "Alex", frozenset({StaffRole.ADMINISTRATOR}))
    table = table_of(GOOD)
    with db.transaction() as s, pytest.raises(NotAllowed):
        import_patients(s, table, guess_mapping(table.headers), actor=admin, now=NOW)
    assert patients_on_file(db) == 0


def test_a_long_list_of_problems_names_the_first_ten(db: Database) -> None:
    text = "First,Last,DOB\n" + "".join(f"P{i},Q,1984-13-{i:02d}\n" for i in range(1, 13))
    with pytest.raises(ImportRefused) as refused:
        run_import(db, table_of(text))
    assert len(refused.value.errors) == 12
    assert str(refused.value).endswith(
        "Row 11: date of birth 1984-13-10 is not a date. And 2 more."
    )


def test_a_file_imported_twice_is_all_duplicates_and_their_charts_stay_theirs(
    db: Database,
) -> None:
    run_import(db, table_of(GOOD))
    assert run_import(db, table_of(GOOD)) == (
        "0 patients imported; 3 likely duplicates left out (row 2, 3, 4)."
    )
    with pytest.raises(ImportRefused) as refused:
        run_import(db, table_of(GOOD), include_duplicates=True)
    assert refused.value.errors == ("Row 4: chart number A-77 is already taken.",)
    assert patients_on_file(db) == 3
