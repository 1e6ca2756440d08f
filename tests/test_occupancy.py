"""The books as sorted intervals: every answer is the one a walk over every session gives."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from scheduler.domain.occupancy import Occupancy, Occupation, may_run_after

MONDAY = dt.datetime(2026, 11, 16, 13, 0, tzinfo=dt.UTC)
TRAVEL = 30


def _overlap(a: tuple[dt.datetime, dt.datetime], b: tuple[dt.datetime, dt.datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


occupations = st.builds(
    lambda patient, start, minutes, buffer, chair, nurse, home, session: Occupation(
        patient_id=patient,
        starts_at=MONDAY + dt.timedelta(minutes=15 * start),
        ends_at=MONDAY + dt.timedelta(minutes=15 * start + minutes),
        buffer_minutes=buffer,
        chair_id=None if home else chair,
        nurse_id=nurse,
        home=home,
        session_id=session,
    ),
    st.integers(1, 4), st.integers(0, 400), st.integers(15, 300), st.sampled_from([0, 15, 30]),
    st.integers(1, 3), st.none() | st.integers(7, 8), st.booleans(),
    st.none() | st.integers(1, 50),
)  # fmt: skip


@given(booked=st.lists(occupations, max_size=40), wanted=occupations)
def test_every_clash_is_found_by_binary_search(
    booked: list[Occupation], wanted: Occupation
) -> None:
    occupancy = Occupancy(booked)
    others = [o for o in booked if not o.is_same_session(wanted)]
    chair = [
        o for o in others
        if wanted.chair_id is not None and o.chair_id == wanted.chair_id
        and _overlap((wanted.starts_at, wanted.chair_free_at), (o.starts_at, o.chair_free_at))
    ]  # fmt: skip
    patient = [
        o for o in others
        if o.patient_id == wanted.patient_id
        and _overlap((wanted.starts_at, wanted.ends_at), (o.starts_at, o.ends_at))
    ]  # fmt: skip
    nurse = [
        o for o in others
        if wanted.nurse_id is not None and o.nurse_id == wanted.nurse_id
        and _overlap(wanted.nurse_window(TRAVEL), o.nurse_window(TRAVEL))
    ]  # fmt: skip
    key = sorted_by_start
    assert key(occupancy.chair_clashes(wanted)) == key(chair)
    assert key(occupancy.patient_clashes(wanted)) == key(patient)
    assert key(occupancy.nurse_sessions(wanted, TRAVEL)) == key(nurse)
    if wanted.chair_id is not None and wanted.session_id is None:
        free = occupancy.free_chairs([wanted.chair_id], wanted.starts_at, wanted.chair_free_at)
        assert free == ([] if chair else [wanted.chair_id])
    span = (wanted.starts_at, wanted.chair_free_at)
    assert occupancy.free_chairs([1, 2, 3, 4], *span) == [
        c
        for c in (1, 2, 3, 4)
        if not any(
            o.chair_id == c and _overlap(span, (o.starts_at, o.chair_free_at)) for o in booked
        )
    ]


def sorted_by_start(found: list[Occupation]) -> list[Occupation]:
    return sorted(found, key=lambda o: (o.starts_at, repr(o)))


@given(booked=st.lists(occupations, max_size=40), asked=st.lists(occupations, max_size=6))
def test_books_loaded_day_by_day_answer_as_all_the_books(
    booked: list[Occupation], asked: list[Occupation]
) -> None:
    # What the database gives has an id each; a session read twice is known by it.
    booked = [replace(o, session_id=i) for i, o in enumerate(booked, start=1)]
    queries: list[tuple[dt.datetime, dt.datetime]] = []

    def load(start: dt.datetime, end: dt.datetime, after: dt.datetime | None) -> list[Occupation]:
        queries.append((start if after is None else after, end))
        return [
            o for o in booked
            if start <= o.starts_at < end and (after is None or may_run_after(o, after))
        ]  # fmt: skip

    everything, by_day = Occupancy(booked), Occupancy(loader=load)
    for wanted in asked:
        for ask in (Occupancy.chair_clashes, Occupancy.patient_clashes):
            assert sorted_by_start(ask(by_day, wanted)) == sorted_by_start(ask(everything, wanted))
        assert sorted_by_start(by_day.nurse_sessions(wanted, TRAVEL)) == sorted_by_start(
            everything.nurse_sessions(wanted, TRAVEL)
        )
    # Each stretch of time is read once.
    for a, b in itertools.combinations(queries, 2):
        assert not _overlap(a, b)


def test_a_long_session_read_after_a_later_one_still_holds_its_chair() -> None:
    """Books come in order of start, but not always (the day before is read after the day):
    a session put in before those already held must still count for the time they start."""
    later = Occupation(
        1, MONDAY + dt.timedelta(hours=1), MONDAY + dt.timedelta(hours=2), chair_id=1
    )
    long_one = Occupation(2, MONDAY, MONDAY + dt.timedelta(hours=6), chair_id=1)
    occupancy = Occupancy([later, long_one])
    at_three = (MONDAY + dt.timedelta(hours=3), MONDAY + dt.timedelta(hours=4))
    assert occupancy.free_chairs([1, 2], *at_three) == [2]
    wanted = Occupation(3, *at_three, chair_id=1)
    assert occupancy.chair_clashes(wanted) == [long_one]
