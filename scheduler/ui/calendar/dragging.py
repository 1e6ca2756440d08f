"""Where a session dragged on the calendar would land: a column, a start snapped to the clinic's
slot step, and the chair it would take.

Only the place is worked out here; whether the session may go there is the booking rules' to
say (``session_life.reschedule``), so a place is offered wherever the grid can point to one.
A visit at home or by video stays one, and a session in a chair goes to a chair: the calendar
does not turn one into the other.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scheduler.domain.when import clock_time, short_day

if TYPE_CHECKING:  # the grid imports this module to place what it drags
    from scheduler.ui.calendar.grid import GridBlock, GridColumn, GridGroup

WHOLE = (0.0, 1.0)


@dataclass(frozen=True)
class DropPlace:
    """Where a dragged session would land, and where in its column the ghost is drawn."""

    column: int
    start_min: int  # minutes since midnight of the column's day
    chair_id: int | None
    chair_name: str
    share: tuple[float, float] = WHOLE  # left and width in the column (a week day's chair)

    def is_where(self, block: GridBlock) -> bool:
        """Whether this is where the session already is (a drop there moves nothing)."""
        return (self.column, self.start_min, self.chair_id) == (
            block.column,
            round(block.start_min),
            block.chair_id,
        )


def snapped(minute: float, step: int, first_min: int, last_min: int) -> int:
    """A start to the nearest slot of ``step`` minutes, kept within the hours the grid shows."""
    step = max(1, step)
    lowest = math.ceil(first_min / step) * step
    highest = max(lowest, (last_min - step) // step * step)
    return min(highest, max(lowest, round(minute / step) * step))


def drop_place(
    block: GridBlock, columns: Sequence[GridColumn], number: int, across: float, start_min: int
) -> DropPlace | None:
    """The place in column ``number``, ``across`` of the way over it (0 to 1), or None when
    the session cannot go to that column at all."""
    column = columns[number]
    if not column.whole_day:
        # The day view: a column is one chair, or the visits at home and by video.
        if (column.chair_id is None) != (block.chair_id is None):
            return None
        name = column.title if column.chair_id is not None else block.chair_name
        return DropPlace(number, start_min, column.chair_id, name)
    # The week view: a day, split into a share for each chair in use that day. Another chair
    # is chosen only on a day that shows the session's own: a day showing only other chairs
    # (rooms, say) offers no fair choice, so there the session keeps its chair.
    own = next((g for g in column.groups if g.chair_id == block.chair_id), None)
    pointed = next((g for g in column.groups if g.left <= across < g.left + g.width), None)
    chooses = own is not None and own.chair_id is not None
    if chooses and pointed is not None and pointed.chair_id is not None:
        return DropPlace(number, start_min, pointed.chair_id, pointed.name, _share(pointed))
    # A visit stays a visit, and a chair's session pointed nowhere in particular keeps its chair.
    return DropPlace(number, start_min, block.chair_id, block.chair_name, _share(own))


def _share(group: GridGroup | None) -> tuple[float, float]:
    return WHOLE if group is None else (group.left, group.width)


def drop_label(place: DropPlace, columns: Sequence[GridColumn]) -> str:
    """What the ghost says: "10:30 AM · Chair 3", with the day in the week view."""
    column = columns[place.column]
    clock = clock_time(dt.time(place.start_min // 60 % 24, place.start_min % 60))
    when = f"{short_day(column.day)}, {clock}" if column.whole_day else clock
    return f"{when} · {place.chair_name}" if place.chair_name else when
