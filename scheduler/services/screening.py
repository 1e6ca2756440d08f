"""Screening: the findings a clinician records before an induction, and clearing a patient.

Blocking findings (contraindications) stop booking until a clinician clears them (no longer
applies) or overrides them (applies, risk accepted, with a written reason). Only staff with the
clinician role may do any of this; the front desk sees the result.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from scheduler.domain.enums import FindingSeverity, FindingStatus, StaffRole
from scheduler.domain.screening import FINDING_KINDS
from scheduler.services import audit
from scheduler.services.errors import FieldProblem, NotFound, ServiceError, ValidationFailed
from scheduler.services.patients import get_patient
from scheduler.store.models import Patient, ScreeningFinding, Staff

REASON_MIN = 5


def clinicians(db: DbSession) -> list[Staff]:
    """The active clinicians, who may record and resolve screening findings."""
    return list(
        db.scalars(
            select(Staff)
            .where(Staff.role == StaffRole.CLINICIAN.value, Staff.active.is_(True))
            .order_by(Staff.name)
        )
    )


def record_finding(
    db: DbSession,
    patient_id: int,
    kind: str,
    *,
    clinician_id: int,
    detail: str = "",
    actor: str,
    now: dt.datetime,
) -> ScreeningFinding:
    """Record a contraindication or caution found at screening."""
    clinician = _clinician(db, clinician_id)
    patient = get_patient(db, patient_id)
    spec = FINDING_KINDS.get(kind)
    if spec is None:
        raise ValidationFailed([FieldProblem("kind", f"“{kind}” is not a screening finding.")])
    finding = ScreeningFinding(
        patient_id=patient.id,
        kind=spec.key,
        severity=spec.severity.value,
        detail=detail.strip(),
        status=FindingStatus.OPEN.value,
        recorded_at=now,
        recorded_by_id=clinician.id,
    )
    db.add(finding)
    audit.record(db, actor=actor, now=now, action="finding.record", row=finding, before=None)
    return finding


def resolve_finding(
    db: DbSession,
    finding_id: int,
    *,
    override: bool,
    reason: str,
    clinician_id: int,
    actor: str,
    now: dt.datetime,
) -> ScreeningFinding:
    """Clear a finding (it no longer applies) or override it (risk accepted), with a reason."""
    clinician = _clinician(db, clinician_id)
    finding = db.get(ScreeningFinding, finding_id)
    if finding is None:
        raise NotFound(f"No screening finding with id {finding_id}.")
    if finding.status != FindingStatus.OPEN.value:
        raise ServiceError(f"This finding was already {finding.status}.")
    reason = reason.strip()
    if len(reason) < REASON_MIN:
        what = "an override" if override else "clearing a finding"
        raise ValidationFailed(
            [
                FieldProblem(
                    "reason", f"Write the reason for {what} (at least {REASON_MIN} letters)."
                )
            ]
        )
    before = audit.snapshot(finding)
    finding.status = (FindingStatus.OVERRIDDEN if override else FindingStatus.CLEARED).value
    finding.resolved_at = now
    finding.resolved_by_id = clinician.id
    finding.resolution_reason = reason
    action = "finding.override" if override else "finding.clear"
    audit.record(db, actor=actor, now=now, action=action, row=finding, before=before, reason=reason)
    return finding


def open_blocking_findings(patient: Patient) -> list[ScreeningFinding]:
    return [
        f
        for f in patient.findings
        if f.status == FindingStatus.OPEN.value and f.severity == FindingSeverity.BLOCKING.value
    ]


def set_screening_cleared(
    db: DbSession,
    patient_id: int,
    cleared: bool,
    *,
    clinician_id: int,
    actor: str,
    now: dt.datetime,
) -> Patient:
    """Mark the patient's screening as cleared by a clinician (or withdraw the clearance)."""
    clinician = _clinician(db, clinician_id)
    patient = get_patient(db, patient_id)
    if cleared and (blocking := open_blocking_findings(patient)):
        labels = ", ".join(FINDING_KINDS[f.kind].label.lower() for f in blocking)
        raise ServiceError(
            f"Screening cannot be cleared while a contraindication is open ({labels}). "
            "Clear or override it first, with a reason."
        )
    before = audit.snapshot(patient)
    patient.screening_cleared_at = now if cleared else None
    patient.screening_cleared_by_id = clinician.id if cleared else None
    patient.updated_at = now
    action = "screening.clear" if cleared else "screening.withdraw"
    audit.record(db, actor=actor, now=now, action=action, row=patient, before=before)
    return patient


def set_rems_enrolment(
    db: DbSession,
    patient_id: int,
    enrolled_on: dt.date | None,
    *,
    actor: str,
    now: dt.datetime,
) -> Patient:
    """Record the date the patient was enrolled in the esketamine REMS program (None: not)."""
    patient = get_patient(db, patient_id)
    if enrolled_on is not None and enrolled_on > now.date():
        raise ValidationFailed(
            [FieldProblem("rems_enrolled_on", "The REMS enrolment date is in the future.")]
        )
    before = audit.snapshot(patient)
    patient.rems_enrolled = enrolled_on is not None
    patient.rems_enrolled_on = enrolled_on
    patient.updated_at = now
    audit.record(db, actor=actor, now=now, action="patient.rems", row=patient, before=before)
    return patient


def _clinician(db: DbSession, staff_id: int) -> Staff:
    staff = db.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise ServiceError("Choose an active clinician on the staff list.")
    if staff.role != StaffRole.CLINICIAN.value:
        raise ServiceError(f"{staff.name} is not a clinician; only clinicians record screening.")
    return staff
