"""Screening findings, clearing and REMS enrolment, without Qt."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from scheduler.domain.access import Actor
from scheduler.domain.enums import FindingStatus, StaffRole
from scheduler.domain.patients import PatientDetails
from scheduler.errors import NotAllowed, ServiceError, ValidationFailed
from scheduler.services import screening
from scheduler.services.accounts import actor_of
from scheduler.services.patients import create_patient, get_patient
from scheduler.services.settings import StaffEdit, save_staff
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Staff
from tests.conftest import ACTOR, NOW

People = tuple[int, Actor, Actor]


@pytest.fixture
def people(db: Database) -> People:
    """(patient id, a clinician, a nurse), the staff as they act or sign."""
    with db.transaction() as s:
        patient = create_patient(
            s, PatientDetails("Zoë", "Łukasiewicz", dt.date(1980, 2, 3)), actor=ACTOR, now=NOW
        )
        doc = save_staff(
            s, None, StaffEdit("Dr Ada Ng", frozenset({StaffRole.CLINICIAN})), actor=ACTOR, now=NOW
        )
        nurse = save_staff(
            s, None, StaffEdit("Sam Lee", frozenset({StaffRole.NURSE})), actor=ACTOR, now=NOW
        )
        doc_row, nurse_row = s.get(Staff, doc.staff_id), s.get(Staff, nurse.staff_id)
        assert doc_row is not None
        assert nurse_row is not None
        return patient.id, actor_of(doc_row), actor_of(nurse_row)


def test_blocking_finding_stops_clearance_until_overridden(db: Database, people: People) -> None:
    patient_id, doc, _ = people
    with db.transaction() as s:
        finding = screening.record_finding(
            s, patient_id, "uncontrolled_hypertension", detail="170/105", actor=doc, now=NOW,
        )  # fmt: skip
        finding_id = finding.finding_id
    with db.transaction() as s, pytest.raises(ServiceError, match="high blood pressure"):
        screening.set_screening_cleared(s, patient_id, True, signer=doc, actor=ACTOR, now=NOW)
    with db.transaction() as s:
        screening.resolve_finding(
            s, finding_id, override=True, reason="Controlled on review today", signer=doc,
            actor=ACTOR, now=NOW,
        )  # fmt: skip
        screening.set_screening_cleared(s, patient_id, True, signer=doc, actor=ACTOR, now=NOW)
    with db.reading() as s:
        patient = get_patient(s, patient_id)
        assert patient.screening_cleared_at == NOW
        assert patient.screening_cleared_by_id == doc.staff_id
        assert patient.findings[0].status == FindingStatus.OVERRIDDEN
        assert patient.findings[0].resolution_reason == "Controlled on review today"
        reasons = s.scalars(
            select(AuditEntry.reason).where(AuditEntry.action == "finding.override")
        ).all()
        assert reasons == ["Controlled on review today"]


def test_caution_does_not_block_clearance(db: Database, people: People) -> None:
    patient_id, doc, _ = people
    with db.transaction() as s:
        screening.record_finding(s, patient_id, "benzodiazepines", actor=doc, now=NOW)
        patient = screening.set_screening_cleared(s, patient_id, True, actor=doc, now=NOW)
        assert patient.screening_cleared_at == NOW


def test_only_clinicians_record_findings(db: Database, people: People) -> None:
    patient_id, _, nurse = people
    with db.transaction() as s, pytest.raises(NotAllowed, match="may not record screening"):
        screening.record_finding(s, patient_id, "psychosis_mania", actor=nurse, now=NOW)


@pytest.mark.parametrize("reason", ["", "  ok "])
def test_resolving_needs_a_reason(db: Database, people: People, reason: str) -> None:
    patient_id, doc, _ = people
    with db.transaction() as s:
        finding_id = screening.record_finding(
            s, patient_id, "psychosis_mania", actor=doc, now=NOW
        ).finding_id
    with db.transaction() as s, pytest.raises(ValidationFailed) as caught:
        screening.resolve_finding(s, finding_id, override=False, reason=reason, actor=doc, now=NOW)
    assert caught.value.problems[0].field == "reason"


def test_unknown_finding_kind_is_refused(db: Database, people: People) -> None:
    patient_id, doc, _ = people
    with db.transaction() as s, pytest.raises(ValidationFailed):
        screening.record_finding(s, patient_id, "bad_vibes", actor=doc, now=NOW)


def test_rems_enrolment_recorded_and_withdrawn(db: Database, people: People) -> None:
    patient_id, doc, _ = people
    with db.transaction() as s:
        screening.set_rems_enrolment(s, patient_id, dt.date(2026, 11, 2), actor=doc, now=NOW)
    with db.reading() as s:
        patient = get_patient(s, patient_id)
        assert (patient.rems_enrolled, patient.rems_enrolled_on) == (True, dt.date(2026, 11, 2))
    with db.transaction() as s:
        screening.set_rems_enrolment(s, patient_id, None, actor=doc, now=NOW)
    with db.reading() as s:
        assert get_patient(s, patient_id).rems_enrolled is False
    with db.transaction() as s, pytest.raises(ValidationFailed, match="future"):
        screening.set_rems_enrolment(s, patient_id, dt.date(2027, 1, 1), actor=doc, now=NOW)


def test_clinicians_lists_active_clinicians_only(db: Database, people: People) -> None:
    _, doc, _ = people
    with db.reading() as s:
        assert [c.id for c in screening.clinicians(s)] == [doc.staff_id]
