"""The nurses' day sheet: one clinic day's sessions per chair and room, and home visits per nurse.

A read: nothing is written or recorded. Whatever the size of the day, the sheet takes the same
few queries (the clinic's calendar, the sessions with everything shown beside them, the
patients' findings, the letters printed), read as plain rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from scheduler.domain.access import Actor, Permission
from scheduler.domain.day_sheet import (
    Caution,
    DaySheet,
    Finding,
    SheetVisit,
    build_day_sheet,
    cautions_of,
)
from scheduler.domain.enums import (
    HOLDING,
    FindingSeverity,
    FindingStatus,
    LetterKind,
    Place,
)
from scheduler.letters.day_sheet_pdf import DaySheetRenderer
from scheduler.services.access import require
from scheduler.services.clinic import get_settings
from scheduler.services.letters import printed_kinds
from scheduler.services.schedule import clinic_calendar, day_bounds, overlapping
from scheduler.store.models import (
    Chair,
    Patient,
    Protocol,
    ScreeningFinding,
    Series,
    Staff,
    Therapy,
    TreatmentSession,
)

_Nurse = aliased(Staff)
_VISITS = (
    select(
        TreatmentSession.id,
        TreatmentSession.patient_id,
        TreatmentSession.starts_at,
        TreatmentSession.ends_at,
        TreatmentSession.place,
        TreatmentSession.number,
        Patient.preferred_name,
        Patient.first_name,
        Patient.last_name,
        Patient.chart_number,
        Patient.driver_name,
        Patient.driver_phone,
        TreatmentSession.escort_name,
        TreatmentSession.escort_phone,
        TreatmentSession.no_escort_reason,
        Patient.street,
        Patient.city,
        Patient.region,
        Patient.postal_code,
        Therapy.name,
        Therapy.code,
        Therapy.needs_driver,
        Therapy.aftercare_letter,
        TreatmentSession.chair_id,
        Chair.name,
        Chair.sort_order,
        _Nurse.name,
        Series.planned_count,
        Protocol.phase,
    )
    .join(Patient, Patient.id == TreatmentSession.patient_id)
    .join(Therapy, Therapy.id == TreatmentSession.therapy_id)
    .outerjoin(Chair, Chair.id == TreatmentSession.chair_id)
    .outerjoin(_Nurse, _Nurse.id == TreatmentSession.nurse_id)
    .outerjoin(Series, Series.id == TreatmentSession.series_id)
    .outerjoin(Protocol, Protocol.id == Series.protocol_id)
    .where(TreatmentSession.status.in_(HOLDING))
)


def day_sheet(db: Session, day: dt.date, *, actor: Actor, now: dt.datetime) -> DaySheet:
    """The day sheet of a clinic day, for whoever may print the day's letters."""
    require(actor, Permission.PRINT)
    settings = get_settings(db)
    calendar = clinic_calendar(db, names=False)
    start, end = day_bounds(calendar.zone, day, day)
    rows = db.execute(_VISITS.where(overlapping(start, end))).all()
    session_ids = [row[0] for row in rows]
    findings = _findings(db, {row[1] for row in rows})
    printed = printed_kinds(db, session_ids)
    visits = [_visit(row, findings, printed) for row in rows]
    return build_day_sheet(
        clinic_name=settings.name,
        day=day,
        zone=calendar.zone,
        visits=visits,
        closed_reason=calendar.closures.get(day),
        open_that_day=calendar.hours_on(day) is not None,
        now=now,
    )


def cautions_on_day(db: Session, day: dt.date) -> dict[int, tuple[Caution, ...]]:
    """What the nurse must know at the chair for each of a day's sessions, by session id.

    The same cautions the day sheet prints, for the desk's lists; sessions with none are left
    out. Two queries whatever the size of the day.
    """
    calendar = clinic_calendar(db, names=False)
    start, end = day_bounds(calendar.zone, day, day)
    rows = db.execute(
        select(TreatmentSession.id, TreatmentSession.patient_id, Therapy.code)
        .join(Therapy, Therapy.id == TreatmentSession.therapy_id)
        .where(overlapping(start, end))
    ).all()
    findings = _findings(db, {patient_id for _, patient_id, _ in rows})
    found = {
        session_id: cautions_of(findings.get(patient_id, ()), code)
        for session_id, patient_id, code in rows
    }
    return {session_id: cautions for session_id, cautions in found.items() if cautions}


def _findings(db: Session, patient_ids: set[int]) -> dict[int, list[Finding]]:
    """The findings still on record (not cleared) of the day's patients, in recorded order."""
    found: dict[int, list[Finding]] = defaultdict(list)
    if not patient_ids:
        return found
    query = (
        select(
            ScreeningFinding.patient_id,
            ScreeningFinding.kind,
            ScreeningFinding.severity,
            ScreeningFinding.status,
            ScreeningFinding.detail,
        )
        .where(
            ScreeningFinding.patient_id.in_(sorted(patient_ids)),
            ScreeningFinding.status != FindingStatus.CLEARED.value,
        )
        .order_by(ScreeningFinding.id)
    )
    for patient_id, kind, severity, status, detail in db.execute(query):
        found[patient_id].append(
            Finding(kind, FindingSeverity(severity), FindingStatus(status), detail)
        )
    return found


def _visit(
    row: Sequence[Any],
    findings: dict[int, list[Finding]],
    printed: dict[tuple[int, str], bool],
) -> SheetVisit:
    (
        session_id, patient_id, starts_at, ends_at, place, number, preferred, first, last,
        chart, driver, driver_phone, escort, escort_phone, no_escort_reason,
        street, city, region, postal, therapy, code, needs_driver,
        aftercare, chair_id, chair, chair_order, nurse, count, phase,
    ) = row  # fmt: skip
    town = " ".join(p for p in (city, region, postal) if p)
    return SheetVisit(
        session_id=session_id,
        starts_at=starts_at,
        ends_at=ends_at,
        patient_name=f"{preferred or first} {last}",
        chart_number=chart,
        therapy_name=therapy,
        therapy_code=code,
        needs_driver=needs_driver,
        place=place,
        chair_id=chair_id,
        chair_name=chair or "",
        chair_order=(chair_order or 0, chair or ""),
        nurse_name=nurse or "",
        number=number,
        planned_count=count,
        phase=phase,
        driver_name=driver,
        driver_phone=driver_phone,
        escort_name=escort,
        escort_phone=escort_phone,
        no_escort_reason=no_escort_reason,
        address=", ".join(p for p in (street, town) if p),
        findings=tuple(findings.get(patient_id, ())),
        prep_printed=printed.get((session_id, LetterKind.PREP), False),
        aftercare_printed=printed.get((session_id, LetterKind.AFTERCARE), False),
        has_aftercare=aftercare and place is not Place.VIDEO,
    )


@dataclass(frozen=True, slots=True)
class PrintedSheet:
    """A day's sheet rendered on the clinic's paper, with a note for a name no font can print."""

    sheet: DaySheet
    pdf: bytes
    note: str  # "" when every name prints


def day_sheet_pdf(
    db: Session, day: dt.date, *, actor: Actor, now: dt.datetime, renderer: DaySheetRenderer
) -> PrintedSheet:
    """The day's sheet as a PDF on the clinic's paper size, for the desk and the command line."""
    sheet = day_sheet(db, day, actor=actor, now=now)
    pdf = renderer.render(sheet, paper_size=get_settings(db).paper_size)
    return PrintedSheet(sheet, pdf, renderer.unprintable_note(sheet))
