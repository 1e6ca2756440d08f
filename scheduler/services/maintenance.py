"""Maintenance: visits every few weeks after an induction (who is due: ``boosters``).

A plan is proposed here and booked with ``booking.book_series`` like any course; a single
booster is ``booking.book_single`` with a maintenance protocol.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from scheduler.domain.enums import Phase, Place
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
from scheduler.services.schedule import clinic_calendar

# A plan by end date alone still stops somewhere.
MAX_PLANNED_VISITS = 26


def plan_maintenance(
    db: Session,
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
