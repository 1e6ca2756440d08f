"""Lanes for sessions that overlap in one calendar column: who sits beside whom, how narrow.

A column of the calendar (a chair on a day, or a whole day in the week view) may hold sessions
whose times overlap: several chairs in the week view, or a double-booked chair. They are drawn
side by side. Sessions that overlap, directly or through a chain of overlaps, form a *cluster*;
the cluster is split into as many lanes as it has sessions running at its busiest moment, each
session takes the leftmost lane free at its start, and every session of the cluster is drawn
that many lanes narrow. A session that overlaps nothing keeps the whole width (lane 0 of 1).

Times are minutes (any unit will do) and a span is half-open: a session ending at 10:45 and
one starting at 10:45 do not overlap. The order sessions are given in does not matter, except
that groups are returned in the order they first appear. A span of no length (never a real
session: treatment lasts at least a minute) still gets a lane of its own beside anything
running across its moment, but may take one lane more than it needs.

A column may also be split by chair (the week view's day: a share for each chair, named in a
row under the day): ``lay_out_chairs`` gives every chair of the clinic a group of lanes, as many
as that chair needs at its busiest (one at least, so an empty chair keeps its place and name).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A session as the lane layout sees it: its column (group), id and time taken."""

    group: Hashable  # the column: sessions of different groups never share lanes
    key: int  # the session's id: unique, and the tie-break between equal starts
    start: float
    end: float  # start plus treatment, observation and the chair's turnover


@dataclass(frozen=True)
class Lane:
    """Where a session is drawn in its column: lane ``lane`` of ``lanes`` equal ones."""

    key: int
    lane: int
    lanes: int


def lay_out_lanes(spans: Iterable[Span]) -> list[Lane]:
    """The lane of every session: group by group, and in each, by start time (then key).

    Raises ValueError when two spans share a key, as a session appears once on a calendar.
    """
    by_group: dict[Hashable, list[Span]] = {}
    seen: set[int] = set()
    for span in spans:
        if span.key in seen:
            raise ValueError(f"Session {span.key} appears twice in one calendar layout.")
        seen.add(span.key)
        by_group.setdefault(span.group, []).append(span)
    laid: list[Lane] = []
    for group_spans in by_group.values():
        group_spans.sort(key=lambda s: (s.start, s.key))
        for cluster in _clusters(group_spans):
            laid.extend(_lanes_of(cluster))
    return laid


def _clusters(spans: list[Span]) -> list[list[Span]]:
    """Sorted spans cut where none of the earlier ones is still running."""
    clusters: list[list[Span]] = []
    cluster_end = 0.0
    for span in spans:
        if not clusters or span.start >= cluster_end:
            clusters.append([])
            cluster_end = span.end
        clusters[-1].append(span)
        cluster_end = max(cluster_end, span.end)
    return clusters


def _lanes_of(cluster: list[Span]) -> list[Lane]:
    """Each span, in start order, into the leftmost lane that is free by its start.

    Taking spans by start time and the first free lane needs no more lanes than the most
    spans running at one moment (the greedy colouring of intervals is optimal).
    """
    lane_ends: list[float] = []
    chosen: list[int] = []
    for span in cluster:
        lane = next((n for n, end in enumerate(lane_ends) if end <= span.start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(span.end)
        else:
            lane_ends[lane] = span.end
        chosen.append(lane)
    return [
        Lane(span.key, lane, len(lane_ends)) for span, lane in zip(cluster, chosen, strict=True)
    ]


@dataclass(frozen=True)
class LaneGroup:
    """A chair's share of a column: lanes ``first`` to ``first + lanes - 1`` of ``total``."""

    key: Hashable  # the chair (the spans' group)
    first: int
    lanes: int
    total: int


def lay_out_chairs(
    chairs: Sequence[Hashable], spans: Iterable[Span]
) -> tuple[list[LaneGroup], list[Lane]]:
    """One column split by chair: each chair's lane group, left to right, and every span's lane.

    The groups are the given chairs in their order, then any other group the spans name (a
    visit at home, a chair since retired) in the order first seen. A span's lane counts within
    its own chair's group.
    """
    given = list(spans)
    laid = lay_out_lanes(given)
    chair_of = {span.key: span.group for span in given}
    widest = dict.fromkeys(chairs, 1)
    for lane in laid:
        chair = chair_of[lane.key]
        widest[chair] = max(widest.get(chair, 1), lane.lanes)
    total = sum(widest.values())
    groups: list[LaneGroup] = []
    first = 0
    for chair, lanes in widest.items():
        groups.append(LaneGroup(chair, first, lanes, total))
        first += lanes
    return groups, laid
