"""The pure rules' edges: who may act, names and places, a nurse's watch, spacing, plans."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from scheduler.domain.access import Actor, Permission, parse_roles, roles_value, set_up_actor
from scheduler.domain.availability import conflicts, start_times
from scheduler.domain.enums import Place, SessionStatus, StaffRole
from scheduler.domain.patients import PatientDetails, text_problems
from scheduler.domain.planning import (
    ProposedSession,
    RowWindow,
    SeriesProposal,
    SlotNeeds,
    find_near,
    maintenance_days,
    place_row,
    plan_maintenance,
    try_start,
    with_row_changed,
)
from scheduler.domain.spacing import (
    Spacing,
    gap_left_behind,
    neighbour_problems,
    resumed_problems,
)
from tests.test_planning import CAL, WED, local, occ


def test_a_new_clinic_is_built_by_an_actor_with_every_role_and_no_account() -> None:
    builder = set_up_actor("first start")
    assert builder.staff_id is None
    assert builder.is_clinician
    assert builder.roles_text == "Front desk, Nurse, Clinician, Administrator"


def test_roles_read_back_as_stored_and_unknown_ones_are_dropped() -> None:
    stored = roles_value({StaffRole.CLINICIAN, StaffRole.NURSE})
    assert stored == "nurse,clinician"
    assert parse_roles(stored) == {StaffRole.NURSE, StaffRole.CLINICIAN}
    assert parse_roles("nurse,janitor,") == {StaffRole.NURSE}
    front_desk = Actor(3, "tom", "Tom", parse_roles("front_desk"))
    assert not front_desk.is_clinician


def test_places_have_words_for_the_desk() -> None:
    labels = [place.label for place in Place]
    assert all(labels)
    assert len(set(labels)) == len(labels)  # no two places read alike


def test_unknown_chairs_and_nurses_are_still_named_and_none_is_blank() -> None:
    assert CAL.chair_name(9) == "chair 9"
    assert CAL.nurse_name(9) == "nurse 9"
    assert CAL.nurse_name(7) == "Maria"
    assert CAL.nurse_name(None) == CAL.chair_name(None) == ""


def test_a_nurses_next_patient_after_this_one_leaves_is_not_watched_at_once() -> None:
    one_at_a_time = replace(CAL, nurse_patient_limit=1)
    later = occ(local(WED, 11, 40), patient=2, chair=2, nurse=7)  # 10 minutes after the end
    assert conflicts(occ(local(WED, 10), nurse=7), one_at_a_time, [later]) == []
    overlapping = occ(local(WED, 11), patient=3, chair=3, nurse=7)
    assert conflicts(occ(local(WED, 10), nurse=7), one_at_a_time, [overlapping])


def test_start_times_without_a_preferred_time_run_from_opening() -> None:
    starts = start_times(CAL, WED, 90)
    assert starts[0] == local(WED, 8)
    assert starts == sorted(starts)
    assert starts[-1] == local(WED, 16, 30)  # ends at closing


def test_a_name_with_a_control_character_is_refused_but_notes_may_break_lines() -> None:
    details = PatientDetails("Ada\x07", "Berg", dt.date(1960, 2, 2), notes="line one\nline two")
    assert text_problems(details) == [
        ("first_name", "First name holds a control character; retype it.")
    ]
    assert text_problems(replace(details, first_name="Ada", city="Lake\nside"))[0][0] == "city"


def test_a_resumed_course_keeps_the_minimum_gap_from_its_last_kept_session() -> None:
    spacing = Spacing(2, 4, 21)
    kept = [dt.date(2026, 11, 16), dt.date(2026, 11, 18)]
    too_soon = resumed_problems(kept, [dt.date(2026, 11, 19), dt.date(2026, 11, 21)], spacing)
    assert too_soon == [
        "The course would resume 1 day after its session of Wed, Nov 18; "
        "the protocol needs at least 2 days."
    ]
    assert resumed_problems(kept, [dt.date(2026, 11, 20)], spacing) == []


def test_a_moved_session_may_not_stretch_the_course_past_its_span() -> None:
    days = [dt.date(2026, 11, 2) + dt.timedelta(days=3 * i) for i in range(6)]  # to Nov 17
    moved_to = dt.date(2026, 11, 20)
    assert neighbour_problems(days, moved_to, Spacing(1, 4, 14)) == [
        "The course would span 18 days; the protocol allows at most 14 days."
    ]
    assert neighbour_problems(days, moved_to, Spacing(1, 4, 21)) == []


def _needs(place: Place = Place.CHAIR, chairs: tuple[int, ...] = (1, 2)) -> SlotNeeds:
    return SlotNeeds(patient_id=1, minutes=90, buffer_minutes=15, place=place, chair_ids=chairs)


def test_a_clinic_without_the_place_says_so_instead_of_a_slot() -> None:
    found, reasons = try_start(_needs(Place.ROOM, ()), CAL, [], local(WED, 10), now=None)
    assert found is None
    assert reasons == ["The clinic has no room to book."]


def test_a_search_near_today_skips_the_days_already_gone() -> None:
    now = local(WED, 12)
    found = find_near(
        _needs(), CAL, [], days=[WED - dt.timedelta(days=1), WED + dt.timedelta(days=1)],
        preferred_time=dt.time(10), now=now,
    )  # fmt: skip
    assert found is not None
    assert found.starts_at == local(WED + dt.timedelta(days=1), 10)


def test_a_maintenance_plan_needs_an_interval_and_an_end() -> None:
    first = dt.date(2026, 11, 16)
    with pytest.raises(ValueError, match="every_weeks must be at least 1"):
        maintenance_days(first, 0, count=3, until=None)
    with pytest.raises(ValueError, match="needs a count or an end date"):
        maintenance_days(first, 4, count=None, until=None)


def _proposal() -> SeriesProposal:
    start = local(WED, 10)
    row = ProposedSession(1, start, start + dt.timedelta(minutes=90), 1, "Chair 1", None, False, "")
    empty = ProposedSession(2, None, None, None, "", None, False, "No day fits the spacing.")
    return SeriesProposal(1, 1, 1, Place.CHAIR, [row, empty], 90, {1: "Chair 1", 2: "Chair 2"})


def test_a_proposal_is_complete_once_the_desk_gives_every_row_a_slot() -> None:
    proposal = _proposal()
    assert not proposal.complete
    later = local(WED + dt.timedelta(days=2), 9)
    changed = with_row_changed(proposal, 2, later, 2)
    assert changed.complete
    row = changed.rows[1]
    assert (row.starts_at, row.chair_name, row.reason) == (later, "Chair 2", "Changed by the desk.")
    assert row.ends_at == later + dt.timedelta(minutes=90)


def test_a_row_change_needs_a_real_row_and_an_instant() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        with_row_changed(_proposal(), 1, dt.datetime(2026, 11, 20, 9), None)
    with pytest.raises(ValueError, match="no session 5"):
        with_row_changed(_proposal(), 5, local(WED, 9), None)


def test_only_a_clinician_may_clear_screening() -> None:
    front_desk = Actor(3, "tom", "Tom", frozenset({StaffRole.FRONT_DESK}))
    clinician = Actor(4, "helen", "Helen", frozenset({StaffRole.CLINICIAN}))
    assert front_desk.may(Permission.BOOK)
    assert not front_desk.may(Permission.CLEAR_SCREENING)
    assert clinician.may(Permission.CLEAR_SCREENING)


def test_every_session_status_has_its_own_words() -> None:
    labels = [status.label for status in SessionStatus]
    assert all(labels)
    assert len(set(labels)) == len(labels)


def test_one_chair_closed_says_only_why() -> None:
    sunday = local(dt.date(2026, 11, 22), 10)
    found, reasons = try_start(_needs(chairs=(1,)), CAL, [], sunday, now=None)
    assert found is None
    assert reasons == ["The clinic is not open on Sundays."]


def test_a_row_whose_spacing_leaves_no_day_says_so() -> None:
    window = RowWindow(target=WED, lo=WED + dt.timedelta(days=1), hi=WED)
    row, taken = place_row(
        3, _needs(), CAL, [], window, preferred_time=dt.time(10), weekdays=(), now=None
    )
    assert taken is None
    assert not row.has_slot
    assert row.reason.startswith("No day fits the protocol's spacing")
    assert "Thu, Nov 19, 2026" in row.reason


def test_maintenance_visits_keep_their_gap_and_stop_at_the_last_day() -> None:
    mondays = [dt.date(2026, 11, 16) + dt.timedelta(weeks=2 * i) for i in range(3)]
    rows = plan_maintenance(
        _needs(), CAL, [], days=mondays, preferred_time=dt.time(10), spacing=Spacing(7, None, None),
        now=None, last_day=dt.date(2026, 12, 10),
    )  # fmt: skip
    assert [row.number for row in rows] == [1, 2, 3]
    assert rows[0].starts_at == local(mondays[0], 10)
    days = [CAL.local_day(row.starts_at) for row in rows if row.starts_at is not None]
    assert days[-1] <= dt.date(2026, 12, 10)  # the third visit moves earlier, not past it
    assert all((b - a).days >= 7 for a, b in itertools.pairwise(days))


def test_moving_a_session_past_its_neighbour_may_leave_too_wide_a_gap() -> None:
    days = [dt.date(2026, 11, 16), dt.date(2026, 11, 18), dt.date(2026, 11, 20)]
    spacing = Spacing(1, 3, None)
    assert gap_left_behind(days, days[1], dt.date(2026, 11, 23), spacing) == [
        "Moving it would leave 4 days between the sessions of Mon, Nov 16 and Fri, Nov 20; "
        "the protocol allows at most 3 days."
    ]
    assert gap_left_behind(days, days[1], dt.date(2026, 11, 19), spacing) == []
    assert gap_left_behind(days, days[0], dt.date(2026, 11, 23), spacing) == []
