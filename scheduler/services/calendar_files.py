"""The calendar files (.ics) that go with the schedule and prep letters.

A session's event has one ``UID`` for its whole life: its id and the instant it was booked
(ids start again in a new clinic database; the booking instant keeps two clinics' events
apart). ``SEQUENCE`` is the minutes from a fixed start (2020) to the writing of the file, so
every later file outranks every earlier one: a phone takes a moved time or a cancellation
from it, whatever happened to the session in between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.domain.enums import UPCOMING, SessionStatus
from scheduler.domain.letters import ClinicFacts
from scheduler.domain.letters.calendar import CalendarEvent, calendar_event
from scheduler.letters.calendar_file import calendar_file
from scheduler.services.access import require
from scheduler.services.clinic import get_settings
from scheduler.services.letter_facts import clinic_facts, session_facts
from scheduler.store.models import TreatmentSession


def session_uid(session: TreatmentSession) -> str:
    """The session's event id in every calendar file, stable across moves and cancellation."""
    booked = session.created_at.astimezone(dt.UTC)
    return f"session-{session.id}-{booked:%Y%m%dT%H%M%SZ}@infusion-desk"


_SEQUENCE_START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def _sequence(now: dt.datetime) -> int:
    return max(0, int((now - _SEQUENCE_START).total_seconds() // 60))


def event_of(clinic: ClinicFacts, session: TreatmentSession, now: dt.datetime) -> CalendarEvent:
    """One session's calendar event as of ``now``."""
    return calendar_event(
        clinic,
        session_facts(session),
        uid=session_uid(session),
        sequence=_sequence(now),
        cancelled=session.status is SessionStatus.CANCELLED,
    )


def patient_calendar(
    db: Session, clinic: ClinicFacts, patient_id: int, *, now: dt.datetime
) -> bytes | None:
    """A patient's sessions from ``now`` on, and the cancelled ones among them; None if none."""
    sessions = db.scalars(
        select(TreatmentSession)
        .where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.starts_at >= now,
            # The cancelled ones are written too, so a phone removes them.
            TreatmentSession.status.in_((*UPCOMING, SessionStatus.CANCELLED)),
        )
        .order_by(TreatmentSession.starts_at, TreatmentSession.id)
    )
    return sessions_calendar(clinic, list(sessions), now=now)


def sessions_calendar(
    clinic: ClinicFacts, sessions: Sequence[TreatmentSession], *, now: dt.datetime
) -> bytes | None:
    """These sessions as one calendar file; None when there are none."""
    if not sessions:
        return None
    return calendar_file([event_of(clinic, s, now) for s in sessions], written_at=now)


def calendar_for_desk(
    db: Session, patient_id: int, *, actor: Actor, now: dt.datetime
) -> bytes | None:
    """The patient's calendar file as the desk saves it beside the schedule letter."""
    require(actor, Permission.PRINT)
    clinic, _notes = clinic_facts(get_settings(db))
    return patient_calendar(db, clinic, patient_id, now=now)
