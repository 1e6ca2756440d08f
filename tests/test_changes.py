"""The change notes: which kinds of things a transaction wrote, read from its rows' tables."""

from __future__ import annotations

import datetime as dt

from scheduler.domain.patients import PatientDetails
from scheduler.services import changes
from scheduler.services.changes import EVERYTHING, KIND_OF_TABLE, Change
from scheduler.services.patients import create_patient, set_archived
from scheduler.store import Database
from scheduler.store.models import Base
from tests.conftest import ACTOR, NOW


def test_every_table_has_a_kind() -> None:
    # A table without one would count as everything: correct, but every screen would reload.
    assert set(Base.metadata.tables) <= set(KIND_OF_TABLE)


def test_an_unknown_table_counts_as_everything() -> None:
    assert changes.kind_of_table("reminders") == EVERYTHING


def test_a_new_patient_is_noted_as_patients_and_audit(db: Database) -> None:
    with db.transaction() as s:
        changes.follow(s)
        patient = create_patient(
            s, PatientDetails("Zoë", "Łukasiewicz", dt.date(1980, 2, 3)), actor=ACTOR, now=NOW
        )
        assert changes.noted(s) == Change.PATIENTS | Change.AUDIT
        patient_id = patient.id
    with db.transaction() as s:
        changes.follow(s)  # a new transaction starts with nothing noted
        assert changes.noted(s) == Change.NOTHING
        set_archived(s, patient_id, True, actor=ACTOR, now=NOW)
        assert changes.noted(s) == Change.PATIENTS | Change.AUDIT


def test_reading_notes_nothing(db: Database) -> None:
    with db.transaction() as s:
        changes.follow(s)
        s.scalars(Base.metadata.tables["patients"].select()).all()
        assert changes.noted(s) == Change.NOTHING
