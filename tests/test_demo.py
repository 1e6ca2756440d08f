"""The demo clinic: believable, deterministic, and only built into a new database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.domain.enums import ChairKind, StaffRole
from scheduler.errors import ServiceError
from scheduler.services import waitlist
from scheduler.services.demo import build_demo_clinic
from scheduler.store import Database, open_database
from scheduler.store.models import Chair, Closure, Patient, Staff, TreatmentSession
from tests.conftest import NOW, open_demo_copy

TODAY = dt.date(2026, 11, 16)


def _build(path: Path) -> Database:
    database = open_database(str(path), now=NOW)
    with database.transaction() as db:
        build_demo_clinic(db, today=TODAY, now=NOW)
    return database


def _fingerprint(database: Database) -> list[tuple[Any, ...]]:
    with database.reading() as db:
        patients = [
            (p.chart_number, p.first_name, p.last_name, p.date_of_birth, p.mobile_phone,
             p.driver_name, p.screening_cleared_at, p.rems_enrolled)
            for p in db.scalars(select(Patient).order_by(Patient.id))
        ]  # fmt: skip
        sessions = [
            (s.patient_id, s.therapy_id, s.chair_id, s.starts_at, s.status)
            for s in db.scalars(select(TreatmentSession).order_by(TreatmentSession.id))
        ]
    return patients + sessions


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The run's demo clinic (built once, see conftest); ``test_demo_is_deterministic`` builds
    another and compares."""
    database = open_demo_copy(demo_template, tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    yield database
    database.close()


def test_demo_is_deterministic(demo: Database, tmp_path: Path) -> None:
    again = _build(tmp_path / "again.sqlite3")
    try:
        assert _fingerprint(again) == _fingerprint(demo)
    finally:
        again.close()


def test_demo_has_the_clinic_the_issue_describes(demo: Database) -> None:
    with demo.reading() as db:
        chairs = db.scalars(select(Chair)).all()
        staff = db.scalars(select(Staff)).all()
        patients = db.scalars(select(Patient)).all()
        closures = db.scalars(select(Closure)).all()
    assert sum(c.kind == ChairKind.CHAIR for c in chairs) == 4
    assert any(c.kind == ChairKind.ROOM and "Spravato" in c.name for c in chairs)
    assert sum(StaffRole.NURSE in s.role_set for s in staff) == 3
    assert sum(StaffRole.CLINICIAN in s.role_set for s in staff) == 1
    assert len(patients) == 60
    names = {p.full_name for p in patients}
    assert {"Zoë Łukasiewicz-Núñez", "Seán O'Brien", "An Nguyễn", "花子 山田"} <= names
    assert any(day.day >= TODAY for day in closures)
    assert sum(bool(p.driver_name) for p in patients) > 30
    assert any(p.screening_cleared_at is None for p in patients)


def test_demo_refuses_a_database_with_patients(demo: Database) -> None:
    with pytest.raises(ServiceError, match="already has 60 patients"), demo.transaction() as db:
        build_demo_clinic(db, today=TODAY, now=NOW)
    with demo.reading() as db:
        assert len(db.scalars(select(Patient)).all()) == 60


def test_demo_has_patients_waiting_one_of_them_not_yet_cleared(demo: Database) -> None:
    with demo.reading() as db:
        entries = waitlist.waitlist(db)
        patients = {p.id: p for p in db.scalars(select(Patient))}
    assert len(entries) == 5
    assert any(e.first_induction for e in entries)
    waiting = [patients[e.terms.patient_id] for e in entries]
    assert sum(p.screening_cleared_at is None for p in waiting) == 1
    assert [e.added_at for e in entries] == sorted(e.added_at for e in entries)
