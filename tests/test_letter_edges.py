"""Letters for the sessions at the edges: video visits, no fasting, the after-hours number."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from scheduler.domain.enums import DrivingRule, Place
from scheduler.domain.letters import (
    TherapyFacts,
    aftercare_letter,
    prep_letter,
    schedule_letter,
)
from scheduler.domain.letters.timing import local
from tests.test_letter_content import CLINIC, IV, NY, PATIENT, TEMPLATES, TODAY, at, session

VISIT = TherapyFacts(
    "follow_up", "Follow-up / integration visit", "visit", None, None, DrivingRule.NONE, None,
    False, letter_wording="visit", aftercare_letter=False,
)  # fmt: skip
NAD = TherapyFacts(
    "nad", "NAD+ infusion", "infusion", None, None, DrivingRule.NONE, None, False,
    letter_wording="nad",
)  # fmt: skip


def test_a_video_visit_letter_says_how_to_join_and_not_where_to_come() -> None:
    visit = session(VISIT, at(2026, 11, 16, 10), number=None, count=None, place=Place.VIDEO)
    letter = prep_letter(CLINIC, PATIENT, visit, TEMPLATES, today=TODAY)
    assert "Your video call starts at 10:00 AM." in letter.text
    assert "Join with the link we send you." in letter.text
    assert "40 Water Street" not in letter.text.split("We look forward")[0].split("Dear")[1]
    assert letter.glance is not None
    assert ("Video call starts", "10:00 AM") in letter.glance.lines
    assert letter.fasting == ()


def test_a_therapy_without_fasting_gives_no_cut_off_times() -> None:
    letter = prep_letter(CLINIC, PATIENT, session(NAD, at(2026, 11, 16, 9)), TEMPLATES, today=TODAY)
    assert letter.fasting == ()
    assert "Eating and drinking" not in [s.heading for s in letter.sections]


def test_a_session_outside_a_counted_series_is_named_by_its_number() -> None:
    assert session(IV, at(2026, 11, 16, 9), number=3, count=None).label == "infusion 3"
    assert session(IV, at(2026, 11, 16, 9), number=1, count=1).label == "infusion"


def test_no_aftercare_sheet_after_a_video_call_or_for_a_therapy_without_one() -> None:
    video_iv = session(IV, at(2026, 11, 16, 9), place=Place.VIDEO)
    with pytest.raises(ValueError, match=r"^A infusion by video call has no aftercare letter$"):
        aftercare_letter(CLINIC, PATIENT, video_iv, [], TEMPLATES, today=TODAY)
    office = session(VISIT, at(2026, 11, 16, 9), place=Place.OFFICE)
    assert not office.has_aftercare
    assert office.no_aftercare_reason() == "Follow-up / integration visit has no aftercare letter"


def test_the_after_hours_number_is_printed_once_the_clinic_sets_it() -> None:
    night_line = dataclasses.replace(CLINIC, after_hours_phone="(413) 555-0911")
    letter = aftercare_letter(
        night_line, PATIENT, session(IV, at(2026, 11, 16, 9)), [], TEMPLATES, today=TODAY
    )
    assert "(413) 555-0911" in letter.text
    assert letter.notes == ()  # nothing for the worklist: the number is there
    assert letter.glance is not None
    assert ("(413) 555-0911") in [value for _, value in letter.glance.lines]
    without = aftercare_letter(
        CLINIC, PATIENT, session(IV, at(2026, 11, 16, 9)), [], TEMPLATES, today=TODAY
    )
    assert "after-hours phone number" in " ".join(without.notes)


def test_an_nad_aftercare_sheet_has_no_crisis_lines_and_needs_no_night_number() -> None:
    letter = aftercare_letter(
        CLINIC, PATIENT, session(NAD, at(2026, 11, 16, 9)), [], TEMPLATES, today=TODAY
    )
    assert "988" not in letter.text
    assert letter.notes == ()  # no after-hours number asked for where no crisis line is printed


def test_a_schedule_letter_reads_as_its_table_row_by_row() -> None:
    upcoming = [session(IV, at(2026, 11, 16 + 2 * i, 9), number=i + 1) for i in range(3)]
    letter = schedule_letter(CLINIC, PATIENT, upcoming, TEMPLATES, today=TODAY)
    assert letter.table is not None
    lines = letter.text.splitlines()
    assert " | ".join(letter.table.header) in lines
    for row in letter.table.rows:
        assert " | ".join(row) in lines


def test_an_instant_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="attach a time zone"):
        local(dt.datetime(2026, 11, 16, 9), NY)
