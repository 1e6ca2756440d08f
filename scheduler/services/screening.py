"""Screening: the findings a clinician records before an induction, and clearing a patient.

Blocking findings (contraindications) stop booking until a clinician clears them (no longer
applies) or overrides them (applies, risk accepted, with a written reason). Clearing,
resolving and REMS enrolment are a clinician's signed decisions: the signed-in clinician, or a
clinician who signs at that moment with their own password (``signer``). The audit trail keeps
both who signed and who was at the desk.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.domain.enums import FindingSeverity, FindingStatus, StaffRole
from scheduler.domain.screening import FINDING_KINDS
from scheduler.errors import FieldProblem, ServiceError, ValidationFailed
from scheduler.services import audit
from scheduler.services.access import require, signing_clinician
from scheduler.services.patients import (
    FindingView,
    PatientChart,
    chart_of,
    finding_view,
    get_patient,
)
from scheduler.services.rows import get_or_refuse
from scheduler.store.models import Patient, ScreeningFinding, Staff

REASON_MIN = 5


def clinicians(db: Session) -> list[Staff]:
    """The active clinicians, who may record and resolve screening findings."""
    return list(
        db.scalars(
            select(Staff)
            .where(Staff.holding(StaffRole.CLINICIAN), Staff.active.is_(True))
            .order_by(Staff.name)
        )
    )


def record_finding(
    db: Session,
    patient_id: int,
    kind: str,
    *,
    detail: str = "",
    actor: Actor,
    now: dt.datetime,
) -> FindingView:
    """Record a contraindication or caution found at screening (a clinician's task)."""
    require(actor, Permission.RECORD_FINDINGS)
    patient = get_patient(db, patient_id)
    spec = FINDING_KINDS.get(kind)
    if spec is None:
        raise ValidationFailed([FieldProblem("kind", f"“{kind}” is not a screening finding.")])
    finding = ScreeningFinding(
        patient_id=patient.id,
        kind=spec.key,
        severity=spec.severity,
        detail=detail.strip(),
        status=FindingStatus.OPEN,
        recorded_at=now,
        recorded_by_id=actor.staff_id,
    )
    db.add(finding)
    audit.record(
        db, actor=actor.sign_in, now=now, action="finding.record", row=finding, before=None
    )
    return finding_view(finding)


def resolve_finding(
    db: Session,
    finding_id: int,
    *,
    override: bool,
    reason: str,
    actor: Actor,
    now: dt.datetime,
    signer: Actor | None = None,
) -> FindingView:
    """Clear a finding (it no longer applies) or override it (risk accepted), with a reason."""
    permission = Permission.OVERRIDE_SAFETY if override else Permission.CLEAR_SCREENING
    clinician = signing_clinician(db, actor, signer, permission)
    finding = get_or_refuse(
        db, ScreeningFinding, finding_id, f"No screening finding with id {finding_id}."
    )
    if finding.status is not FindingStatus.OPEN:
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
    finding.status = FindingStatus.OVERRIDDEN if override else FindingStatus.CLEARED
    finding.resolved_at = now
    finding.resolved_by_id = clinician.id
    finding.resolution_reason = reason
    action = "finding.override" if override else "finding.clear"
    audit.record(
        db, actor=actor.sign_in, now=now, action=action, row=finding, before=before,
        reason=reason, signed_by=clinician.sign_in or "",
    )  # fmt: skip
    return finding_view(finding)


def open_blocking_findings(patient: Patient) -> list[ScreeningFinding]:
    return [
        f
        for f in patient.findings
        if f.status is FindingStatus.OPEN and f.severity is FindingSeverity.BLOCKING
    ]


def set_screening_cleared(
    db: Session,
    patient_id: int,
    cleared: bool,
    *,
    actor: Actor,
    now: dt.datetime,
    signer: Actor | None = None,
    reason: str = "",
) -> PatientChart:
    """Mark the patient's screening as cleared by a clinician (or withdraw the clearance)."""
    clinician = signing_clinician(db, actor, signer, Permission.CLEAR_SCREENING)
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
    audit.record(
        db, actor=actor.sign_in, now=now, action=action, row=patient, before=before,
        reason=reason.strip(), signed_by=clinician.sign_in or "",
    )  # fmt: skip
    return chart_of(patient)


def set_rems_enrolment(
    db: Session,
    patient_id: int,
    enrolled_on: dt.date | None,
    *,
    actor: Actor,
    now: dt.datetime,
    signer: Actor | None = None,
) -> PatientChart:
    """Record the date the patient was enrolled in the esketamine REMS program (None: not)."""
    clinician = signing_clinician(db, actor, signer, Permission.CLEAR_SCREENING)
    patient = get_patient(db, patient_id)
    if enrolled_on is not None and enrolled_on > now.date():
        raise ValidationFailed(
            [FieldProblem("rems_enrolled_on", "The REMS enrolment date is in the future.")]
        )
    before = audit.snapshot(patient)
    patient.rems_enrolled = enrolled_on is not None
    patient.rems_enrolled_on = enrolled_on
    patient.updated_at = now
    audit.record(
        db, actor=actor.sign_in, now=now, action="patient.rems", row=patient, before=before,
        signed_by=clinician.sign_in or "",
    )  # fmt: skip
    return chart_of(patient)
