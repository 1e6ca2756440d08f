"""Calendar files (.ics, RFC 5545) that put a patient's sessions into their phone's calendar.

Each event carries its time in the clinic's zone (``TZID``) with the zone's rules written
out (``VTIMEZONE``), so a phone in another zone, or across a daylight-saving change, still
shows the session at the clinic's wall-clock time. A cancelled session keeps its ``UID`` and
is written with ``STATUS:CANCELLED`` and a higher ``SEQUENCE``, which makes a phone remove it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from icalendar import Calendar, Event

from scheduler import APP_NAME, __version__
from scheduler.domain.letters.calendar import CalendarEvent

CONTENT_TYPE = "text/calendar"


def calendar_file(events: Sequence[CalendarEvent], *, written_at: dt.datetime) -> bytes:
    """The events as one .ics file (bytes, CRLF line endings as the standard wants)."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{APP_NAME}//{__version__}//EN")
    calendar.add("version", "2.0")
    # PUBLISH: a file to import, not an invitation to answer.
    calendar.add("method", "PUBLISH")
    stamp = written_at.astimezone(dt.UTC)
    for entry in events:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.starts_at)
        event.add("dtend", entry.ends_at)
        event.add("summary", entry.summary)
        event.add("location", entry.location)
        event.add("description", entry.description)
        event.add("sequence", entry.sequence)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    written: bytes = calendar.to_ical()
    return written
