"""Whether a session fits: opening hours, closures, chairs with turnover, patients and nurses.

Pure Python on plain values. Instants are aware UTC; the clinic's wall clock (opening hours,
closure days, preferred times) is reached through ``ClinicCalendar``, so a session planned for
10:00 stays at 10:00 local time on either side of a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from scheduler.domain.occupancy import Occupancy, Occupation
from scheduler.domain.when import (
    clock_time,
    date_and_time,
    short_date,
    time_range_on,
    weekday,
)


@dataclass(frozen=True)
class ClinicCalendar:
    """The clinic's wall clock and the rules every booking follows."""

    timezone: str
    hours: Mapping[int, tuple[dt.time, dt.time]]  # weekday (0 = Monday) -> opens, closes
    closures: Mapping[dt.date, str] = field(default_factory=dict)  # day -> reason
    nurse_patient_limit: int = 0  # 0 = not enforced
    travel_minutes: int = 0  # before and after a home visit
    slot_minutes: int = 15
    chair_names: Mapping[int, str] = field(default_factory=dict)
    nurse_names: Mapping[int, str] = field(default_factory=dict)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(self.zone)

    def local_day(self, instant: dt.datetime) -> dt.date:
        return self.local(instant).date()

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        """The UTC instant of a wall-clock time on a day (the earlier one if it repeats)."""
        wall = dt.datetime.combine(day, time.replace(tzinfo=None), tzinfo=self.zone)
        # A time skipped by the spring change does not exist; the round trip moves it forward.
        return wall.astimezone(dt.UTC)

    def hours_on(self, day: dt.date) -> tuple[dt.time, dt.time] | None:
        """Opening and closing time on a day, or None when closed (weekday off or closure)."""
        if day in self.closures:
            return None
        return self.hours.get(day.weekday())

    def chair_name(self, chair_id: int | None) -> str:
        if chair_id is None:
            return ""
        return self.chair_names.get(chair_id, f"chair {chair_id}")

    def nurse_name(self, nurse_id: int | None) -> str:
        if nurse_id is None:
            return ""
        return self.nurse_names.get(nurse_id, f"nurse {nurse_id}")

    def day_text(self, day: dt.date) -> str:
        """ "Wed, Nov 18, 2026", for sentences about a day."""
        return short_date(day)

    def time_text(self, instant: dt.datetime) -> str:
        """ "10:00 AM" on the clinic's clock."""
        return clock_time(self.local(instant))

    def when_text(self, instant: dt.datetime) -> str:
        """ "Wed, Nov 18, 2026, 10:00 AM" in the clinic's time zone."""
        return date_and_time(self.local(instant))

    def span_text(self, start: dt.datetime, end: dt.datetime) -> str:
        """ "10:00–11:30 AM on Wed, Nov 18, 2026" in the clinic's time zone."""
        return time_range_on(self.local(start), self.local(end))


def hours_problems(wanted: Occupation, calendar: ClinicCalendar) -> list[str]:
    """Why the session does not fit the clinic's day: closure, closed weekday, outside hours."""
    start, end = calendar.local(wanted.starts_at), calendar.local(wanted.ends_at)
    day = start.date()
    if day in calendar.closures:
        reason = calendar.closures[day]
        because = f" ({reason})" if reason else ""
        return [f"The clinic is closed on {calendar.day_text(day)}{because}."]
    hours = calendar.hours.get(day.weekday())
    if hours is None:
        return [f"The clinic is not open on {weekday(day)}s."]
    opens, closes = hours
    problems = []
    if start.time() < opens:
        problems.append(
            f"{calendar.when_text(wanted.starts_at)} is before opening time ({clock_time(opens)})."
        )
    if end.date() != day or end.time() > closes:
        problems.append(
            f"A session starting {calendar.when_text(wanted.starts_at)} would end at "
            f"{clock_time(end)}, after closing time ({clock_time(closes)})."
        )
    return problems


def conflicts(
    wanted: Occupation, calendar: ClinicCalendar, booked: Occupancy | Iterable[Occupation]
) -> list[str]:
    """Why the session collides with sessions on the books: chair, patient or nurse."""
    occupancy = Occupancy.of(booked)
    problems = [
        f"{calendar.chair_name(wanted.chair_id)} is taken "
        f"{calendar.span_text(other.starts_at, other.chair_free_at)} (turnover included)."
        for other in occupancy.chair_clashes(wanted)
    ]
    problems.extend(
        f"The patient already has a session {calendar.span_text(other.starts_at, other.ends_at)}."
        for other in occupancy.patient_clashes(wanted)
    )
    problems.extend(_nurse_problems(wanted, calendar, occupancy))
    return list(dict.fromkeys(problems))


def _nurse_problems(wanted: Occupation, calendar: ClinicCalendar, booked: Occupancy) -> list[str]:
    if wanted.nurse_id is None:
        return []
    travel = calendar.travel_minutes
    hers = booked.nurse_sessions(wanted, travel)
    name = calendar.nurse_name(wanted.nurse_id)
    away = [o for o in hers if o.home or wanted.home]
    if away:
        other = away[0]
        start, end = other.nurse_window(travel)
        return [f"{name} is away on a home visit or busy {calendar.span_text(start, end)}."]
    limit = calendar.nurse_patient_limit
    if limit <= 0:
        return []
    peak, at = _peak(wanted, hers)
    if peak > limit:
        return [
            f"{name} would be watching {peak} patients at {calendar.when_text(at)}; "
            f"the limit is {limit}."
        ]
    return []


def _peak(wanted: Occupation, others: Sequence[Occupation]) -> tuple[int, dt.datetime]:
    """The most sessions running at once during ``wanted`` (itself included), and when."""
    best, best_at = 1, wanted.starts_at
    moments = {wanted.starts_at} | {o.starts_at for o in others if o.starts_at > wanted.starts_at}
    for moment in sorted(moments):
        if moment >= wanted.ends_at:  # pragma: no cover - ``others`` all overlap ``wanted``
            break  # (Occupancy.nurse_sessions); kept so that a wider list still counts right
        running = 1 + sum(1 for o in others if o.starts_at <= moment < o.ends_at)
        if running > best:
            best, best_at = running, moment
    return best, best_at


def timing_problems(
    wanted: Occupation, calendar: ClinicCalendar, *, now: dt.datetime | None = None
) -> list[str]:
    """Why the time itself will not do, whatever the chair: in the past, closed, after hours."""
    found: list[str] = []
    if now is not None and wanted.starts_at <= now:
        found.append(f"{calendar.when_text(wanted.starts_at)} is in the past.")
    found.extend(hours_problems(wanted, calendar))
    return found


def is_free(wanted: Occupation, calendar: ClinicCalendar, booked: Occupancy) -> bool:
    """Whether nothing on the books collides with the session: ``conflicts`` without words."""
    return not (
        booked.chair_clashes(wanted)
        or booked.patient_clashes(wanted)
        or _nurse_problems(wanted, calendar, booked)
    )


def problems(
    wanted: Occupation,
    calendar: ClinicCalendar,
    booked: Occupancy | Iterable[Occupation],
    *,
    now: dt.datetime | None = None,
) -> list[str]:
    """Every reason the session cannot be placed; empty when it fits."""
    return timing_problems(wanted, calendar, now=now) + conflicts(wanted, calendar, booked)


def start_times(
    calendar: ClinicCalendar, day: dt.date, minutes: int, preferred: dt.time | None = None
) -> list[dt.datetime]:
    """Starts on the slot grid of an open day at which a session of ``minutes`` ends by closing.

    Ordered nearest to ``preferred`` first (earlier wins a tie), or chronologically without one.
    The preferred time itself comes first when it fits, even off the grid.
    """
    hours = calendar.hours_on(day)
    if hours is None:
        return []
    opens, closes = hours
    step = dt.timedelta(minutes=max(calendar.slot_minutes, 1))
    length = dt.timedelta(minutes=minutes)
    wall = dt.datetime.combine(day, opens)
    last = dt.datetime.combine(day, closes) - length
    walls = []
    while wall <= last:
        walls.append(wall)
        wall += step
    if preferred is None:
        return [calendar.at(day, w.time()) for w in walls]
    target = dt.datetime.combine(day, preferred.replace(tzinfo=None))
    if dt.datetime.combine(day, opens) <= target <= last and target not in walls:
        walls.append(target)
    walls.sort(key=lambda w: (abs(w - target), w))
    return [calendar.at(day, w.time()) for w in walls]
