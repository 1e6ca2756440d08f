"""What the calendar paints: days read from the schedule service, turned into grid content.

``load_days`` reads the chairs and a run of days in one go (the screen keeps them per day);
``day_content`` and ``week_content`` turn those days into the grid's columns and blocks, with
overlapping sessions side by side (``scheduler.domain.lanes``) and the hours worth showing.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from scheduler.domain.enums import SessionStatus
from scheduler.domain.lanes import Span, lay_out_chairs, lay_out_lanes
from scheduler.domain.when import short_day, time_range
from scheduler.services import schedule
from scheduler.ui.calendar.grid import GridBlock, GridColumn, GridGroup
from scheduler.ui.desk import Desk
from scheduler.ui.session_models import SessionLike

DEFAULT_SPAN = (dt.time(7, 0), dt.time(19, 0))
ELSEWHERE = "Home / video"  # the column (or week-day share) of sessions in no chair


@dataclass(frozen=True)
class ChairInfo:
    """A chair as the day view's column needs it."""

    chair_id: int
    name: str


@dataclass(frozen=True)
class DayData:
    """What the calendar knows about one day: fetched once, kept until something changes."""

    day: dt.date
    sessions: tuple[SessionLike, ...]
    hours: tuple[dt.time, dt.time] | None
    closure: str | None


@dataclass(frozen=True)
class GridContent:
    """Everything the grid shows for a day or a week: columns, laid-out blocks, hours shown."""

    columns: list[GridColumn]
    blocks: list[GridBlock]
    first_min: int
    last_min: int


def load_days(desk: Desk, days: Sequence[dt.date]) -> tuple[list[ChairInfo], list[DayData]]:
    """The chairs and the given days' sessions, hours and closures, in one read.

    The sessions of all the days come from one query over their span (a week is one query, not
    seven), and the clinic's hours and closures are read once.
    """

    zone = desk.zone  # kept by the desk: no read of the settings on every refresh

    def load(db: Session) -> tuple[list[ChairInfo], list[DayData]]:
        chairs = [ChairInfo(c.chair_id, c.name) for c in schedule.chairs(db)]
        if not days:
            return chairs, []
        calendar = schedule.wall_calendar(db, zone)
        by_day: dict[dt.date, list[SessionLike]] = {day: [] for day in days}
        found = schedule.sessions_on_days(
            db, min(days), max(days), include_cancelled=False, zone=calendar.zone
        )
        # A week's sessions start at a few hundred distinct times: each one's day worked out once.
        days_of: dict[dt.datetime, list[SessionLike]] = {}
        for view in found:
            into = days_of.get(view.starts_at)
            if into is None:
                into = days_of[view.starts_at] = by_day.get(calendar.local_day(view.starts_at), [])
            into.append(view)
        result = [
            DayData(day, tuple(by_day[day]), calendar.hours_on(day), calendar.closures.get(day))
            for day in days
        ]
        return chairs, result

    return desk.read(load)


def day_content(
    day: dt.date, chairs: Sequence[ChairInfo], data: DayData, zone: ZoneInfo
) -> GridContent:
    """One day: a column per chair, and one for home and video visits when there are any."""
    columns = [GridColumn(c.name, day, c.chair_id, data.hours, data.closure) for c in chairs]
    index = {c.chair_id: n for n, c in enumerate(chairs)}
    if any(v.chair_id not in index for v in data.sessions):
        columns.append(GridColumn(ELSEWHERE, day, None, data.hours, data.closure))
    if not columns:
        columns.append(GridColumn("No chairs set up", day, None, data.hours, data.closure))
    blocks = [
        session_block(v, index.get(v.chair_id, len(chairs)) if v.chair_id else len(chairs), zone)
        for v in data.sessions
    ]
    return _content(columns, with_lanes(blocks), [data])


def week_content(
    data: Sequence[DayData], chairs: Sequence[ChairInfo], zone: ZoneInfo
) -> GridContent:
    """A week: a column per day, split into a share for each chair in use that day (named
    under the day), the sessions of each chair side by side where they overlap."""
    names: dict[Hashable, str] = {c.chair_id: c.name for c in chairs}
    chair_ids: dict[Hashable, int] = {c.chair_id: c.chair_id for c in chairs}
    names[None] = ELSEWHERE
    columns: list[GridColumn] = []
    blocks: list[GridBlock] = []
    for number, day in enumerate(data):
        # Sessions in a chair no longer set up, and home or video visits, share one place.
        chair_of = {v.session_id: v.chair_id if v.chair_id in names else None for v in day.sessions}
        unplaced = {v.session_id: session_block(v, number, zone) for v in day.sessions}
        # Only the chairs in use that day: a week has no room for empty ones (the day has).
        in_use = [c.chair_id for c in chairs if c.chair_id in chair_of.values()]
        groups, laid = lay_out_chairs(
            in_use,
            (Span(chair_of[k], k, b.start_min, b.end_min) for k, b in unplaced.items()),
        )
        share = {g.key: (g.first / g.total, g.lanes / g.total) for g in groups}
        chair_names = tuple(
            GridGroup(names[g.key], *share[g.key], chair_id=chair_ids.get(g.key)) for g in groups
        )
        columns.append(
            GridColumn(short_day(day.day), day.day, None, day.hours, day.closure, chair_names, True)
        )
        blocks.extend(
            replace(
                unplaced[lane.key],
                lane=lane.lane,
                lanes=lane.lanes,
                share=share[chair_of[lane.key]],
            )
            for lane in laid
        )
    return _content(columns, blocks, data)


def _content(
    columns: list[GridColumn], blocks: list[GridBlock], data: Sequence[DayData]
) -> GridContent:
    """The content with the hours worth showing: opening hours and an hour either side,
    7 AM to 7 PM at least, and wider for any session outside them."""
    first, last = _minutes(DEFAULT_SPAN[0]), _minutes(DEFAULT_SPAN[1])
    for item in data:
        if item.hours is not None:
            first = min(first, _minutes(item.hours[0]) - 60)
            last = max(last, _minutes(item.hours[1]) + 60)
    for block in blocks:
        first = min(first, int(block.start_min) // 60 * 60)
        last = max(last, int(block.end_min + 59) // 60 * 60)
    return GridContent(columns, blocks, max(0, first), min(24 * 60, last))


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def session_block(view: SessionLike, column: int, zone: ZoneInfo) -> GridBlock:
    """A session as a block in a column: its parts' minutes, colour, text and tooltip."""
    local = view.starts_at.astimezone(zone)
    end = view.ends_at.astimezone(zone)
    times = time_range(local, end)
    therapy = view.therapy_name + (f" · {view.progress}" if view.progress else "")
    return GridBlock(
        session_id=view.session_id,
        column=column,
        start_min=local.hour * 60 + local.minute,
        treatment_min=view.treatment_minutes,
        observation_min=view.observation_minutes,
        buffer_min=view.buffer_minutes,
        colour=view.therapy_colour,
        lines=(view.patient_name, therapy, times),
        faded=view.status == SessionStatus.COMPLETED.value,
        details=(view.chair_name or view.place.label, view.status.label),
        tooltip=session_tooltip(view, times),
        chair_id=view.chair_id,
        chair_name=view.chair_name or view.place.label,
    )


def session_tooltip(view: SessionLike, times: str) -> str:
    """A block's rich tooltip: who, which therapy and session of the course, when, where,
    its status and who drives the patient home."""
    therapy = view.therapy_name + (f", {view.progress}" if view.progress else "")
    rows = (
        ("Therapy", therapy),
        ("Time", times),
        ("Chair", view.chair_name or view.place.label),
        ("Status", view.status.label),
        ("Driver", view.driver_name or "None on file"),
    )
    cells = "".join(
        f"<tr><td>{label}:</td><td>{html.escape(value)}</td></tr>" for label, value in rows
    )
    return f"<qt><b>{html.escape(view.patient_name)}</b><table>{cells}</table></qt>"


def with_lanes(blocks: list[GridBlock]) -> list[GridBlock]:
    """Side by side where sessions overlap in one column (the week view's day columns).

    The blocks come back column by column, each column's in start order (the order they are
    painted in, later ones on top).
    """
    by_id = {block.session_id: block for block in blocks}
    spans = (Span(b.column, b.session_id, b.start_min, b.end_min) for b in blocks)
    return [
        replace(by_id[placed.key], lane=placed.lane, lanes=placed.lanes)
        for placed in lay_out_lanes(spans)
    ]
