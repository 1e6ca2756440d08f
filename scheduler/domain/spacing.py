"""A course's spacing: the days between its sessions, and the one check every path asks.

A proposal, a make-up, a move, a reflow, a maintenance plan and the booking of each ask
these functions about the days of a course, so what one path offers another does not refuse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.domain.when import short_day


@dataclass(frozen=True)
class Spacing:
    """A protocol's rules between sessions, in calendar days of the clinic's wall clock."""

    min_gap_days: int = 1
    max_gap_days: int | None = None
    max_span_days: int | None = None


def spacing_problems(
    days: Sequence[dt.date], spacing: Spacing, *, numbers: Sequence[int] | None = None
) -> list[str]:
    """Why the days of a course (in order) break its spacing; empty when they keep it."""
    numbers = list(numbers) if numbers is not None else list(range(1, len(days) + 1))
    found = []
    for (a, na), (b, nb) in zip(
        zip(days, numbers, strict=True), zip(days[1:], numbers[1:], strict=True), strict=False
    ):
        gap = (b - a).days
        if gap < spacing.min_gap_days:
            found.append(
                f"Sessions {na} and {nb} are {_days(gap)} apart; "
                f"the protocol needs at least {_days(spacing.min_gap_days)}."
            )
        if spacing.max_gap_days is not None and gap > spacing.max_gap_days:
            found.append(
                f"Sessions {na} and {nb} are {_days(gap)} apart; "
                f"the protocol allows at most {_days(spacing.max_gap_days)}."
            )
    if spacing.max_span_days is not None and len(days) > 1:
        span = (max(days) - min(days)).days
        if span > spacing.max_span_days:
            found.append(
                f"The course would span {_days(span)}; "
                f"the protocol allows at most {_days(spacing.max_span_days)}."
            )
    return found


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def resumed(spacing: Spacing) -> Spacing:
    """The spacing of a course resumed after an interruption: no maximum span any more."""
    return Spacing(spacing.min_gap_days, spacing.max_gap_days, None)


def resumed_problems(
    kept: Sequence[dt.date], days: Sequence[dt.date], spacing: Spacing
) -> list[str]:
    """Why the ``days`` of a course resumed after the ``kept`` ones break its spacing.

    The sessions resumed keep the gaps between them; from the last one kept only the minimum
    gap still holds, since the interruption made that gap what it is.
    """
    found = spacing_problems(days, resumed(spacing))
    if kept and days and (days[0] - max(kept)).days < spacing.min_gap_days:
        found.append(
            f"The course would resume {_days((days[0] - max(kept)).days)} after its session of "
            f"{short_day(max(kept))}; the protocol needs at least {_days(spacing.min_gap_days)}."
        )
    return found


def neighbour_problems(days: Sequence[dt.date], day: dt.date, spacing: Spacing) -> list[str]:
    """Why a session on ``day`` breaks the spacing with the course's sessions either side of it.

    Only its own gaps count (and the span): a gap left elsewhere by a missed session is not
    this session's doing.
    """
    earlier = [d for d in days if d <= day]
    later = [d for d in days if d > day]
    around = [*earlier[-1:], day, *later[:1]]
    found = spacing_problems(around, Spacing(spacing.min_gap_days, spacing.max_gap_days, None))
    if spacing.max_span_days is not None and days:
        span = (max(*days, day) - min(*days, day)).days
        if span > spacing.max_span_days:
            found.append(
                f"The course would span {span} days; "
                f"the protocol allows at most {spacing.max_span_days} days."
            )
    return found


def gap_left_behind(
    days: Sequence[dt.date], old_day: dt.date, new_day: dt.date, spacing: Spacing
) -> list[str]:
    """Why moving a session off ``old_day`` leaves its old neighbours too far apart.

    Taking session 2 past session 3 joins sessions 1 and 3: that gap is the move's doing.
    """
    before = [d for d in days if d < old_day]
    after = [d for d in days if d > old_day]
    if not before or not after or spacing.max_gap_days is None:
        return []
    first, second = before[-1], after[0]
    gap = (second - first).days
    if first <= new_day <= second or gap <= spacing.max_gap_days:
        return []
    return [
        f"Moving it would leave {gap} days between the sessions of {short_day(first)} and "
        f"{short_day(second)}; the protocol allows at most {spacing.max_gap_days} days."
    ]
