"""A report's date range cut into days, weeks or months of the clinic's calendar.

Each period is also a pair of UTC instants (the clinic's midnights at either end), so a
query can join the sessions or letters to the periods with a range condition the time
indexes serve, and group by period on SQLite and PostgreSQL alike, daylight saving included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import CTE, Integer, column, values

from scheduler.domain.when import month_and_year, month_day
from scheduler.errors import ServiceError
from scheduler.store.models import UTCDateTime

# The longest range a report covers: a few years of weeks is as much as a chart can show.
LONGEST_RANGE = dt.timedelta(days=3 * 366)


class ReportRefused(ServiceError):
    """A report asked for days it cannot cover (backwards, or too long a range)."""


class PeriodUnit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    @property
    def heading(self) -> str:
        """What a column of period starts is called in a CSV file and on an axis."""
        return _HEADINGS[self]


_HEADINGS = {
    PeriodUnit.DAY: "Day",
    PeriodUnit.WEEK: "Week starting",
    PeriodUnit.MONTH: "Month",
}


@dataclass(frozen=True)
class Period:
    """Some of the report's days: ``first`` to ``last``, and the instants they span."""

    first: dt.date
    last: dt.date
    starts: dt.datetime  # the clinic's midnight at the start of ``first``, in UTC
    ends: dt.datetime  # the clinic's midnight after ``last``, in UTC

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def check_range(first: dt.date, last: dt.date) -> None:
    """Refuse a range that runs backwards or is longer than a report covers, in one sentence."""
    if last < first:
        raise ReportRefused(
            f"The report's last day ({last.isoformat()}) is before its first day "
            f"({first.isoformat()}); swap them."
        )
    if last - first >= LONGEST_RANGE:
        raise ReportRefused("A report covers at most three years; choose a shorter range.")


def cut(zone: ZoneInfo, first: dt.date, last: dt.date, unit: PeriodUnit) -> list[Period]:
    """The periods from ``first`` to ``last``: whole weeks from Monday and whole months,
    except that the first and last are cut at the range's ends."""
    check_range(first, last)
    periods = []
    start = first
    while start <= last:
        end = min(_next_start(start, unit) - dt.timedelta(days=1), last)
        periods.append(Period(start, end, _midnight(zone, start), _midnight(zone, end, after=True)))
        start = end + dt.timedelta(days=1)
    return periods


def _next_start(day: dt.date, unit: PeriodUnit) -> dt.date:
    if unit is PeriodUnit.DAY:
        return day + dt.timedelta(days=1)
    if unit is PeriodUnit.WEEK:
        return day + dt.timedelta(days=7 - day.weekday())
    return day.replace(day=1) + relativedelta(months=1)


def _midnight(zone: ZoneInfo, day: dt.date, *, after: bool = False) -> dt.datetime:
    if after:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0), zone).astimezone(dt.UTC)


def label(day: dt.date, unit: PeriodUnit) -> str:
    """A period's name on a chart: "Nov 16" for a day or week, "Nov 2026" for a month."""
    return month_and_year(day) if unit is PeriodUnit.MONTH else month_day(day)


def period_table(periods: Sequence[Period], name: str = "periods") -> CTE:
    """The periods as a table of (number, starts, ends) rows, to join the clinic's rows to.

    A common table expression over VALUES: SQLite cannot name a VALUES list's columns in
    FROM, and a UNION of that many SELECTs would pass its compound-select limit.
    """
    return (
        values(
            column("number", Integer),
            column("starts", UTCDateTime()),
            column("ends", UTCDateTime()),
            name=name,
        )
        .data([(n, p.starts, p.ends) for n, p in enumerate(periods)])
        .cte(name)
    )
