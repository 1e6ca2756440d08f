"""The waitlist: who could take a chair that has come free, and in what order to call them.

Pure rules. A ``Wish`` is what a waiting patient accepts (days, times, chairs, notice); a
``FreeSlot`` is a chair at a start time. ``rank`` says of each wish whether it fits the slot
and why not, and orders those who fit: patients who could be booked now before those a safety
check would refuse (the desk should call someone it can book), and within each, whoever has
waited longest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scheduler.domain.enums import Place
from scheduler.domain.when import SHORT_WEEKDAYS, clock_time, short_day, time_range


@dataclass(frozen=True)
class Wish:
    """One waiting patient's terms: what they need and when and where they could come.

    Empty ``weekdays`` or ``chair_ids`` mean any; ``earliest_start``/``latest_start`` bound the
    session's start (wall-clock, either may be open). ``blockers`` are the reasons the booking
    rules would refuse them today (screening not cleared, an open contraindication, REMS),
    worked out by the service that knows the patient.
    """

    entry_id: int
    patient_name: str
    therapy_name: str
    places: tuple[Place, ...]  # where the therapy is given, the usual place first
    added_at: dt.datetime
    weekdays: tuple[int, ...] = ()
    earliest_start: dt.time | None = None
    latest_start: dt.time | None = None
    chair_ids: tuple[int, ...] = ()
    earliest_day: dt.date | None = None
    notice_hours: int = 0
    blockers: tuple[str, ...] = ()


@dataclass(frozen=True)
class FreeSlot:
    """A chair (or room) free from ``starts_at`` (aware, in the clinic's time zone)."""

    starts_at: dt.datetime
    chair_id: int
    chair_name: str
    place: Place  # the kind of place the chair is

    @property
    def text(self) -> str:
        """The slot as the desk names it: "Tue, Nov 24 at 10:30 AM, Chair 2"."""
        return slot_text(self.starts_at, self.chair_name)


def slot_text(starts_at: dt.datetime, chair_name: str) -> str:
    """A slot as the desk names it: "Tue, Nov 24 at 10:30 AM, Chair 2".

    ``starts_at`` is on the clinic's clock.
    """
    return f"{short_day(starts_at.date())} at {clock_time(starts_at)}, {chair_name}"


@dataclass(frozen=True)
class Candidate:
    """A wish weighed against a slot: whether it fits, whether it could be booked, and why not."""

    wish: Wish
    misfits: tuple[str, ...]  # why the slot does not suit the patient's terms
    blockers: tuple[str, ...]  # why the booking rules would refuse them (the slot does suit)

    @property
    def fits(self) -> bool:
        return not self.misfits

    @property
    def bookable(self) -> bool:
        return not self.misfits and not self.blockers

    @property
    def reason(self) -> str:
        """One short line for the desk: why they do not fit or are blocked; "" when neither."""
        return " ".join(self.misfits or self.blockers)


def days_text(weekdays: Iterable[int]) -> str:
    """The days a patient can come, in short: "Mon, Wed, Fri"; "Any day" when not limited."""
    days = sorted(set(weekdays))
    if not days or len(days) == 7:
        return "Any day"
    return ", ".join(SHORT_WEEKDAYS[d] for d in days)


def times_text(earliest: dt.time | None, latest: dt.time | None) -> str:
    """The window a session may start in: "9:00–11:30 AM", "From 1:00 PM", "Any time"."""
    if earliest is not None and latest is not None:
        return time_range(earliest, latest)
    if earliest is not None:
        return f"From {clock_time(earliest)}"
    if latest is not None:
        return f"Until {clock_time(latest)}"
    return "Any time"


def misfits(wish: Wish, slot: FreeSlot, now: dt.datetime) -> list[str]:
    """Why the slot does not suit the wish, each in a few words; empty when it does."""
    found: list[str] = []
    if slot.place not in wish.places:
        found.append(f"{wish.therapy_name} is not given in {slot.chair_name}.")
    day, start = slot.starts_at.date(), slot.starts_at.time()
    if wish.weekdays and day.weekday() not in wish.weekdays:
        found.append(f"Comes {days_text(wish.weekdays)} only.")
    too_early = wish.earliest_start is not None and start < wish.earliest_start
    too_late = wish.latest_start is not None and start > wish.latest_start
    if too_early or too_late:
        found.append(f"{times_text(wish.earliest_start, wish.latest_start)} only.")
    if wish.chair_ids and slot.chair_id not in wish.chair_ids:
        found.append(f"Not {slot.chair_name}.")
    if wish.earliest_day is not None and day < wish.earliest_day:
        found.append(f"Not before {short_day(wish.earliest_day)}.")
    if slot.starts_at < now + dt.timedelta(hours=wish.notice_hours):
        found.append(f"Needs {wish.notice_hours} hours' notice." if wish.notice_hours else "Past.")
    return found


def weigh(
    wish: Wish, slot: FreeSlot, now: dt.datetime, slot_problems: Sequence[str] = ()
) -> Candidate:
    """The wish against the slot; ``slot_problems`` are the booking rules' objections to it."""
    return Candidate(wish, tuple(misfits(wish, slot, now)), (*wish.blockers, *slot_problems))


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Those who fit, best first: bookable before blocked, then whoever has waited longest."""
    fitting = [c for c in candidates if c.fits]
    return sorted(fitting, key=lambda c: (not c.bookable, c.wish.added_at, c.wish.entry_id))
