"""One rule check for every path that puts a session of a course on a day.

A move (reschedule), a make-up and the free-slot finder in the session and make-up dialogs
all ask ``day_problems`` the same question, so a slot the finder offers is a slot that books.
Proposals, reflows and maintenance plans place their rows inside the same spacing windows
(``domain.planning``), and every booking is checked again by ``booking.check_rows``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from scheduler.domain.enums import SessionStatus
from scheduler.domain.spacing import gap_left_behind, neighbour_problems
from scheduler.domain.when import short_day
from scheduler.services import schedule
from scheduler.services.booking import spacing_of
from scheduler.services.rows import get_or_refuse
from scheduler.store.models import Series, TreatmentSession

MISSED = (SessionStatus.CANCELLED, SessionStatus.NO_SHOW)


def holding(series: Series) -> list[TreatmentSession]:
    """The course's sessions that still hold a slot, in time order."""
    return sorted(
        (s for s in series.sessions if s.status.holds_slot),
        key=lambda s: (s.starts_at, s.id),
    )


def day_problems(db: Session, session: TreatmentSession, day: dt.date) -> list[str]:
    """Why ``session`` may not go on ``day`` as far as its course is concerned (empty: it may).

    A missed (cancelled, no-show) session is being made up: the make-up comes after the
    course's last session and keeps the gaps. Any other session is being moved: its gaps to
    the sessions either side, and the gap its old day leaves behind, must keep the protocol.
    """
    series = session.series
    if series is None:
        return []
    spacing = spacing_of(series.protocol)
    calendar = schedule.clinic_calendar(db)
    if session.status in MISSED:
        days = [calendar.local_day(s.starts_at) for s in holding(series)]
        found = []
        if days and day <= max(days):
            found.append(
                f"A make-up goes after the course's last session ({short_day(max(days))}); "
                "choose a later day, or move the rest of the course instead."
            )
        return found + neighbour_problems(days, day, spacing)
    others = [calendar.local_day(s.starts_at) for s in holding(series) if s.id != session.id]
    old_day = calendar.local_day(session.starts_at)
    return neighbour_problems(others, day, spacing) + gap_left_behind(others, old_day, day, spacing)


def free_slots(
    db: Session, session_id: int, *, near: dt.datetime, count: int, now: dt.datetime
) -> list[schedule.Slot]:
    """The next free slots for moving or making up a session, each one its course allows."""
    session = get_or_refuse(db, TreatmentSession, session_id, f"No session with id {session_id}.")
    verdicts: dict[dt.date, bool] = {}

    def allowed(day: dt.date) -> bool:
        if day not in verdicts:
            verdicts[day] = not day_problems(db, session, day)
        return verdicts[day]

    return schedule.next_free_slots(
        db, therapy_id=session.therapy_id, near=near, count=count,
        patient_id=session.patient_id, place=session.place, now=now,
        day_allowed=allowed,
    )  # fmt: skip
