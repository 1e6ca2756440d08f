"""The one style of dates and times: exact words, whatever the machine's locale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from scheduler.domain import when

MONDAY = dt.date(2026, 11, 16)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (dt.time(4, 0), "4:00 AM"),
        (dt.time(10, 45), "10:45 AM"),
        (dt.time(22, 5), "10:05 PM"),
        (dt.time(0, 0), "12:00 midnight"),
        (dt.time(12, 0), "12:00 noon"),
        (dt.time(0, 30), "12:30 AM"),
        (dt.time(12, 30), "12:30 PM"),
        (dt.datetime(2026, 11, 16, 13, 15), "1:15 PM"),
    ],
)
def test_clock_time(moment: dt.time, text: str) -> None:
    assert when.clock_time(moment) == text


@pytest.mark.parametrize(
    ("hour", "text"),
    [(0, "12 midnight"), (9, "9 AM"), (12, "12 noon"), (13, "1 PM"), (23, "11 PM")],
)
def test_hour_label(hour: int, text: str) -> None:
    assert when.hour_label(dt.time(hour, 0)) == text


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (dt.time(10, 0), dt.time(11, 30), "10:00–11:30 AM"),
        (dt.time(11, 30), dt.time(13, 0), "11:30 AM–1:00 PM"),
        (dt.time(11, 0), dt.time(12, 0), "11:00 AM–12:00 noon"),
        (dt.time(12, 0), dt.time(13, 0), "12:00 noon–1:00 PM"),
        (dt.time(14, 0), dt.time(16, 45), "2:00–4:45 PM"),
    ],
)
def test_time_range(start: dt.time, end: dt.time, text: str) -> None:
    assert when.time_range(start, end) == text


@pytest.mark.parametrize(
    ("show", "text"),
    [
        (when.weekday, "Monday"),
        (when.short_weekday, "Mon"),
        (when.day_and_date, "Monday, November 16"),
        (when.long_date, "Monday, November 16, 2026"),
        (when.short_day, "Mon, Nov 16"),
        (when.month_day, "Nov 16"),
        (when.month_and_year, "Nov 2026"),
        (when.short_date, "Mon, Nov 16, 2026"),
        (when.numeric_date, "11/16/2026"),
    ],
)
def test_dates(show: Callable[[dt.date], str], text: str) -> None:
    assert show(MONDAY) == text


def test_date_of_birth_is_month_first_in_figures() -> None:
    assert when.date_of_birth(dt.date(1984, 5, 2)) == "05/02/1984"


def test_date_and_time() -> None:
    assert when.date_and_time(dt.datetime(2026, 11, 16, 10, 45)) == "Mon, Nov 16, 2026, 10:45 AM"


def test_time_range_on() -> None:
    start, end = dt.datetime(2026, 11, 16, 10, 0), dt.datetime(2026, 11, 16, 11, 30)
    assert when.time_range_on(start, end) == "10:00–11:30 AM on Mon, Nov 16, 2026"


def test_timestamp() -> None:
    assert when.timestamp(dt.datetime(2026, 11, 16, 14, 5, 3)) == "11/16/2026 2:05:03 PM"


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        (MONDAY, MONDAY, "Nov 16, 2026"),
        (MONDAY, dt.date(2026, 11, 22), "Nov 16–22, 2026"),
        (dt.date(2026, 11, 30), dt.date(2026, 12, 4), "Nov 30–Dec 4, 2026"),
        (dt.date(2026, 12, 28), dt.date(2027, 1, 3), "Dec 28, 2026–Jan 3, 2027"),
    ],
)
def test_date_span(first: dt.date, last: dt.date, text: str) -> None:
    assert when.date_span(first, last) == text


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (360, "6 hours"),
        (60, "1 hour"),
        (30, "30 minutes"),
        (90, "1 hour 30 minutes"),
        (1, "1 minute"),
    ],
)
def test_duration(minutes: int, text: str) -> None:
    assert when.duration(minutes) == text
