"""Why a planned session could not have the slot asked for, in a phrase that fits a table cell.

The full sentences (``availability.problems``) stay for the tooltip; the proposal table shows
"Chair busy at 10:00 AM" or "Closed Thursday (Thanksgiving)", read at a glance on every row.
"""

from __future__ import annotations

import datetime as dt

from scheduler.domain.availability import ClinicCalendar
from scheduler.domain.occupancy import Occupancy, Occupation
from scheduler.domain.when import clock_time, weekday


def closed_phrase(calendar: ClinicCalendar, day: dt.date) -> str:
    """ "Closed Thursday (Thanksgiving)" or "Closed Sundays"; "" when the clinic is open."""
    if day in calendar.closures:
        reason = calendar.closures[day]
        return f"Closed {weekday(day)}" + (f" ({reason})" if reason else "")
    if day.weekday() not in calendar.hours:
        return f"Closed {weekday(day)}s"
    return ""


def short_why(
    wanted: Occupation,
    calendar: ClinicCalendar,
    booked: Occupancy,
    *,
    now: dt.datetime | None,
    chairs: int,
) -> str:
    """The first reason the session ``wanted`` (on one of ``chairs`` chairs) does not fit."""
    start, end = calendar.local(wanted.starts_at), calendar.local(wanted.ends_at)
    at = clock_time(start)
    if now is not None and wanted.starts_at < now:
        return "Already past"
    closed = closed_phrase(calendar, start.date())
    if closed:
        return closed
    opens, closes = calendar.hours[start.date().weekday()]
    if start.time() < opens:
        return f"Before opening ({clock_time(opens)})"
    if end.date() > start.date() or end.time() > closes:
        return f"Past closing ({clock_time(closes)})"
    if booked.patient_clashes(wanted):
        return f"Patient busy at {at}"
    if wanted.chair_id is not None and booked.chair_clashes(wanted):
        return f"Chair busy at {at}" if chairs == 1 else f"All chairs busy at {at}"
    return f"Nurse busy at {at}"


def spacing_phrase(previous: int | None) -> str:
    """Why a day breaks the course's spacing, as short as the other phrases.

    Too soon or too late (a maintenance visit every four weeks under a three-week maximum
    gap) alike: the sentence in the tooltip says which.
    """
    return f"Spacing from session {previous}" if previous else "Outside the protocol's spacing"
