"""Every date and time staff and patients read, in one US style with 12-hour clock times.

Spelled out here rather than with ``strftime``, whose day and month names and AM/PM follow the
machine's locale settings: the desk, the letters and the refusal sentences must read the same
on every computer. The functions take wall-clock values; converting an instant to the clinic's
zone is the caller's job, done before formatting. Machine formats (file names, CSV, command
arguments, the audit's stored values) stay ISO and do not come through here.
"""

from __future__ import annotations

import datetime as dt

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
SHORT_WEEKDAYS = tuple(name[:3] for name in WEEKDAYS)


def _meridiem(moment: dt.time | dt.datetime) -> str:
    return "AM" if moment.hour < 12 else "PM"


def _noon_or_midnight(moment: dt.time | dt.datetime) -> str | None:
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "noon"
    return None


def _hour(moment: dt.time | dt.datetime) -> int:
    return moment.hour % 12 or 12


def clock_time(moment: dt.time | dt.datetime) -> str:
    """A time of day: "4:00 AM", "10:45 PM", "12:00 noon", "12:00 midnight".

    Noon and midnight are spelled out, never the ambiguous "12:00 AM".
    """
    special = _noon_or_midnight(moment)
    if special is not None:
        return f"12:00 {special}"
    return f"{_hour(moment)}:{moment.minute:02d} {_meridiem(moment)}"


def hour_label(moment: dt.time | dt.datetime) -> str:
    """The mark of a whole hour on a time axis: "9 AM", "1 PM", "12 noon", "12 midnight"."""
    special = _noon_or_midnight(moment)
    if special is not None:
        return f"12 {special}"
    return f"{_hour(moment)} {_meridiem(moment)}"


def time_range(start: dt.time | dt.datetime, end: dt.time | dt.datetime) -> str:
    """From one time to another: "10:00–11:30 AM", "11:30 AM–1:00 PM", "11:00 AM–12:00 noon".

    The AM/PM is written once when both ends share it.
    """
    same_half = _meridiem(start) == _meridiem(end)
    if same_half and _noon_or_midnight(start) is None and _noon_or_midnight(end) is None:
        return f"{_hour(start)}:{start.minute:02d}–{clock_time(end)}"
    return f"{clock_time(start)}–{clock_time(end)}"


def weekday(day: dt.date) -> str:
    """The day's name: "Monday"."""
    return WEEKDAYS[day.weekday()]


def short_weekday(day: dt.date) -> str:
    """The day's name in three letters: "Mon"."""
    return SHORT_WEEKDAYS[day.weekday()]


def _short_month(day: dt.date) -> str:
    return MONTHS[day.month - 1][:3]


def day_and_date(day: dt.date) -> str:
    """A day this week or next, as a letter names it: "Monday, November 16"."""
    return f"{weekday(day)}, {MONTHS[day.month - 1]} {day.day}"


def long_date(day: dt.date) -> str:
    """A day in full, for headings, letters and sentences: "Monday, November 16, 2026"."""
    return f"{day_and_date(day)}, {day.year}"


def short_day(day: dt.date) -> str:
    """A day without its year, for column headers and lists of a course's days: "Mon, Nov 16"."""
    return f"{short_weekday(day)}, {_short_month(day)} {day.day}"


def month_day(day: dt.date) -> str:
    """A day on a chart's axis, where the weekday would crowd it: "Nov 16"."""
    return f"{_short_month(day)} {day.day}"


def month_and_year(day: dt.date) -> str:
    """The month a day falls in, for a chart's axis or a report's column: "Nov 2026"."""
    return f"{_short_month(day)} {day.year}"


def short_date(day: dt.date) -> str:
    """A day in a table cell or a short sentence: "Mon, Nov 16, 2026"."""
    return f"{short_day(day)}, {day.year}"


def numeric_date(day: dt.date) -> str:
    """A date in figures, month first: "05/12/1984" (what US forms and date fields show)."""
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def date_of_birth(day: dt.date) -> str:
    """A patient's date of birth, as US forms write it: "05/12/1984"."""
    return numeric_date(day)


def date_and_time(moment: dt.datetime) -> str:
    """A day and a time: "Mon, Nov 16, 2026, 10:45 AM"."""
    return f"{short_date(moment.date())}, {clock_time(moment)}"


def time_range_on(start: dt.datetime, end: dt.datetime) -> str:
    """Two times on the day ``start`` falls on: "10:00–11:30 AM on Mon, Nov 16, 2026"."""
    return f"{time_range(start, end)} on {short_date(start.date())}"


def timestamp(moment: dt.datetime) -> str:
    """When something was recorded, to the second: "11/16/2026 10:45:03 AM"."""
    return (
        f"{numeric_date(moment.date())} {_hour(moment)}:{moment.minute:02d}:"
        f"{moment.second:02d} {_meridiem(moment)}"
    )


def date_span(first: dt.date, last: dt.date) -> str:
    """The days from one date to another: "Nov 16–22, 2026", "Nov 30–Dec 4, 2026".

    One day reads as that day ("Nov 16, 2026"); a span across New Year names both years.
    """
    start = f"{_short_month(first)} {first.day}"
    if first == last:
        return f"{start}, {first.year}"
    if first.year != last.year:
        return f"{start}, {first.year}–{_short_month(last)} {last.day}, {last.year}"
    if first.month == last.month:
        return f"{start}–{last.day}, {last.year}"
    return f"{start}–{_short_month(last)} {last.day}, {last.year}"


def duration(minutes: int) -> str:
    """A length of time: "6 hours", "1 hour", "30 minutes", "1 hour 30 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)
