"""Maintenance: visits every few weeks after an induction, and who is due for a booster.

A plan is proposed here and booked with ``booking.book_series`` like any course; a single
booster is ``booking.book_single`` with a maintenance protocol.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from scheduler.domain.enums import Phase, Place, SessionStatus
from scheduler.domain.planning import SeriesProposal, maintenance_days
from scheduler.domain.planning import plan_maintenance as plan_visits
from scheduler.services.booking import (
    BookingRefused,
    checked_chair,
    course_parts,
    place_for,
    proposal_of,
    slot_needs,
)
from scheduler.services.books import books
from scheduler.services.schedule import HOLDING, clinic_calendar
from scheduler.store.models import Patient, Protocol, Series
from scheduler.store.models import Session as ClinicSession

# A plan by end date alone still stops somewhere.
MAX_PLANNED_VISITS = 26


@dataclass(frozen=True)
class BoosterDue:
    """A patient whose last session is older than their maintenance interval, nothing booked."""

    patient_id: int
    patient_name: str
    chart_number: str
    phone: str
    last_session_on: dt.date
    last_therapy_name: str
    protocol_id: int  # the maintenance protocol to book
    protocol_name: str
    interval_days: int
    days_overdue: int


def plan_maintenance(
    db: DbSession,
    *,
    patient_id: int,
    protocol_id: int,
    first_day: dt.date,
    preferred_time: dt.time,
    every_weeks: int,
    count: int | None = None,
    until: dt.date | None = None,
    chair_id: int | None = None,
    now: dt.datetime,
    place: Place | None = None,
) -> SeriesProposal:
    """Propose visits every ``every_weeks`` weeks from ``first_day``, by count or until a day.

    Each visit goes on its day at the preferred time, or the nearest free slot a few days
    either way, never closer to the visit before than the protocol's minimum gap. Book the
    result with ``booking.book_series``.
    """
    problems = []
    if every_weeks < 1:
        problems.append("Visits must be at least one week apart.")
    if count is None and until is None:
        problems.append("Give a number of visits or an end date.")
    if count is not None and not 1 <= count <= MAX_PLANNED_VISITS:
        problems.append(f"A maintenance plan has 1 to {MAX_PLANNED_VISITS} visits.")
    if until is not None and until < first_day:
        problems.append("The end date is before the first visit.")
    if problems:
        raise BookingRefused(problems)
    parts = course_parts(db, patient_id, protocol_id)
    if parts.phase is not Phase.MAINTENANCE:
        raise BookingRefused([f"“{parts.protocol.name}” is not a maintenance protocol."])
    days = maintenance_days(first_day, every_weeks, count=count, until=until)[:MAX_PLANNED_VISITS]
    if not days:
        raise BookingRefused(["No visit falls between the first day and the end date."])
    place = place_for(parts.therapy, place)
    needs = slot_needs(db, parts, place, chair_id=checked_chair(db, chair_id, place))
    calendar = clinic_calendar(db)
    rows = plan_visits(
        needs,
        calendar,
        books(db),
        days=days,
        preferred_time=preferred_time,
        spacing=parts.spacing,
        now=now,
        last_day=until,
    )
    return proposal_of(parts, place, needs, calendar, rows)


def _maintenance_protocol(db: DbSession, protocol: Protocol) -> Protocol | None:
    """The protocol whose interval applies after a course under ``protocol``."""
    if protocol.maintenance_interval_days:
        return protocol
    return db.scalar(
        select(Protocol)
        .where(
            Protocol.therapy_id == protocol.therapy_id,
            Protocol.phase == Phase.MAINTENANCE.value,
            Protocol.active.is_(True),
            Protocol.maintenance_interval_days.is_not(None),
        )
        .order_by(Protocol.id)
    )


def boosters_due(db: DbSession, *, today: dt.date) -> list[BoosterDue]:
    """Patients past their maintenance interval with nothing booked, most overdue first.

    The interval comes from the protocol of the patient's last completed session, or, after
    an induction or single session, from that therapy's maintenance protocol.
    """
    calendar = clinic_calendar(db)
    start_of_today = calendar.at(today, dt.time())
    booked_ahead = set(
        db.scalars(
            select(ClinicSession.patient_id).where(
                ClinicSession.status.in_(HOLDING),
                ClinicSession.status != SessionStatus.COMPLETED.value,
                ClinicSession.starts_at >= start_of_today,
            )
        )
    )
    completed = db.execute(
        select(ClinicSession, Series)
        .join(Series, ClinicSession.series_id == Series.id)
        .join(Patient, ClinicSession.patient_id == Patient.id)
        .where(
            ClinicSession.status == SessionStatus.COMPLETED.value,
            Patient.archived.is_(False),
        )
        .order_by(ClinicSession.patient_id, ClinicSession.starts_at.desc(), ClinicSession.id.desc())
    ).all()
    due: list[BoosterDue] = []
    seen: set[int] = set()
    for session, series in completed:
        if session.patient_id in seen:
            continue
        seen.add(session.patient_id)
        if session.patient_id in booked_ahead:
            continue
        protocol = _maintenance_protocol(db, series.protocol)
        if protocol is None or not protocol.maintenance_interval_days:
            continue
        last = calendar.local_day(session.starts_at)
        overdue = (today - last).days - protocol.maintenance_interval_days
        if overdue <= 0:
            continue
        patient = session.patient
        due.append(
            BoosterDue(
                patient_id=patient.id,
                patient_name=patient.display_name,
                chart_number=patient.chart_number,
                phone=patient.mobile_phone or patient.home_phone,
                last_session_on=last,
                last_therapy_name=session.therapy.name,
                protocol_id=protocol.id,
                protocol_name=protocol.name,
                interval_days=protocol.maintenance_interval_days,
                days_overdue=overdue,
            )
        )
    return sorted(due, key=lambda d: (-d.days_overdue, d.patient_name, d.patient_id))
