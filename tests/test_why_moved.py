"""The short phrases a proposal row gives for a move, each cause with its own phrase."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.domain.availability import ClinicCalendar
from scheduler.domain.enums import Place
from scheduler.domain.occupancy import Occupancy, Occupation
from scheduler.domain.planning import SlotNeeds, plan_maintenance, plan_series
from scheduler.domain.spacing import Spacing
from scheduler.domain.why_moved import closed_phrase, short_why, spacing_phrase
from tests.test_planning import CAL, WED, local, occ

THANKSGIVING = dt.date(2026, 11, 26)
NOW = local(WED, 9)


def why(wanted: Occupation, booked: list[Occupation], chairs: int = 1) -> str:
    return short_why(wanted, CAL, Occupancy(booked), now=NOW, chairs=chairs)


@pytest.mark.parametrize(
    ("wanted", "booked", "chairs", "phrase"),
    [
        (occ(local(WED, 8)), [], 1, "Already past"),
        (occ(local(THANKSGIVING, 10)), [], 1, "Closed Thursday (Thanksgiving)"),
        (occ(local(dt.date(2026, 11, 22), 10)), [], 1, "Closed Sundays"),
        (occ(local(dt.date(2026, 11, 21), 8)), [], 1, "Before opening (9:00 AM)"),
        (occ(local(WED, 17)), [], 1, "Past closing (6:00 PM)"),
        (occ(local(WED, 23), minutes=120), [], 1, "Past closing (6:00 PM)"),
        (occ(local(WED, 10)), [occ(local(WED, 10), chair=2)], 1, "Patient busy at 10:00 AM"),
        (occ(local(WED, 10)), [occ(local(WED, 10), patient=2)], 1, "Chair busy at 10:00 AM"),
        (occ(local(WED, 10)), [occ(local(WED, 10), patient=2)], 2, "All chairs busy at 10:00 AM"),
        (occ(local(WED, 10), chair=None, nurse=7), [], 1, "Nurse busy at 10:00 AM"),
    ],
)
def test_each_cause_has_its_phrase(
    wanted: Occupation, booked: list[Occupation], chairs: int, phrase: str
) -> None:
    assert why(wanted, booked, chairs) == phrase


def test_a_closure_without_a_reason_and_an_open_day() -> None:
    plain = ClinicCalendar(CAL.timezone, CAL.hours, closures={THANKSGIVING: ""})
    assert closed_phrase(plain, THANKSGIVING) == "Closed Thursday"
    assert closed_phrase(plain, WED) == ""


def test_spacing_phrases() -> None:
    assert spacing_phrase(2) == "Spacing from session 2"
    assert spacing_phrase(None) == "Outside the protocol's spacing"


NEEDS = SlotNeeds(patient_id=1, minutes=90, buffer_minutes=15, place=Place.CHAIR, chair_ids=[1])
SPACING = Spacing(min_gap_days=1, max_gap_days=7, max_span_days=None)


def test_a_moved_row_shows_the_phrase_and_keeps_the_sentence() -> None:
    taken = [occ(local(WED, 10), patient=2)]
    rows = plan_series(
        NEEDS, CAL, taken, count=1, first_day=WED, preferred_time=dt.time(10),
        weekdays=[2], spacing=SPACING, now=NOW,
    )  # fmt: skip
    row = rows[0]
    assert row.moved
    assert row.why == row.short_reason == "Chair busy at 10:00 AM"
    assert row.reason.startswith("Moved to ")
    assert "10:00 AM" in row.reason


def test_a_row_as_asked_says_nothing_and_a_row_without_a_slot_keeps_its_sentence() -> None:
    free = plan_series(
        NEEDS, CAL, [], count=1, first_day=WED, preferred_time=dt.time(10),
        weekdays=[2], spacing=SPACING, now=NOW,
    )  # fmt: skip
    assert (free[0].moved, free[0].why) == (False, "")
    none = plan_series(
        SlotNeeds(1, 90, 15, Place.CHAIR, chair_ids=[]), CAL, [], count=1, first_day=WED,
        preferred_time=dt.time(10), weekdays=[2], spacing=SPACING, now=NOW,
    )  # fmt: skip
    assert none[0].starts_at is None
    assert none[0].why == none[0].reason


def test_a_visit_moved_by_the_spacing_says_so() -> None:
    """Twenty-three days on, under a three-week maximum gap: the second visit comes earlier."""
    rows = plan_maintenance(
        NEEDS, CAL, [], days=[WED, WED + dt.timedelta(days=23)], preferred_time=dt.time(10),
        spacing=Spacing(min_gap_days=7, max_gap_days=21, max_span_days=None), now=NOW,
    )  # fmt: skip
    assert rows[1].moved
    assert rows[1].why == "Spacing from session 1"
    assert "21" in rows[1].reason
