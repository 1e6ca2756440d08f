"""Lanes in a calendar column: what the layout promises for any sessions, checked by hypothesis.

Sessions are drawn side by side where they overlap; these properties are what makes that
readable: nothing overlaps in one lane, nobody is left out, no lane is wasted, the leftmost free
lane is taken, and the same sessions always give the same picture.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.domain.lanes import Lane, LaneGroup, Span, lay_out_chairs, lay_out_lanes

MINUTES = 5  # starts and lengths on a five-minute grid, so sessions often touch or tie


def spans(shortest: int = 1) -> st.SearchStrategy[list[Span]]:
    """Up to 30 sessions in 3 columns over a morning, ``shortest`` to 36 five-minute steps long.

    Sessions last at least a minute; ``shortest=0`` adds spans of no length, for the promises
    that hold even for them.
    """
    row = st.tuples(
        st.integers(1, 10_000),  # the session's id
        st.sampled_from(["chair 1", "chair 2", "home"]),
        st.integers(8 * 60 // MINUTES, 13 * 60 // MINUTES),
        st.integers(shortest, 180 // MINUTES),
    )
    return st.lists(row, max_size=30, unique_by=lambda r: r[0]).map(
        lambda rows: [
            Span(group, key, start * MINUTES, (start + length) * MINUTES)
            for key, group, start, length in rows
        ]
    )


def overlap(a: Span, b: Span) -> bool:
    """Two sessions of one column that run at the same moment (touching ends do not)."""
    return a.group == b.group and a.start < b.end and b.start < a.end


def placed(given_spans: list[Span]) -> dict[int, Lane]:
    return {lane.key: lane for lane in lay_out_lanes(given_spans)}


def component(span: Span, everyone: list[Span]) -> list[Span]:
    """The sessions linked to ``span`` by a chain of overlaps: the ones drawn as narrow."""
    found, todo = {span.key: span}, [span]
    while todo:
        current = todo.pop()
        for other in everyone:
            if other.key not in found and overlap(current, other):
                found[other.key] = other
                todo.append(other)
    return list(found.values())


def busiest(group: list[Span]) -> int:
    """The most sessions running at one moment (some session's start is such a moment)."""
    return max(sum(s.start <= t.start < s.end for s in group) for t in group)


@given(spans(shortest=0))
def test_every_session_gets_one_lane_of_its_column(given_spans: list[Span]) -> None:
    laid = lay_out_lanes(given_spans)
    assert sorted(lane.key for lane in laid) == sorted(s.key for s in given_spans)
    assert all(0 <= lane.lane < lane.lanes for lane in laid)


@given(spans(shortest=0))
def test_sessions_that_overlap_never_share_a_lane(given_spans: list[Span]) -> None:
    lanes = placed(given_spans)
    for a, b in itertools.combinations(given_spans, 2):
        if overlap(a, b):
            assert lanes[a.key].lane != lanes[b.key].lane, (a, b)


@given(spans(shortest=0))
def test_sessions_that_overlap_are_drawn_equally_narrow(given_spans: list[Span]) -> None:
    # So lanes line up down a cluster and blocks do not jut into their neighbours.
    lanes = placed(given_spans)
    for a, b in itertools.combinations(given_spans, 2):
        if overlap(a, b):
            assert lanes[a.key].lanes == lanes[b.key].lanes, (a, b)


@given(spans())
def test_lanes_are_no_more_than_the_busiest_moment_needs(given_spans: list[Span]) -> None:
    lanes = placed(given_spans)
    for span in given_spans:
        linked = component(span, given_spans)
        assert lanes[span.key].lanes == busiest(linked), span
        # And every one of those lanes holds a session.
        assert {lanes[s.key].lane for s in linked} == set(range(lanes[span.key].lanes))


@given(spans())
def test_each_session_takes_the_leftmost_lane_free_at_its_start(given_spans: list[Span]) -> None:
    lanes = placed(given_spans)
    for span in given_spans:
        for left in range(lanes[span.key].lane):
            assert any(
                lanes[other.key].lane == left
                and overlap(span, other)
                and (other.start, other.key) < (span.start, span.key)
                for other in given_spans
            ), (span, left)


@given(spans())
def test_a_session_that_overlaps_nothing_keeps_the_whole_width(given_spans: list[Span]) -> None:
    lanes = placed(given_spans)
    for span in given_spans:
        if not any(overlap(span, other) for other in given_spans if other is not span):
            assert (lanes[span.key].lane, lanes[span.key].lanes) == (0, 1), span


@given(spans(shortest=0), st.randoms(use_true_random=False))
def test_the_same_sessions_in_any_order_give_the_same_lanes(
    given_spans: list[Span], rng: Random
) -> None:
    shuffled = list(given_spans)
    rng.shuffle(shuffled)
    assert placed(shuffled) == placed(given_spans)


@given(spans(shortest=0))
def test_the_order_is_column_by_column_then_by_start(given_spans: list[Span]) -> None:
    # The grid paints in this order (later on top) and looks blocks up from the top down.
    laid = lay_out_lanes(given_spans)
    by_key = {s.key: s for s in given_spans}
    columns_first_seen = list(dict.fromkeys(s.group for s in given_spans))
    expected = [
        s.key
        for group in columns_first_seen
        for s in sorted(
            (s for s in given_spans if s.group == group), key=lambda s: (s.start, s.key)
        )
    ]
    assert [lane.key for lane in laid] == expected
    assert [by_key[lane.key].group for lane in laid] == sorted(
        (s.group for s in given_spans), key=columns_first_seen.index
    )


@given(spans(shortest=0))
def test_each_column_is_laid_out_on_its_own(given_spans: list[Span]) -> None:
    together = placed(given_spans)
    groups: set[Hashable] = {s.group for s in given_spans}
    for group in groups:
        alone = placed([s for s in given_spans if s.group == group])
        assert alone == {key: together[key] for key in alone}


@given(spans(shortest=0), st.integers(-8 * 60, 8 * 60))
def test_moving_a_whole_column_in_time_keeps_its_lanes(
    given_spans: list[Span], minutes: int
) -> None:
    moved = [Span(s.group, s.key, s.start + minutes, s.end + minutes) for s in given_spans]
    assert placed(moved) == placed(given_spans)


@pytest.mark.parametrize(
    ("sessions", "expected"),
    [
        # Back to back in one chair: no overlap, each the whole width.
        ([(1, 600, 660), (2, 660, 720)], {1: (0, 1), 2: (0, 1)}),
        # A chain: 1 overlaps 2, 2 overlaps 3, 1 and 3 do not; 3 takes 1's lane again.
        ([(1, 600, 700), (2, 650, 750), (3, 700, 800)], {1: (0, 2), 2: (1, 2), 3: (0, 2)}),
        # Same start: the lower id goes left.
        ([(7, 600, 700), (3, 600, 700)], {3: (0, 2), 7: (1, 2)}),
        # Three at once, then one later on its own.
        (
            [(1, 600, 705), (2, 630, 735), (3, 660, 765), (4, 900, 1005)],
            {1: (0, 3), 2: (1, 3), 3: (2, 3), 4: (0, 1)},
        ),
    ],
)
def test_lanes_of_known_days(
    sessions: list[tuple[int, int, int]], expected: dict[int, tuple[int, int]]
) -> None:
    laid = lay_out_lanes(Span("chair 1", key, start, end) for key, start, end in sessions)
    assert {lane.key: (lane.lane, lane.lanes) for lane in laid} == expected


def test_a_session_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="Session 4 appears twice"):
        lay_out_lanes([Span(0, 4, 600, 660), Span(1, 4, 700, 760)])


# -- a column split by chair (the week view's day) ---------------------------------------------

CLINIC_CHAIRS = st.lists(st.sampled_from(["chair 1", "chair 2", "chair 3"]), unique=True)


@given(CLINIC_CHAIRS, spans(shortest=0))
def test_chair_groups_tile_the_column_from_left_to_right(
    chairs: list[str], given_spans: list[Span]
) -> None:
    groups, _ = lay_out_chairs(chairs, given_spans)
    ends = list(itertools.accumulate(g.lanes for g in groups))
    assert [g.first for g in groups] == [0, *ends[:-1]][: len(groups)]
    assert all(g.lanes >= 1 and g.total == sum(h.lanes for h in groups) for g in groups)


@given(CLINIC_CHAIRS, spans(shortest=0))
def test_every_chair_has_a_group_even_when_empty_and_in_the_clinic_order(
    chairs: list[str], given_spans: list[Span]
) -> None:
    groups, _ = lay_out_chairs(chairs, given_spans)
    keys = [g.key for g in groups]
    assert keys[: len(chairs)] == chairs
    others = list(dict.fromkeys(s.group for s in given_spans if s.group not in chairs))
    assert keys[len(chairs) :] == others


@given(CLINIC_CHAIRS, spans(shortest=0))
def test_each_chair_is_as_wide_as_its_busiest_moment_needs_and_no_wider(
    chairs: list[str], given_spans: list[Span]
) -> None:
    groups, laid = lay_out_chairs(chairs, given_spans)
    by_chair: dict[Hashable, LaneGroup] = {g.key: g for g in groups}
    lanes = {lane.key: lane for lane in laid}
    assert lanes == placed(given_spans)  # the lanes inside a chair are those of its own column
    for chair, group in by_chair.items():
        own = [lanes[s.key].lanes for s in given_spans if s.group == chair]
        assert group.lanes == max(own, default=1)


def test_a_double_booked_chair_takes_two_lanes_of_the_day() -> None:
    groups, _ = lay_out_chairs(
        ["C1", "C2"], [Span("C2", 1, 600, 700), Span("C2", 2, 650, 750), Span("home", 3, 600, 660)]
    )
    assert groups == [
        LaneGroup("C1", 0, 1, 4),
        LaneGroup("C2", 1, 2, 4),
        LaneGroup("home", 3, 1, 4),
    ]
