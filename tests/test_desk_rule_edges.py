"""Edges of the rules the desk and the day sheet rest on: what staff type, and odd days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from scheduler.domain.availability import ClinicCalendar
from scheduler.domain.day_sheet import (
    NO_CHAIR,
    VIDEO_CALLS,
    Finding,
    SheetVisit,
    build_day_sheet,
    cautions_of,
)
from scheduler.domain.enums import FindingSeverity, FindingStatus, Phase, Place
from scheduler.domain.escort import (
    NAME_MAX,
    PHONE_MAX,
    REASON_MAX,
    Escort,
    escort_problem,
    reason_problem,
)
from scheduler.domain.spacing import Spacing, gap_left_behind

NY = ZoneInfo("America/New_York")
MONDAY = dt.date(2026, 11, 23)


def test_a_driver_s_name_and_phone_are_checked_as_typed() -> None:
    assert escort_problem(Escort("Sam Lee", "(617) 555-0101")) == ""
    assert escort_problem(Escort("")) == "Say who is taking the patient home (a name)."
    too_long = f"The driver's name must be plain text of at most {NAME_MAX} characters."
    assert escort_problem(Escort("S" * (NAME_MAX + 1))) == too_long
    assert escort_problem(Escort("Sam\x07Lee")) == too_long
    assert escort_problem(Escort("Sam Lee", "5" * (PHONE_MAX + 1))) == (
        f"The driver's phone must be at most {PHONE_MAX} characters."
    )


def test_a_nurse_s_reason_for_no_driver_must_be_given_and_short() -> None:
    assert reason_problem("Stays for the ride service") == ""
    assert reason_problem("") == "Say why the patient goes home without a driver or escort."
    assert reason_problem("x" * (REASON_MAX + 1)) == (
        f"The reason must be at most {REASON_MAX} characters."
    )


def test_a_finding_of_a_kind_the_desk_no_longer_lists_prints_and_a_cleared_one_does_not() -> None:
    finding = Finding("old_kind", FindingSeverity.CAUTION, FindingStatus.OPEN, "from 2019")
    cleared = Finding("heart_disease", FindingSeverity.BLOCKING, FindingStatus.CLEARED)
    (caution,) = cautions_of([finding, cleared], "iv_ketamine")
    assert caution.text == "old_kind: from 2019"


def _visit(session_id: int, place: Place, chair_id: int | None, hour: int) -> SheetVisit:
    starts = dt.datetime(2026, 11, 23, hour, tzinfo=NY)
    return SheetVisit(
        session_id=session_id, starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
        patient_name=f"Patient {session_id}", chart_number=f"C-{session_id}",
        therapy_name="Follow-up / integration visit", therapy_code="follow_up",
        needs_driver=False, place=place, chair_id=chair_id,
        chair_name="Chair 1" if chair_id else "", chair_order=(1, "Chair 1"), nurse_name="",
        number=None, planned_count=None, phase=Phase.SINGLE, driver_name="", driver_phone="",
        escort_name="", escort_phone="", no_escort_reason="", address="", findings=(),
        prep_printed=False, aftercare_printed=False, has_aftercare=False,
    )  # fmt: skip


def test_video_calls_and_sessions_with_no_chair_get_their_own_sections_after_the_chairs() -> None:
    sheet = build_day_sheet(
        clinic_name="Harbor Clinic",
        day=MONDAY,
        zone=NY,
        visits=[
            _visit(1, Place.CHAIR, None, 9),
            _visit(2, Place.VIDEO, None, 10),
            _visit(3, Place.CHAIR, 7, 11),
        ],
        closed_reason=None,
        open_that_day=True,
        now=dt.datetime(2026, 11, 22, 17, tzinfo=NY),
    )
    assert [s.heading for s in sheet.chairs] == ["Chair 1", VIDEO_CALLS, NO_CHAIR]


def test_the_clinic_clock_names_a_time_in_its_own_zone() -> None:
    calendar = ClinicCalendar(timezone="America/New_York", hours={})
    assert calendar.time_text(dt.datetime(2026, 11, 23, 15, 30, tzinfo=dt.UTC)) == "10:30 AM"


def test_a_move_that_stays_between_its_neighbours_or_has_none_leaves_no_gap() -> None:
    days = [dt.date(2026, 11, 16), dt.date(2026, 11, 18), dt.date(2026, 11, 20)]
    spacing = Spacing(min_gap_days=1, max_gap_days=3)
    # The first session has no neighbour before it.
    assert gap_left_behind(days, days[0], dt.date(2026, 11, 17), spacing) == []
    # Staying between sessions 1 and 3 breaks nothing that was not already there.
    assert gap_left_behind(days, days[1], dt.date(2026, 11, 19), spacing) == []
    # Sessions 1 and 3 are four days apart; only moving past session 3 makes that the gap.
    assert gap_left_behind(days, days[1], dt.date(2026, 11, 21), spacing) != []
