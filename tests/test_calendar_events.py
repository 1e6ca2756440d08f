"""The words of a session's calendar event: title, place and arrival, and nothing private."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from scheduler.domain.enums import Place
from scheduler.domain.letters import SessionFacts
from scheduler.domain.letters.calendar import calendar_event, event_summary
from tests.test_letter_content import CLINIC, IV

SPRAVATO = replace(IV, code="esketamine", name="Esketamine (Spravato)", session_noun="session")
# 9:00 AM in New York on the day after daylight-saving time ended.
STARTS = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.UTC)
SESSION = SessionFacts(STARTS, STARTS + dt.timedelta(minutes=90), Place.CHAIR, IV, 3, 6)


@pytest.mark.parametrize(
    ("session", "summary"),
    [
        (SESSION, "IV ketamine infusion 3 of 6"),
        (replace(SESSION, number=None), "IV ketamine infusion"),
        (replace(SESSION, therapy=SPRAVATO), "Esketamine (Spravato) session 3 of 6"),
    ],
)
def test_the_title_names_the_therapy_and_the_place_in_the_course(
    session: SessionFacts, summary: str
) -> None:
    assert event_summary(session) == summary


def test_a_clinic_session_is_at_the_clinic_with_its_arrival_time_in_local_time() -> None:
    event = calendar_event(CLINIC, SESSION, uid="u", sequence=4, cancelled=False)
    assert event.starts_at == dt.datetime(2026, 11, 2, 9, 0, tzinfo=CLINIC.zone)
    assert event.starts_at.utcoffset() == dt.timedelta(hours=-5)
    assert event.location == "Harbor Ketamine Clinic, 40 Water Street, Springfield, MA 01103"
    assert event.description == (
        "Please arrive at 8:45 AM, 15 minutes early. "
        "To change or cancel, call Harbor Ketamine Clinic at (413) 555-0100."
    )
    assert (event.uid, event.sequence, event.cancelled) == ("u", 4, False)


@pytest.mark.parametrize(
    ("place", "location", "first"),
    [
        (Place.HOME, "At home", "The nurse arrives at 9:00 AM."),
        (Place.VIDEO, "Video call", "The video call starts at 9:00 AM."),
    ],
)
def test_home_visits_and_video_calls_say_so_and_a_clinic_without_a_phone_adds_no_call_line(
    place: Place, location: str, first: str
) -> None:
    clinic = replace(CLINIC, phone="")
    event = calendar_event(clinic, replace(SESSION, place=place), uid="u", sequence=0,
                           cancelled=True)  # fmt: skip
    assert (event.location, event.description, event.cancelled) == (location, first, True)
