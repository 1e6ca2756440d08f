"""Planning a course of sessions: which day and time each one gets, and why it moved.

Pure Python on plain values. Days are chosen in the clinic's wall clock with ``relativedelta``
and ``rrule``; each start is then turned into a UTC instant for that day, so a series planned
at 10:00 stays at 10:00 across a daylight-saving change. Given the same inputs the plan is
always the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from dateutil.relativedelta import relativedelta
from dateutil.rrule import WEEKLY, rrule

from scheduler.domain.availability import (
    ClinicCalendar,
    is_free,
    problems,
    start_times,
    timing_problems,
)
from scheduler.domain.catalogue import INDUCTION_MAX_SESSIONS, INDUCTION_MIN_SESSIONS
from scheduler.domain.enums import Phase, Place
from scheduler.domain.occupancy import Occupancy, Occupation
from scheduler.domain.spacing import Spacing, neighbour_problems
from scheduler.domain.why_moved import short_why, spacing_phrase

# How many days after the first wished-for day a series' first session may be searched for.
FIRST_SESSION_SEARCH_DAYS = 14
# How far a maintenance visit may drift from its every-N-weeks day, either way.
MAINTENANCE_SLACK_DAYS = 3
# How far a session without a maximum gap may drift after its earliest day.
OPEN_GAP_SEARCH_DAYS = 14


@dataclass(frozen=True)
class ProposedSession:
    """One row of a proposal: the slot found for session ``number``, or why there is none."""

    number: int
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    chair_id: int | None
    chair_name: str
    nurse_id: int | None
    moved: bool
    reason: str  # "" when the wished-for slot was free; else why it moved or why none exists
    short_reason: str = ""  # the same in a phrase for the table ("Chair busy at 10:00 AM")

    @property
    def why(self) -> str:
        """The phrase the proposal table shows: the short one when there is one."""
        return self.short_reason or self.reason

    @property
    def has_slot(self) -> bool:
        return self.starts_at is not None


@dataclass(frozen=True)
class SeriesProposal:
    """Every session of a course as proposed to the desk, ready to edit row by row and book."""

    patient_id: int
    protocol_id: int
    therapy_id: int
    place: Place
    rows: list[ProposedSession]
    session_minutes: int = 0  # treatment + observation, to recompute an edited row's end
    chair_names: Mapping[int, str] = field(default_factory=dict, compare=False)

    @property
    def complete(self) -> bool:
        """Whether every row has a slot."""
        return all(row.has_slot for row in self.rows)


@dataclass(frozen=True)
class SlotNeeds:
    """What every session of a course needs: its length, place and who may run it."""

    patient_id: int
    minutes: int  # treatment + observation
    buffer_minutes: int
    place: Place
    chair_ids: Sequence[int] = ()  # acceptable chairs, preferred first (for a place with chairs)
    nurse_ids: Sequence[int | None] = (None,)  # acceptable nurses; a home visit needs one


def count_problem(phase: Phase, count: int) -> str | None:
    """Why a course of ``count`` sessions is not allowed for the phase, or None."""
    if count < 1:
        return "A course needs at least one session."
    if phase is Phase.INDUCTION and not INDUCTION_MIN_SESSIONS <= count <= INDUCTION_MAX_SESSIONS:
        return (
            f"An induction series has {INDUCTION_MIN_SESSIONS} to {INDUCTION_MAX_SESSIONS} "
            f"sessions; {count} were asked for."
        )
    if phase is Phase.SINGLE and count != 1:
        return f"This protocol books a single session; {count} were asked for."
    return None


def try_start(
    needs: SlotNeeds,
    calendar: ClinicCalendar,
    booked: Occupancy | Sequence[Occupation],
    starts_at: dt.datetime,
    *,
    now: dt.datetime | None,
) -> tuple[Occupation | None, list[str]]:
    """The occupation at ``starts_at`` on the first free chair and nurse, or why none is free.

    The reasons cover every chair tried, so "any chair" tells the desk that each one is taken.
    """
    occupancy = Occupancy.of(booked)
    taken = first_free(needs, calendar, occupancy, starts_at, now=now)
    if taken is not None:
        return taken, []
    if needs.place.needs_chair and not needs.chair_ids:
        return None, [f"The clinic has no {needs.place.value.replace('_', ' ')} to book."]
    per_chair: list[list[str]] = []
    chairs = _chairs(needs)
    for chair_id in chairs:
        reasons: dict[str, None] = {}  # insertion-ordered and without repeats
        for wanted in _candidates(needs, starts_at, chair_id):
            reasons.update(dict.fromkeys(problems(wanted, calendar, occupancy, now=now)))
        per_chair.append(list(reasons))
    return None, _why_no_chair(per_chair, [calendar.chair_name(c) for c in chairs])


def first_free(
    needs: SlotNeeds,
    calendar: ClinicCalendar,
    booked: Occupancy,
    starts_at: dt.datetime,
    *,
    now: dt.datetime | None,
) -> Occupation | None:
    """The occupation at ``starts_at`` on the first free chair and nurse; None when none is.

    The same rules as ``problems`` (whose reasons ``try_start`` gives), asked without words:
    the time once, then each chair and nurse by a binary search of the books.
    """
    chairs = _chairs(needs)
    if not chairs:
        return None
    probe = next(iter(_candidates(needs, starts_at, chairs[0])), None)
    if probe is None or timing_problems(probe, calendar, now=now) or booked.patient_clashes(probe):
        return None
    chair_ids = [c for c in chairs if c is not None]
    if chair_ids:
        # On a busy day most chairs are taken: that is found without building a session.
        chairs = booked.free_chairs(chair_ids, starts_at, probe.chair_free_at)
    for chair_id in chairs:
        for wanted in _candidates(needs, starts_at, chair_id):
            if is_free(wanted, calendar, booked):
                return wanted
    return None


def _chairs(needs: SlotNeeds) -> Sequence[int | None]:
    return needs.chair_ids if needs.place.needs_chair else (None,)


def _candidates(
    needs: SlotNeeds, starts_at: dt.datetime, chair_id: int | None
) -> Iterator[Occupation]:
    """The session at ``starts_at`` on one chair with each nurse who may run it."""
    home = needs.place is Place.HOME
    ends_at = starts_at + dt.timedelta(minutes=needs.minutes)
    for nurse_id in needs.nurse_ids:
        yield Occupation(
            patient_id=needs.patient_id,
            starts_at=starts_at,
            ends_at=ends_at,
            buffer_minutes=0 if home else needs.buffer_minutes,
            chair_id=chair_id,
            nurse_id=nurse_id,
            home=home,
        )


def _why_no_chair(per_chair: list[list[str]], names: list[str]) -> list[str]:
    """One short account of why none of several chairs is free at a time."""
    if len(per_chair) <= 1:
        return per_chair[0] if per_chair else []
    # What holds whatever the chair (closed, the patient is busy) is said once ...
    shared = [p for p in per_chair[0] if all(p in other for other in per_chair[1:])]
    own = [[p for p in found if p not in shared] for found in per_chair]
    # ... and when each chair is simply taken, one sentence names them all.
    if all(own) and all(" is taken " in p for found in own for p in found):
        listed = ", ".join(names[:-1]) + f" and {names[-1]}"
        return [*shared, f"{listed} are all taken at that time (turnover included)."]
    return list(dict.fromkeys(p for found in per_chair for p in found))


def find_near(
    needs: SlotNeeds,
    calendar: ClinicCalendar,
    booked: Occupancy | Sequence[Occupation],
    *,
    days: Sequence[dt.date],
    preferred_time: dt.time,
    now: dt.datetime | None,
) -> Occupation | None:
    """The first free slot over ``days`` (in the order given), nearest the preferred time."""
    occupancy = Occupancy.of(booked)
    for day in days:
        if now is not None and day < calendar.local_day(now):
            continue
        for start in start_times(calendar, day, needs.minutes, preferred_time):
            occupation = first_free(needs, calendar, occupancy, start, now=now)
            if occupation is not None:
                return occupation
    return None


def _day_order(lo: dt.date, hi: dt.date, target: dt.date, weekdays: Sequence[int]) -> list[dt.date]:
    """Days from ``lo`` to ``hi``: nearest the target first, preferred weekdays winning ties."""
    count = (hi - lo).days + 1
    days = [lo + relativedelta(days=i) for i in range(max(count, 0))]
    return sorted(days, key=lambda d: (abs((d - target).days), d.weekday() not in weekdays, d))


def _target(lo: dt.date, hi: dt.date, weekdays: Sequence[int]) -> dt.date:
    """The first preferred weekday on or after ``lo`` (within ``hi``), else ``lo`` itself."""
    if weekdays:
        for i in range((hi - lo).days + 1):
            day = lo + relativedelta(days=i)
            if day.weekday() in weekdays:
                return day
    return lo


@dataclass(frozen=True)
class RowWindow:
    """Where one row may go: days ``lo``..``hi`` and the day it should be on."""

    target: dt.date
    lo: dt.date
    hi: dt.date


def place_row(
    number: int,
    needs: SlotNeeds,
    calendar: ClinicCalendar,
    booked: Occupancy | Sequence[Occupation],
    window: RowWindow,
    *,
    preferred_time: dt.time,
    weekdays: Sequence[int],
    now: dt.datetime | None,
    chair_ids: Sequence[int] | None = None,
    day_rule: Callable[[dt.date], list[str]] | None = None,
) -> tuple[ProposedSession, Occupation | None]:
    """Find the slot for one row: the wished-for one, else the nearest free one in the window.

    ``day_rule`` says why the course's spacing refuses a day; no row goes on such a day.
    """
    if chair_ids is not None:
        needs = replace(needs, chair_ids=chair_ids)
    if window.lo > window.hi:
        reason = (
            f"No day fits the protocol's spacing: the session could not be before "
            f"{calendar.day_text(window.lo)}, which is past the latest allowed day, "
            f"{calendar.day_text(window.hi)}."
        )
        return ProposedSession(number, None, None, None, "", None, True, reason), None
    occupancy = Occupancy.of(booked)

    def refused(day: dt.date) -> list[str]:
        return day_rule(day) if day_rule is not None else []

    wished = calendar.at(window.target, preferred_time)
    why = refused(window.target)
    taken = None
    if why:
        short = spacing_phrase(number - 1 if number > 1 else None)
    else:
        taken, why = try_start(needs, calendar, occupancy, wished, now=now)
        short = _short_reason(needs, calendar, occupancy, wished, now=now) if why else ""
    if taken is None:
        days = [
            d for d in _day_order(window.lo, window.hi, window.target, weekdays) if not refused(d)
        ]
        taken = find_near(
            needs, calendar, occupancy, days=days, preferred_time=preferred_time, now=now
        )
    if taken is None:
        reason = (
            f"No free slot from {calendar.day_text(window.lo)} to {calendar.day_text(window.hi)}"
            f" within the protocol's spacing. At {calendar.when_text(wished)}: {' '.join(why)}"
        )
        row = ProposedSession(number, None, None, None, "", None, moved=True, reason=reason)
        return row, None
    moved = taken.starts_at != wished
    reason = (
        f"Moved to {calendar.when_text(taken.starts_at)}. At {calendar.when_text(wished)}: "
        + " ".join(why)
        if moved
        else ""
    )
    row = ProposedSession(
        number=number,
        starts_at=taken.starts_at,
        ends_at=taken.ends_at,
        chair_id=taken.chair_id,
        chair_name=calendar.chair_name(taken.chair_id),
        nurse_id=taken.nurse_id,
        moved=moved,
        reason=reason,
        short_reason=short if moved else "",
    )
    return row, taken


def _short_reason(
    needs: SlotNeeds,
    calendar: ClinicCalendar,
    booked: Occupancy,
    wished: dt.datetime,
    *,
    now: dt.datetime | None,
) -> str:
    """The first reason the wished-for slot is not free, in a phrase ("" without a chair)."""
    chairs = _chairs(needs)
    probe = next(iter(_candidates(needs, wished, chairs[0])), None) if chairs else None
    if probe is None:
        return ""
    return short_why(probe, calendar, booked, now=now, chairs=len(chairs))


def _chairs_starting_with(chair_ids: Sequence[int], chair_id: int | None) -> list[int]:
    """The same chair again when possible: patients and nurses like continuity."""
    if chair_id is None or chair_id not in chair_ids:
        return list(chair_ids)
    return [chair_id, *(c for c in chair_ids if c != chair_id)]


# Why a course's spacing refuses a day for its next session, given the days placed so far.
DayRule = Callable[[Sequence[dt.date], dt.date], list[str]]


def _plan_rows(
    needs: SlotNeeds,
    calendar: ClinicCalendar,
    booked: Occupancy,
    window_for: Callable[[int, dt.date | None], RowWindow],
    *,
    numbers: Sequence[int],
    previous_day: dt.date | None,
    day_rule: DayRule,
    preferred_time: dt.time,
    weekdays: Sequence[int],
    now: dt.datetime | None,
) -> list[ProposedSession]:
    """Place rows one after another, each in the window its predecessor's day allows.

    Each row placed is added to ``booked``, so the next one avoids it.
    """
    rows: list[ProposedSession] = []
    placed: list[dt.date] = []
    prev = previous_day
    chair_hint: int | None = None
    for index, number in enumerate(numbers):
        window = window_for(index, prev)
        row, occupation = place_row(
            number,
            needs,
            calendar,
            booked,
            window,
            preferred_time=preferred_time,
            weekdays=weekdays,
            now=now,
            chair_ids=_chairs_starting_with(needs.chair_ids, chair_hint),
            day_rule=lambda day: day_rule(placed, day),
        )
        rows.append(row)
        if occupation is not None:
            booked.add(occupation)
            chair_hint = occupation.chair_id
            prev = calendar.local_day(occupation.starts_at)
            placed.append(prev)
        else:
            # Keep the course's shape for the rows after a gap the desk must fill by hand.
            prev = window.target
    return rows


def plan_series(
    needs: SlotNeeds,
    calendar: ClinicCalendar,
    booked: Occupancy | Sequence[Occupation],
    *,
    count: int,
    first_day: dt.date,
    preferred_time: dt.time,
    weekdays: Sequence[int],
    spacing: Spacing,
    now: dt.datetime | None,
    first_number: int = 1,
    course_days: Sequence[dt.date] = (),
) -> list[ProposedSession]:
    """Plan ``count`` sessions, each on the wished-for day and time or the nearest free slot.

    Each session goes on the first preferred weekday at least the minimum gap after the one
    before (the last of ``course_days``, the days the course already holds, when continuing
    it), and no later than the maximum gap and the maximum span allow. Every day is asked of
    ``spacing.neighbour_problems``, as a move or a make-up of the course would be.
    """
    previous_day = max(course_days) if course_days else None
    span = [min(course_days) if course_days else None]

    def window_for(_index: int, prev: dt.date | None) -> RowWindow:
        if span[0] is None and prev is not None:
            span[0] = prev  # the course's first day, once it is placed
        return _series_window(prev, first_day, span[0], weekdays, spacing)

    occupancy = Occupancy.of(booked)
    return _plan_rows(
        needs, calendar, occupancy, window_for,
        numbers=range(first_number, first_number + count), previous_day=previous_day,
        day_rule=lambda placed, day: neighbour_problems([*course_days, *placed], day, spacing),
        preferred_time=preferred_time, weekdays=weekdays, now=now,
    )  # fmt: skip


def _series_window(
    prev: dt.date | None,
    first_day: dt.date,
    span_start: dt.date | None,
    weekdays: Sequence[int],
    spacing: Spacing,
) -> RowWindow:
    if prev is None:
        lo = first_day
        hi = first_day + relativedelta(days=FIRST_SESSION_SEARCH_DAYS - 1)
    else:
        lo = prev + relativedelta(days=spacing.min_gap_days)
        reach = spacing.max_gap_days if spacing.max_gap_days is not None else OPEN_GAP_SEARCH_DAYS
        hi = prev + relativedelta(days=max(reach, spacing.min_gap_days))
    # When continuing a course (a make-up, a reflow) the first day asked for still holds.
    lo = max(lo, first_day)
    if span_start is not None and spacing.max_span_days is not None:
        hi = min(hi, span_start + relativedelta(days=spacing.max_span_days))
    return RowWindow(target=_target(lo, hi, weekdays), lo=lo, hi=hi)


def maintenance_days(
    first_day: dt.date, every_weeks: int, *, count: int | None, until: dt.date | None
) -> list[dt.date]:
    """The days of a maintenance plan: every N weeks from the first, by count or until a day."""
    if every_weeks < 1:
        raise ValueError("every_weeks must be at least 1")
    if count is None and until is None:
        raise ValueError("a maintenance plan needs a count or an end date")
    start = dt.datetime.combine(first_day, dt.time())
    # rrule takes a count or an end, not both: with both, the end bounds and the count cuts.
    rule = rrule(
        WEEKLY,
        interval=every_weeks,
        dtstart=start,
        count=count if until is None else None,
        until=None if until is None else dt.datetime.combine(until, dt.time()),
    )
    days = [moment.date() for moment in rule]
    return days if count is None else days[:count]


def plan_maintenance(
    needs: SlotNeeds,
    calendar: ClinicCalendar,
    booked: Occupancy | Sequence[Occupation],
    *,
    days: Sequence[dt.date],
    preferred_time: dt.time,
    spacing: Spacing,
    now: dt.datetime | None,
    last_day: dt.date | None = None,
) -> list[ProposedSession]:
    """One visit near each of ``days``, at most a few days off, keeping the protocol's spacing.

    With ``last_day`` (a plan "until" a date) no visit moves past it: a closed last day
    moves its visit earlier, not later.
    """
    slack = relativedelta(days=MAINTENANCE_SLACK_DAYS)

    def window_for(index: int, prev: dt.date | None) -> RowWindow:
        day = days[index]
        lo = day - slack
        if prev is not None:
            lo = max(lo, prev + relativedelta(days=spacing.min_gap_days))
        hi = max(day + slack, lo)
        if last_day is not None:
            hi = min(hi, last_day)
        return RowWindow(target=min(max(day, lo), hi), lo=lo, hi=hi)

    return _plan_rows(
        needs, calendar, Occupancy.of(booked), window_for, numbers=range(1, len(days) + 1),
        previous_day=None, day_rule=lambda placed, day: neighbour_problems(placed, day, spacing),
        preferred_time=preferred_time, weekdays=(), now=now,
    )  # fmt: skip


def with_row_changed(
    proposal: SeriesProposal, number: int, starts_at: dt.datetime, chair_id: int | None
) -> SeriesProposal:
    """The proposal with one row put at another time and chair by the desk (checked on booking)."""
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be an aware datetime")
    if not any(row.number == number for row in proposal.rows):
        raise ValueError(f"the proposal has no session {number}")
    rows = [
        replace(
            row,
            starts_at=starts_at.astimezone(dt.UTC),
            ends_at=(starts_at + dt.timedelta(minutes=proposal.session_minutes)).astimezone(dt.UTC),
            chair_id=chair_id,
            chair_name=proposal.chair_names.get(chair_id, "") if chair_id is not None else "",
            moved=True,
            reason="Changed by the desk.",
        )
        if row.number == number
        else row
        for row in proposal.rows
    ]
    return replace(proposal, rows=rows)
