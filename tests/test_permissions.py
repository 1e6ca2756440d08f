"""Permissions live in the services: a front desk calling them directly is refused too."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.domain.access import PERMISSIONS, Actor, Permission
from scheduler.domain.enums import StaffRole
from scheduler.domain.patients import PatientDetails
from scheduler.errors import NotAllowed
from scheduler.letters.pdf import PdfRenderer
from scheduler.letters.templates import load_templates
from scheduler.services import letters, patients, screening, session_life, settings
from scheduler.services.booking import BookingRefused, Override, book_series
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Patient
from tests.conftest import ACTOR, NOW
from tests.factories import (
    Clinic,
    add_account,
    add_finding,
    make_patient,
    propose,
    set_up_test_clinic,
)


@pytest.fixture
def c(db: Database) -> Clinic:
    return set_up_test_clinic(db)


@pytest.fixture
def staff(db: Database) -> dict[str, Actor]:
    with db.transaction() as s:
        return {
            "front": add_account(s, "Tom Becker", "tom", StaffRole.FRONT_DESK),
            "nurse": add_account(s, "Maria Santos", "maria", StaffRole.NURSE),
            "doc": add_account(s, "Dr Helen Park", "helen", StaffRole.CLINICIAN),
            "admin": add_account(s, "Alex Morgan", "alex", StaffRole.ADMINISTRATOR),
        }


def test_the_matrix_gives_each_role_its_work() -> None:
    assert Permission.CLEAR_SCREENING not in PERMISSIONS[StaffRole.FRONT_DESK]
    assert Permission.OVERRIDE_SAFETY not in PERMISSIONS[StaffRole.NURSE]
    assert Permission.COMPLETE in PERMISSIONS[StaffRole.NURSE]
    assert PERMISSIONS[StaffRole.ADMINISTRATOR] == {
        Permission.EDIT_SETTINGS,
        Permission.READ_AUDIT,
        Permission.READ_REPORTS,
    }
    # Every permission is held by some role.
    assert set().union(*PERMISSIONS.values()) == set(Permission)


def test_front_desk_cannot_clear_screening_or_resolve_findings(
    db: Database, staff: dict[str, Actor]
) -> None:
    front = staff["front"]
    with db.transaction() as s:
        patient = make_patient(s, cleared=False)
        finding = add_finding(s, patient).id
    with db.transaction() as s, pytest.raises(NotAllowed, match="Only a clinician may clear"):
        screening.set_screening_cleared(s, patient, True, actor=front, now=NOW)
    with db.transaction() as s, pytest.raises(NotAllowed, match="Only a clinician"):
        screening.resolve_finding(
            s, finding, override=True, reason="Seen today, fine", actor=front, now=NOW
        )
    with db.transaction() as s, pytest.raises(NotAllowed, match="Only a clinician"):
        screening.set_rems_enrolment(s, patient, NOW.date(), actor=front, now=NOW)
    # Naming another front-desk member as the signer does not help either.
    with db.transaction() as s, pytest.raises(NotAllowed, match="Only a clinician"):
        screening.set_screening_cleared(s, patient, True, actor=front, signer=front, now=NOW)
    with db.reading() as s:
        cleared = s.get(Patient, patient)
        assert cleared is not None
        assert cleared.screening_cleared_at is None


def test_front_desk_cannot_override_a_safety_check(
    db: Database, c: Clinic, staff: dict[str, Actor]
) -> None:
    with db.transaction() as s:
        patient = make_patient(s)
        add_finding(s, patient)
    with db.reading() as s:
        proposal = propose(s, c, patient_id=patient)
    override = Override("Looks fine to me", None)
    with db.transaction() as s, pytest.raises(BookingRefused) as refused:
        book_series(s, proposal, actor=staff["front"], now=NOW, override=override)
    assert "Only a clinician may override a safety check" in str(refused.value)


def test_a_clinician_signs_at_the_front_desk_and_the_audit_names_both(
    db: Database, c: Clinic, staff: dict[str, Actor]
) -> None:
    front, doc = staff["front"], staff["doc"]
    with db.transaction() as s:
        patient = make_patient(s, cleared=False)
        finding = add_finding(s, patient).id
    with db.transaction() as s:
        screening.resolve_finding(
            s, finding, override=True, reason="BP 128/82 on recheck", actor=front, signer=doc,
            now=NOW,
        )  # fmt: skip
        screening.set_screening_cleared(s, patient, True, actor=front, signer=doc, now=NOW)
    with db.reading() as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(["finding.override", "screening.clear"]))
        ).all()
        assert [(e.action, e.actor, e.signed_by, e.at) for e in entries] == [
            ("finding.override", "tom", "helen", NOW),
            ("screening.clear", "tom", "helen", NOW),
        ]
        assert entries[0].reason == "BP 128/82 on recheck"
        cleared = s.get(Patient, patient)
        assert cleared is not None
        assert cleared.screening_cleared_by_id == doc.staff_id


def test_a_signed_in_clinician_overrides_a_booking_gate(
    db: Database, c: Clinic, staff: dict[str, Actor]
) -> None:
    with db.transaction() as s:
        patient = make_patient(s, cleared=False)
    with db.reading() as s:
        proposal = propose(s, c, patient_id=patient)
    with db.transaction() as s:
        book_series(
            s, proposal, actor=staff["doc"], now=NOW, override=Override("Cleared by phone", None)
        )
    with db.reading() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "series.book"))
        assert entry is not None
        assert (entry.actor, entry.signed_by) == ("helen", "helen")
        assert entry.reason.startswith("Override by Dr Helen Park: Cleared by phone")


def test_each_service_refuses_what_the_role_may_not_do(
    db: Database, c: Clinic, staff: dict[str, Actor], tmp_path: Path
) -> None:
    admin, front = staff["admin"], staff["front"]
    with db.reading() as s:
        proposal = propose(s, c)
    with db.transaction() as s, pytest.raises(NotAllowed, match="may not book"):
        book_series(s, proposal, actor=admin, now=NOW)
    with db.transaction() as s:
        session_id = book_series(s, proposal, actor=front, now=NOW).sessions[0].id
    with db.transaction() as s, pytest.raises(NotAllowed, match="may not mark sessions completed"):
        session_life.complete(s, session_id, actor=front, now=NOW)
    with db.transaction() as s, pytest.raises(NotAllowed, match="may not cancel"):
        session_life.cancel(s, session_id, reason="Flu", actor=admin, now=NOW)
    details = PatientDetails("Ann", "Other", NOW.date().replace(year=1980))
    with db.transaction() as s, pytest.raises(NotAllowed, match="may not change patients"):
        patients.create_patient(s, details, actor=admin, now=NOW)
    with db.transaction() as s, pytest.raises(NotAllowed, match="may not change settings"):
        settings.add_closure(s, NOW.date(), "Flood", actor=front, now=NOW)
    with db.transaction() as s, pytest.raises(NotAllowed, match="may not print"):
        letters.schedule_letter_for(
            s, "100001", out_dir=tmp_path, templates=load_templates(None),
            renderer=PdfRenderer(), actor=admin, now=NOW,
        )  # fmt: skip
    assert not list(tmp_path.glob("*.pdf"))


def test_everyone_at_the_desk_acts_under_their_own_name(
    db: Database, c: Clinic, staff: dict[str, Actor]
) -> None:
    with db.reading() as s:
        proposal = propose(s, c)
    with db.transaction() as s:
        book_series(s, proposal, actor=staff["nurse"], now=NOW)
    with db.reading() as s:
        actors = set(s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "series.book")))
        assert actors == {"maria"}
    assert ACTOR.may(Permission.BOOK)
