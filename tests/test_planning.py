"""The pure planning rules: hours, closures, chairs, patients, nurses, spacing, wall-clock days."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.domain.availability import (
    ClinicCalendar,
    conflicts,
    problems,
    start_times,
)
from scheduler.domain.enums import Phase, Place
from scheduler.domain.occupancy import Occupation
from scheduler.domain.planning import (
    SlotNeeds,
    count_problem,
    maintenance_days,
    plan_series,
)
from scheduler.domain.spacing import Spacing, spacing_problems

NY = "America/New_York"
WEEKDAYS = {d: (dt.time(8), dt.time(18)) for d in range(5)}
CAL = ClinicCalendar(
    timezone=NY,
    hours={**WEEKDAYS, 5: (dt.time(9), dt.time(13))},
    closures={dt.date(2026, 11, 26): "Thanksgiving"},
    nurse_patient_limit=2,
    travel_minutes=30,
    chair_names={1: "Chair 1", 2: "Chair 2"},
    nurse_names={7: "Maria"},
)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return CAL.at(day, dt.time(hour, minute))


WED = dt.date(2026, 11, 18)


def occ(
    start: dt.datetime,
    minutes: int = 90,
    *,
    patient: int = 1,
    chair: int | None = 1,
    nurse: int | None = None,
    home: bool = False,
    buffer: int = 15,
) -> Occupation:
    return Occupation(
        patient_id=patient,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        buffer_minutes=buffer,
        chair_id=chair,
        nurse_id=nurse,
        home=home,
    )


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (local(WED, 10), 90, ""),
        (local(WED, 8), 90, ""),
        (local(WED, 16, 30), 90, ""),  # ends exactly at closing
        (local(WED, 7, 45), 90, "before opening time (8:00 AM)"),
        (local(WED, 16, 45), 90, "after closing time (6:00 PM)"),
        (local(dt.date(2026, 11, 21), 11, 45), 90, "after closing time (1:00 PM)"),  # Saturday
        (local(dt.date(2026, 11, 22), 10), 90, "not open on Sundays"),
        (local(dt.date(2026, 11, 26), 10), 90, "closed on Thu, Nov 26, 2026 (Thanksgiving)"),
    ],
)
def test_hours_and_closures(start: dt.datetime, minutes: int, expected: str) -> None:
    found = problems(occ(start, minutes), CAL, [])
    if expected:
        assert any(expected in p for p in found), found
    else:
        assert found == []


@pytest.mark.parametrize(
    ("other", "wanted", "expected"),
    [
        # Chair: the 15-minute turnover after 10:00-11:30 keeps chair 1 until 11:45.
        (occ(local(WED, 10), patient=2), occ(local(WED, 11, 30)), "Chair 1 is taken"),
        (occ(local(WED, 10), patient=2), occ(local(WED, 11, 45)), ""),
        (occ(local(WED, 10), patient=2), occ(local(WED, 8, 30)), "Chair 1 is taken"),  # my buffer
        (occ(local(WED, 10), patient=2), occ(local(WED, 8, 15)), ""),
        (occ(local(WED, 10), patient=2), occ(local(WED, 10), chair=2), ""),
        # Patient: never in two sessions at once, whatever the chair.
        (occ(local(WED, 10)), occ(local(WED, 11), chair=2), "already has a session"),
        (occ(local(WED, 10)), occ(local(WED, 11, 30), chair=2), ""),
        # Home visit: the nurse travels 30 minutes each way.
        (
            occ(local(WED, 10), patient=2, chair=None, nurse=7, home=True, buffer=0),
            occ(local(WED, 12), chair=None, nurse=7, home=True, buffer=0),
            "Maria is away",
        ),
        (
            occ(local(WED, 10), patient=2, chair=None, nurse=7, home=True, buffer=0),
            occ(local(WED, 12, 30), chair=None, nurse=7, home=True, buffer=0),
            "",
        ),
        (
            occ(local(WED, 10), patient=2, chair=None, nurse=7, home=True, buffer=0),
            occ(local(WED, 11, 45), chair=2, nurse=7),
            "Maria is away",
        ),
    ],
)
def test_conflicts(other: Occupation, wanted: Occupation, expected: str) -> None:
    found = conflicts(wanted, CAL, [other])
    if expected:
        assert any(expected in p for p in found), found
    else:
        assert found == []


@pytest.mark.parametrize(("already", "allowed"), [(0, True), (1, True), (2, False)])
def test_nurse_patient_limit(already: int, allowed: bool) -> None:
    booked = [occ(local(WED, 10), patient=10 + i, chair=10 + i, nurse=7) for i in range(already)]
    found = conflicts(occ(local(WED, 10, 30), chair=1, nurse=7), CAL, booked)
    assert (found == []) is allowed
    if not allowed:
        assert "would be watching 3 patients" in found[0]


def test_nurse_limit_zero_means_no_limit() -> None:
    calendar = ClinicCalendar(timezone=NY, hours=WEEKDAYS, nurse_patient_limit=0)
    booked = [occ(local(WED, 10), patient=10 + i, chair=10 + i, nurse=7) for i in range(9)]
    assert conflicts(occ(local(WED, 10), chair=1, nurse=7), calendar, booked) == []


def test_start_in_the_past_is_refused() -> None:
    found = problems(occ(local(WED, 10)), CAL, [], now=local(WED, 10))
    assert found == ["Wed, Nov 18, 2026, 10:00 AM is in the past."]


def test_start_times_nearest_to_preferred_and_end_by_closing() -> None:
    starts = start_times(CAL, WED, 90, dt.time(10, 5))
    assert starts[0] == local(WED, 10, 5)  # the wished time itself, though off the grid
    assert starts[1:3] == [local(WED, 10), local(WED, 10, 15)]
    assert max(starts) == local(WED, 16, 30)
    assert min(starts) == local(WED, 8)
    assert start_times(CAL, dt.date(2026, 11, 26), 90) == []  # closure


@pytest.mark.parametrize(
    ("phase", "count", "refused"),
    [
        (Phase.INDUCTION, 5, True),
        (Phase.INDUCTION, 6, False),
        (Phase.INDUCTION, 8, False),
        (Phase.INDUCTION, 9, True),
        (Phase.SINGLE, 1, False),
        (Phase.SINGLE, 2, True),
        (Phase.MAINTENANCE, 12, False),
        (Phase.MAINTENANCE, 0, True),
    ],
)
def test_count_rules(phase: Phase, count: int, refused: bool) -> None:
    assert (count_problem(phase, count) is not None) is refused


D = dt.date(2026, 11, 2)


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ((0, 2, 4, 7, 9, 11), []),
        ((0, 0, 2), ["Sessions 1 and 2 are 0 days apart; the protocol needs at least 1 day."]),
        ((0, 5, 7), ["Sessions 1 and 2 are 5 days apart; the protocol allows at most 4 days."]),
        ((0, 4, 8, 12, 16, 20, 24),
         ["The course would span 24 days; the protocol allows at most 21 days."]),
    ],
)  # fmt: skip
def test_spacing(offsets: tuple[int, ...], expected: list[str]) -> None:
    days = [D + dt.timedelta(days=o) for o in offsets]
    assert spacing_problems(days, Spacing(1, 4, 21)) == expected


def test_maintenance_days_every_four_weeks_by_count_or_until() -> None:
    by_count = maintenance_days(D, 4, count=3, until=None)
    assert by_count == [D, D + dt.timedelta(weeks=4), D + dt.timedelta(weeks=8)]
    assert maintenance_days(D, 4, count=None, until=D + dt.timedelta(weeks=8)) == by_count


def needs(chairs: tuple[int, ...] = (1, 2)) -> SlotNeeds:
    return SlotNeeds(
        patient_id=1, minutes=90, buffer_minutes=15, place=Place.CHAIR, chair_ids=chairs
    )


def test_series_keeps_ten_oclock_across_the_november_change() -> None:
    # New York leaves daylight time on Sunday 1 November 2026.
    rows = plan_series(
        needs(), CAL, [], count=6, first_day=dt.date(2026, 10, 26), preferred_time=dt.time(10),
        weekdays=(0, 2, 4), spacing=Spacing(1, 4, 21), now=None,
    )  # fmt: skip
    starts = [r.starts_at for r in rows]
    assert all(s is not None for s in starts)
    walls = [CAL.local(s).strftime("%a %d %H:%M") for s in starts if s]
    assert walls == ["Mon 26 10:00", "Wed 28 10:00", "Fri 30 10:00",
                     "Mon 02 10:00", "Wed 04 10:00", "Fri 06 10:00"]  # fmt: skip
    utc_hours = [s.hour for s in starts if s]
    assert utc_hours == [14, 14, 14, 15, 15, 15]
    assert not any(r.moved for r in rows)


def test_series_moves_off_a_closure_and_says_why() -> None:
    rows = plan_series(
        needs(), CAL, [], count=6, first_day=dt.date(2026, 11, 23), preferred_time=dt.time(10),
        weekdays=(0, 3), spacing=Spacing(2, 5, 28), now=None,
    )  # fmt: skip
    second = rows[1]
    assert second.starts_at is not None
    # Thursday is closed; Wednesday and Friday are as near, the earlier wins.
    assert CAL.local_day(second.starts_at) == dt.date(2026, 11, 25)
    assert second.moved
    assert "Thanksgiving" in second.reason
    assert second.reason.startswith("Moved to Wed, Nov 25, 2026, 10:00 AM.")


def test_series_takes_the_other_chair_before_another_time() -> None:
    booked = [occ(local(WED, 10), patient=2, chair=1)]
    rows = plan_series(
        needs(), CAL, booked, count=1, first_day=WED, preferred_time=dt.time(10),
        weekdays=(), spacing=Spacing(), now=None,
    )  # fmt: skip
    assert rows[0].chair_id == 2
    assert rows[0].starts_at == local(WED, 10)
    assert not rows[0].moved


def test_a_moved_row_says_why_every_chair_was_taken() -> None:
    booked = [
        occ(local(WED, 10), patient=2, chair=1),
        occ(local(WED, 9), patient=3, chair=2),
    ]
    rows = plan_series(
        needs(), CAL, booked, count=1, first_day=WED, preferred_time=dt.time(10),
        weekdays=(), spacing=Spacing(), now=None,
    )  # fmt: skip
    assert rows[0].moved
    assert rows[0].reason == (
        "Moved to Wed, Nov 18, 2026, 10:45 AM. At Wed, Nov 18, 2026, 10:00 AM: "
        "Chair 1 and Chair 2 are all taken at that time (turnover included)."
    )


def test_a_reason_shared_by_every_chair_is_said_once() -> None:
    patient_busy = occ(local(WED, 9, 30), patient=1, chair=2)
    rows = plan_series(
        needs(), CAL, [patient_busy], count=1, first_day=WED, preferred_time=dt.time(10),
        weekdays=(), spacing=Spacing(), now=None,
    )  # fmt: skip
    assert rows[0].moved
    assert rows[0].reason.count("The patient already has a session") == 1
    assert "Chair 2 is taken 9:30–11:15 AM" in rows[0].reason


def test_series_row_without_slot_says_why() -> None:
    calendar = ClinicCalendar(timezone=NY, hours={0: (dt.time(8), dt.time(18))})  # Mondays only
    rows = plan_series(
        needs(), calendar, [], count=2, first_day=dt.date(2026, 11, 16), preferred_time=dt.time(10),
        weekdays=(), spacing=Spacing(1, 4, 21), now=None,
    )  # fmt: skip
    assert rows[0].starts_at is not None
    assert rows[1].starts_at is None
    assert rows[1].reason.startswith("No free slot from Tue, Nov 17, 2026 to Fri, Nov 20, 2026")


def test_plans_are_deterministic() -> None:
    def plan() -> list[object]:
        return list(
            plan_series(
                needs(), CAL, [occ(local(WED, 10), patient=3)], count=8, first_day=WED,
                preferred_time=dt.time(10), weekdays=(0, 3), spacing=Spacing(2, 5, 28), now=None,
            )
        )  # fmt: skip

    assert plan() == plan()
