"""Importing many patients at once: what every row shares is read once, chart numbers in step."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from benchmarks.query_plans import statements_sent
from scheduler.domain.patient_csv import CsvTable, guess_mapping, read_table
from scheduler.domain.patients import PatientDetails
from scheduler.services.patient_import import IMPORT_REASON, import_patients
from scheduler.services.patients import create_patient, search_patients
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Patient
from tests.conftest import ACTOR, NOW


def people(count: int, tag: str, charts: dict[int, str] | None = None) -> CsvTable:
    """A file of ``count`` different people; ``charts`` gives some rows their own chart number."""
    lines = ["MRN,First Name,Last Name,Date of Birth,Cell"]
    for number in range(count):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=number * 11)
        chart = (charts or {}).get(number, "")
        lines.append(
            f"{chart},Ana{tag}{number},Lee,{born:%m/%d/%Y},(555) 300-{number % 10_000:04d}"
        )
    return read_table("\n".join(lines).encode())


def imported(db: Database, table: CsvTable) -> list[str]:
    """The chart numbers of the imported rows, in the file's order."""
    with db.transaction() as s:
        result = import_patients(s, table, guess_mapping(table.headers), actor=ACTOR, now=NOW)
        return [view.chart_number for view in result.imported]


def selects_of_import(db: Database, table: CsvTable) -> list[str]:
    with statements_sent(db) as sent:
        imported(db, table)
    return [statement for statement, _ in sent]


def test_an_import_reads_what_its_rows_share_once_however_many_rows(db: Database) -> None:
    few = selects_of_import(db, people(5, "few", {0: "A-1"}))
    many = selects_of_import(db, people(300, "many", {0: "B-1", 150: "B-2"}))
    assert len(many) == len(few)
    # The clinic's settings, the count of patients and the end of the audit chain: once each.
    for table in ("clinic_settings", "count(patients.id)", "audit_trail"):
        assert sum(table in statement for statement in many) == 1, table
    with db.reading() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "patient.create")))
        assert len(entries) == 305
        assert {(e.reason, e.actor) for e in entries} == {(IMPORT_REASON, ACTOR.sign_in)}
        assert len({e.patient_id for e in entries}) == 305
        # Each imported patient is found by their search words.
        found = search_patients(s, "anamany299 300-0299")
        assert [p.first_name for p in found] == ["Anamany299"]


def test_charts_given_and_missing_interleave_with_those_on_file(db: Database) -> None:
    with db.transaction() as s:
        for number in range(3):
            details = PatientDetails(
                first_name=f"Old{number}", last_name="Ray", date_of_birth=dt.date(1960, 1, 1)
            )
            create_patient(s, details, actor=ACTOR, now=NOW)
        details = PatientDetails(
            first_name="Odd", last_name="Ray", date_of_birth=dt.date(1961, 1, 1)
        )
        create_patient(s, details, actor=ACTOR, now=NOW, chart_number="100006")
    # Row 1 brings the number the first row without one would otherwise have taken.
    charts = imported(db, people(6, "mix", {1: "100005", 4: "A-9"}))
    assert charts == ["100007", "100005", "100008", "100009", "A-9", "100010"]
    with db.transaction() as s:
        details = PatientDetails(
            first_name="New", last_name="Ray", date_of_birth=dt.date(1962, 1, 1)
        )
        assert create_patient(s, details, actor=ACTOR, now=NOW).chart_number == "100011"
    with db.reading() as s:
        on_file = sorted(s.scalars(select(Patient.chart_number)))
    assert on_file == sorted(["100001", "100002", "100003", "100006", *charts, "100011"])
