"""What the series dialog starts from: a first day the clinic is open, a time the course fits.

Both only read. The time is found by proposing the course at each of the first day's slot
times, earliest first, and stops at the first one where no session moves; with none such, the
time that moves the fewest sessions (the earliest of equals) is the one offered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from scheduler.domain.availability import ClinicCalendar, start_times
from scheduler.domain.planning import first_free, plan_series
from scheduler.services.booking import course_parts, place_for, slot_needs
from scheduler.services.books import books
from scheduler.services.schedule import clinic_calendar

# How far ahead the first open day is looked for (closures over the holidays included).
OPEN_DAY_SEARCH_DAYS = 60


def first_open_day(calendar: ClinicCalendar, after: dt.date, weekdays: Sequence[int]) -> dt.date:
    """The first day after ``after`` the clinic is open on, on one of ``weekdays`` when any."""
    fallback = None
    for offset in range(1, OPEN_DAY_SEARCH_DAYS + 1):
        day = after + dt.timedelta(days=offset)
        if calendar.hours_on(day) is None:
            continue
        if not weekdays or day.weekday() in weekdays:
            return day
        fallback = fallback or day
    return fallback or after + dt.timedelta(days=1)


def next_open_day(db: Session, *, protocol_id: int, patient_id: int, today: dt.date) -> dt.date:
    """The series' default first day: the next open day on one of the protocol's weekdays."""
    parts = course_parts(db, patient_id, protocol_id)
    return first_open_day(clinic_calendar(db), today, parts.protocol.weekday_list)


def best_start_time(
    db: Session,
    patient_id: int,
    protocol_id: int,
    count: int,
    first_day: dt.date,
    *,
    weekdays: Sequence[int] | None = None,
    chair_id: int | None = None,
    now: dt.datetime,
) -> dt.time | None:
    """The earliest time of ``first_day`` at which the whole course fits without a move.

    Else the time moving the fewest sessions; None when the clinic is closed that day.
    """
    parts = course_parts(db, patient_id, protocol_id)
    place = place_for(parts.therapy, None)
    needs = slot_needs(db, parts, place, chair_id=chair_id)
    calendar = clinic_calendar(db)
    days = list(weekdays) if weekdays is not None else parts.protocol.weekday_list
    # A time at which the first session itself is taken moves at least that one: only the
    # times where it fits are planned whole (all of them when it fits at none).
    starts = start_times(calendar, first_day, needs.minutes)
    on_the_day = books(db)
    fitting = [t for t in starts if first_free(needs, calendar, on_the_day, t, now=now) is not None]
    best: tuple[int, dt.time] | None = None
    for start in fitting or starts:
        wall = calendar.local(start).time()
        rows = plan_series(
            needs, calendar, books(db), count=count, first_day=first_day,
            preferred_time=wall, weekdays=days, spacing=parts.spacing, now=now,
        )  # fmt: skip
        moves = sum(1 for row in rows if row.moved)
        if moves == 0:
            return wall
        if best is None or moves < best[0]:
            best = (moves, wall)
    return None if best is None else best[1]
