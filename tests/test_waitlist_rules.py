"""The waitlist's pure rules: who fits a free slot, why not, and in what order to call them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scheduler.domain.enums import Place
from scheduler.domain.waitlist import (
    Candidate,
    FreeSlot,
    Wish,
    days_text,
    misfits,
    rank,
    times_text,
    weigh,
)

NY = ZoneInfo("America/New_York")
# Tuesday 24 November 2026, 10:30 in the clinic; the desk looks on Monday morning.
SLOT = FreeSlot(dt.datetime(2026, 11, 24, 10, 30, tzinfo=NY), 2, "Chair 2", Place.CHAIR)
NOW = dt.datetime(2026, 11, 16, 9, 0, tzinfo=NY)
LONG_AGO = dt.datetime(2026, 9, 1, 12, 0, tzinfo=dt.UTC)


def wish(entry_id: int = 1, **terms: Any) -> Wish:
    fields: dict[str, object] = {
        "entry_id": entry_id,
        "patient_name": f"Patient {entry_id}",
        "therapy_name": "IV ketamine infusion",
        "places": (Place.CHAIR,),
        "added_at": LONG_AGO + dt.timedelta(days=entry_id),
    }
    fields.update(terms)
    return Wish(**fields)  # type: ignore[arg-type]


def test_a_slot_is_named_as_the_desk_says_it() -> None:
    assert SLOT.text == "Tue, Nov 24 at 10:30 AM, Chair 2"


def test_open_terms_fit_any_slot() -> None:
    candidate = weigh(wish(), SLOT, NOW)
    assert candidate.fits
    assert candidate.bookable
    assert candidate.reason == ""


@pytest.mark.parametrize(
    ("terms", "reason"),
    [
        ({"places": (Place.ROOM,)}, "IV ketamine infusion is not given in Chair 2."),
        ({"weekdays": (0, 2)}, "Comes Mon, Wed only."),
        ({"earliest_start": dt.time(13)}, "From 1:00 PM only."),
        ({"latest_start": dt.time(10)}, "Until 10:00 AM only."),
        ({"earliest_start": dt.time(8), "latest_start": dt.time(9)}, "8:00–9:00 AM only."),
        ({"chair_ids": (1, 3)}, "Not Chair 2."),
        ({"earliest_day": dt.date(2026, 11, 30)}, "Not before Mon, Nov 30."),
        ({"notice_hours": 200}, "Needs 200 hours' notice."),
    ],
)
def test_each_term_the_slot_breaks_is_named(terms: dict[str, Any], reason: str) -> None:
    candidate = weigh(wish(**terms), SLOT, NOW)
    assert not candidate.fits
    assert candidate.reason == reason


def test_terms_the_slot_keeps_let_it_fit() -> None:
    kept = wish(
        weekdays=(1,), earliest_start=dt.time(9), latest_start=dt.time(10, 30), chair_ids=(2,),
        earliest_day=dt.date(2026, 11, 24), notice_hours=48,
    )  # fmt: skip
    assert misfits(kept, SLOT, NOW) == []


def test_a_slot_already_begun_fits_nobody() -> None:
    later = SLOT.starts_at + dt.timedelta(minutes=1)
    assert misfits(wish(), SLOT, later) == ["Past."]


def test_blockers_and_slot_problems_are_kept_apart_from_the_terms() -> None:
    blocked = weigh(wish(blockers=("Not cleared after screening.",)), SLOT, NOW, ["Chair busy."])
    assert blocked.fits
    assert not blocked.bookable
    assert blocked.blockers == ("Not cleared after screening.", "Chair busy.")
    assert blocked.reason == "Not cleared after screening. Chair busy."


def test_rank_puts_bookable_first_then_the_longest_waiting() -> None:
    newest_clear = weigh(wish(3), SLOT, NOW)
    oldest_blocked = weigh(wish(1, blockers=("Not cleared.",)), SLOT, NOW)
    middle_clear = weigh(wish(2), SLOT, NOW)
    not_fitting = weigh(wish(0, weekdays=(4,)), SLOT, NOW)
    ranked = rank([newest_clear, oldest_blocked, not_fitting, middle_clear])
    assert [c.wish.entry_id for c in ranked] == [2, 3, 1]


def test_rank_breaks_a_tie_in_waiting_time_by_entry() -> None:
    same = [weigh(wish(n, added_at=LONG_AGO), SLOT, NOW) for n in (5, 4)]
    assert [c.wish.entry_id for c in rank(same)] == [4, 5]
    assert isinstance(rank(same)[0], Candidate)


@pytest.mark.parametrize(
    ("weekdays", "text"),
    [((), "Any day"), (tuple(range(7)), "Any day"), ((4, 0, 2), "Mon, Wed, Fri"), ((6,), "Sun")],
)
def test_days_in_short(weekdays: tuple[int, ...], text: str) -> None:
    assert days_text(weekdays) == text


@pytest.mark.parametrize(
    ("earliest", "latest", "text"),
    [
        (None, None, "Any time"),
        (dt.time(9), None, "From 9:00 AM"),
        (None, dt.time(16, 30), "Until 4:30 PM"),
        (dt.time(9), dt.time(11, 30), "9:00–11:30 AM"),
    ],
)
def test_times_in_short(earliest: dt.time | None, latest: dt.time | None, text: str) -> None:
    assert times_text(earliest, latest) == text
