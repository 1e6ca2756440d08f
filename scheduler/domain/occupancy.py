"""What is on the books around a plan: every chair, patient and nurse as sorted intervals.

Planning a course asks "is this chair free at this time?" thousands of times. ``Occupancy``
answers each question with a binary search in the intervals of that one chair (patient,
nurse), so the answer costs the same whether the clinic has a hundred sessions ahead or
thirty thousand. It is filled once per plan, by whole days as the search reaches them: each
day by queries bounded by start time (the services pass them in as a loader), the day
before only for what still runs into it, so a plan reads the few days it looks at, not the
weeks it might, and never answers on missing rows.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# No session, turnover and home-visit travel included, lasts longer than this: a question
# about an instant needs every session that started up to this long before it.
LONGEST_SESSION = dt.timedelta(days=1)


@dataclass(frozen=True)
class Occupation:
    """A session as availability sees it: who, where, when, and how long the chair stays taken.

    ``home`` sessions take no chair; their nurse is away for ``travel`` minutes either side.
    """

    patient_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    buffer_minutes: int = 0
    chair_id: int | None = None
    nurse_id: int | None = None
    home: bool = False
    session_id: int | None = None
    series_id: int | None = None

    @property
    def chair_free_at(self) -> dt.datetime:
        return self.ends_at + dt.timedelta(minutes=self.buffer_minutes)

    def nurse_window(self, travel_minutes: int) -> tuple[dt.datetime, dt.datetime]:
        """When the nurse is taken by this session (travel included for a home visit)."""
        if not self.home:
            return self.starts_at, self.ends_at
        travel = dt.timedelta(minutes=travel_minutes)
        return self.starts_at - travel, self.ends_at + travel

    def is_same_session(self, other: Occupation) -> bool:
        """Whether both stand for one booked session (a session never clashes with itself)."""
        return self.session_id is not None and self.session_id == other.session_id


# Which occupations start from the first instant up to (not including) the second; with a
# third, those starting before it may be left out unless still running after it (see
# ``may_run_after``, which holds for any that starts after it).
Loader = Callable[[dt.datetime, dt.datetime, dt.datetime | None], Iterable[Occupation]]


class _Line:
    """One chair's, patient's or nurse's occupations in order of start, with their ends.

    ``reach[i]`` is the latest end among the first ``i + 1``: whether anything runs in a
    span is then one binary search and one comparison (``Occupancy.free_chairs``), the
    question a plan asks most.
    """

    __slots__ = ("ends", "items", "longest", "reach", "starts")

    def __init__(self) -> None:
        self.starts: list[dt.datetime] = []
        self.ends: list[dt.datetime] = []
        self.reach: list[dt.datetime] = []
        self.items: list[Occupation] = []
        self.longest = dt.timedelta(0)

    def add(self, occupation: Occupation, until: dt.datetime) -> None:
        start = occupation.starts_at
        if until - start > self.longest:
            self.longest = until - start
        if not self.starts or start >= self.starts[-1]:  # the books come in order of start
            self.starts.append(start)
            self.ends.append(until)
            self.reach.append(max(self.reach[-1], until) if self.reach else until)
            self.items.append(occupation)
            return
        at = bisect_right(self.starts, start)
        self.starts.insert(at, start)
        self.ends.insert(at, until)
        self.items.insert(at, occupation)
        self.reach.insert(at, until)
        for i in range(at, len(self.ends)):
            self.reach[i] = max(self.reach[i - 1], self.ends[i]) if i else self.ends[i]

    def running(self, start: dt.datetime, end: dt.datetime, wanted: Occupation) -> list[Occupation]:
        """Those running at some time from ``start`` to ``end`` (but ``wanted`` itself).

        Found by binary search: nothing that starts ``longest`` or more before ``start`` can
        still be running then, nothing that starts at ``end`` or later runs before it.
        """
        first = bisect_right(self.starts, start - self.longest)
        last = bisect_left(self.starts, end, first)
        ends, items = self.ends, self.items
        return [
            items[i]
            for i in range(first, last)
            if ends[i] > start and not items[i].is_same_session(wanted)
        ]


class Occupancy:
    """The sessions on the books in a window, indexed by chair, patient and nurse.

    Built from a list (which is then all there is), or from a ``loader`` that is asked for
    each stretch of time a question needs and that is not loaded yet (``cover``).
    """

    def __init__(self, occupations: Iterable[Occupation] = (), *, loader: Loader | None = None):
        self._chairs: dict[int, _Line] = {}
        # A plan asks about one patient among thousands: a patient's line is sorted out of
        # everything loaded when first asked for, and kept up to date from then on.
        self._patients: dict[int, _Line] = {}
        self._all: list[Occupation] = []
        self._nurses: dict[int, _Line] = {}
        self._loader = loader
        self._loaded: list[tuple[dt.datetime, dt.datetime]] = []  # answered for, merged
        self._ids: set[int] = set()  # sessions loaded (a long one may be read twice)
        for occupation in occupations:
            self.add(occupation)

    @classmethod
    def of(cls, booked: Occupancy | Iterable[Occupation]) -> Occupancy:
        """``booked`` itself when it is an occupancy, else one holding exactly those."""
        return booked if isinstance(booked, Occupancy) else cls(booked)

    def add(self, occupation: Occupation) -> None:
        """Put a session on these books (one just planned, so the next row avoids it)."""
        if occupation.chair_id is not None:
            _line(self._chairs, occupation.chair_id).add(occupation, occupation.chair_free_at)
        self._all.append(occupation)
        line = self._patients.get(occupation.patient_id)
        if line is not None:
            line.add(occupation, occupation.ends_at)
        if occupation.nurse_id is not None:
            _line(self._nurses, occupation.nurse_id).add(occupation, occupation.ends_at)

    def cover(self, start: dt.datetime, end: dt.datetime) -> None:
        """Make sure every session that may run between ``start`` and ``end`` is here.

        What is loaded is kept as the stretches of time it answers for. A stretch is read as
        the sessions starting in it, and those started the day before that are still running
        when it begins (on a clinic's day a handful at most), in one read.
        """
        if self._loader is None:
            return
        if any(lo <= start and end <= hi for lo, hi in self._loaded):
            return
        # To the end of the day, from a round hour: the next question is most likely about
        # the same day, a little earlier or later.
        lo = _round_hour(start)
        hi = _round_hour(end).replace(hour=0) + dt.timedelta(days=1)
        for gap_lo, gap_hi in self._gaps(lo, hi):
            self._take(self._loader(gap_lo - LONGEST_SESSION, gap_hi, gap_lo))
            self._loaded.append((gap_lo, gap_hi))
        self._loaded = _merged(self._loaded)

    def _take(self, loaded: Iterable[Occupation]) -> None:
        for occupation in loaded:
            if occupation.session_id is None or occupation.session_id not in self._ids:
                self.add(occupation)
                if occupation.session_id is not None:
                    self._ids.add(occupation.session_id)

    def _gaps(self, lo: dt.datetime, hi: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """The parts of ``lo``..``hi`` not loaded yet."""
        gaps = []
        for have_lo, have_hi in self._loaded:
            if have_hi <= lo:
                continue
            if have_lo >= hi:
                break
            if have_lo > lo:
                gaps.append((lo, have_lo))
            lo = max(lo, have_hi)
        if lo < hi:
            gaps.append((lo, hi))
        return gaps

    def chair_clashes(self, wanted: Occupation) -> list[Occupation]:
        """Sessions holding ``wanted``'s chair while it would (turnover on both sides)."""
        if wanted.chair_id is None:
            return []
        start, until = wanted.starts_at, wanted.chair_free_at
        self.cover(start, until)
        line = self._chairs.get(wanted.chair_id)
        return [] if line is None else line.running(start, until, wanted)

    def free_chairs(
        self, chair_ids: Iterable[int], start: dt.datetime, until: dt.datetime
    ) -> list[int]:
        """Of ``chair_ids``, those a new session may hold from ``start`` to ``until``.

        The same answer as an empty ``chair_clashes``, for many chairs at once and faster.
        """
        self.cover(start, until)
        lines = self._chairs
        # A chair is busy when one of those starting before ``until`` (the first ``last``)
        # runs past ``start``: exactly when the latest of their ends does. A plan asks this
        # of every chair at hundreds of times, so it is written out here.
        found = []
        for chair_id in chair_ids:
            line = lines.get(chair_id)
            if line is None:
                found.append(chair_id)
                continue
            last = bisect_left(line.starts, until)
            if last == 0 or line.reach[last - 1] <= start:
                found.append(chair_id)
        return found

    def patient_clashes(self, wanted: Occupation) -> list[Occupation]:
        """The patient's other sessions running at the same time as ``wanted``."""
        start, end = wanted.starts_at, wanted.ends_at
        self.cover(start, end)
        return self._patient_line(wanted.patient_id).running(start, end, wanted)

    def _patient_line(self, patient_id: int) -> _Line:
        line = self._patients.get(patient_id)
        if line is None:
            line = self._patients[patient_id] = _Line()
            for occupation in sorted(
                (o for o in self._all if o.patient_id == patient_id), key=lambda o: o.starts_at
            ):
                line.add(occupation, occupation.ends_at)
        return line

    def nurse_sessions(self, wanted: Occupation, travel_minutes: int) -> list[Occupation]:
        """The nurse's other sessions that take her while ``wanted`` would (travel included)."""
        if wanted.nurse_id is None:
            return []
        start, end = wanted.nurse_window(travel_minutes)
        travel = dt.timedelta(minutes=travel_minutes)
        self.cover(start - travel, end + travel)
        line = self._nurses.get(wanted.nurse_id)
        if line is None:
            return []
        found = []
        # Her other sessions' own travel may reach into the window from either side.
        for o in line.running(start - travel, end + travel, wanted):
            o_start, o_end = o.nurse_window(travel_minutes)
            if o_start < end and start < o_end:
                found.append(o)
        return found


def _line(lines: dict[int, _Line], key: int) -> _Line:
    line = lines.get(key)
    if line is None:
        line = lines[key] = _Line()
    return line


# Turnover after a session, and a nurse's travel around a home visit, run past its end; the
# books read for a stretch of time leave out what the day before ended longer ago than this
# and could not reach into it.
LONGEST_TAIL = dt.timedelta(hours=6)


def may_run_after(occupation: Occupation, instant: dt.datetime) -> bool:
    """Whether a session, with its turnover or a nurse's travel, might run past ``instant``.

    What a loader must keep when asked for what runs after an instant (it may keep more).
    """
    return (
        occupation.home
        or occupation.ends_at > instant - LONGEST_TAIL
        or occupation.buffer_minutes > LONGEST_TAIL.total_seconds() // 60
    )


def _round_hour(instant: dt.datetime) -> dt.datetime:
    """The quarter of the day ``instant`` falls in, by its start (0, 6, 12 or 18 o'clock)."""
    return instant.replace(hour=instant.hour - instant.hour % 6, minute=0, second=0, microsecond=0)


def _merged(spans: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged
