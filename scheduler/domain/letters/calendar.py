"""What a patient's phone calendar shows for a session: the words of one calendar event.

The schedule and prep letters come with a calendar file (``letters/calendar_file``); each
session in it is one event. The title says what the session is ("IV ketamine infusion 3 of
6") and never why the patient comes: a phone shows it on a locked screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scheduler.domain.enums import Place
from scheduler.domain.letters.facts import ClinicFacts, SessionFacts
from scheduler.domain.letters.timing import local
from scheduler.domain.when import clock_time


@dataclass(frozen=True)
class CalendarEvent:
    """One session as a calendar event; times are in the clinic's zone."""

    uid: str  # the same for every file that mentions the session, so a phone updates it
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str
    description: str
    sequence: int  # grows with every file written, so a later file replaces an earlier one
    cancelled: bool


def event_summary(session: SessionFacts) -> str:
    """The therapy and the place in the course, e.g. "IV ketamine infusion 3 of 6"."""
    name, noun = session.therapy.name, session.therapy.session_noun
    counted = session.label[len(noun) :]
    if name.lower().endswith(noun.lower()):
        return f"{name}{counted}"
    return f"{name} {session.label}"


def event_location(clinic: ClinicFacts, session: SessionFacts) -> str:
    """Where the patient goes: the clinic's name and address, or home, or a video call."""
    if session.place is Place.HOME:
        return "At home"
    if session.place is Place.VIDEO:
        return "Video call"
    return ", ".join((clinic.name, *clinic.address_lines))


def event_description(clinic: ClinicFacts, session: SessionFacts) -> str:
    """When to arrive (or be ready) and whom to call to change the appointment."""
    starts = local(session.starts_at, clinic.zone)
    if session.place is Place.VIDEO:
        first = f"The video call starts at {clock_time(starts)}."
    elif session.place is Place.HOME:
        first = f"The nurse arrives at {clock_time(starts)}."
    else:
        early = clinic.arrival_minutes_before
        arrival = starts - dt.timedelta(minutes=early)
        first = f"Please arrive at {clock_time(arrival)}, {early} minutes early."
    call = f" To change or cancel, call {clinic.name} at {clinic.phone}." if clinic.phone else ""
    return first + call


def calendar_event(
    clinic: ClinicFacts,
    session: SessionFacts,
    *,
    uid: str,
    sequence: int,
    cancelled: bool,
) -> CalendarEvent:
    """The event for one session, in the clinic's zone."""
    return CalendarEvent(
        uid=uid,
        starts_at=local(session.starts_at, clinic.zone),
        ends_at=local(session.ends_at, clinic.zone),
        summary=event_summary(session),
        location=event_location(clinic, session),
        description=event_description(clinic, session),
        sequence=sequence,
        cancelled=cancelled,
    )
