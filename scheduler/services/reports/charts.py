"""The frozen views of the clinic's numbers: one ``Chart`` per figure, ready to draw or export.

A chart is some named series of numbers over the same periods; the desk draws each series
in its own colour with the names in the legend, and writes the same numbers to CSV.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from scheduler.services.reports.periods import Period, PeriodUnit, label


class ChartKind(StrEnum):
    """How a chart is drawn: bars side by side per period, or a line per series."""

    BARS = "bars"
    LINES = "lines"


@dataclass(frozen=True)
class ChartSeries:
    """One named row of numbers, a value per period of its chart."""

    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """A figure of the report: its title, the periods along its axis and its series."""

    key: str  # a stable name, for files: "utilisation", "no_shows"
    title: str
    unit: PeriodUnit
    starts: tuple[dt.date, ...]  # the first day of each period
    value_label: str  # the vertical axis: "% of open chair time", "Sessions"
    series: tuple[ChartSeries, ...]
    kind: ChartKind = ChartKind.BARS
    note: str = ""  # how the numbers are counted, shown under the chart
    # The CSV table when the chart's own is richer than its series (see ``csv_table``).
    table: tuple[tuple[str, ...], ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """The periods' names along the axis ("Nov 16", "Nov 2026")."""
        return tuple(label(day, self.unit) for day in self.starts)

    @property
    def is_empty(self) -> bool:
        return not any(value for s in self.series for value in s.values)

    def csv_table(self) -> tuple[tuple[str, ...], ...]:
        """The rows a CSV export writes, heading first: ISO dates, plain numbers."""
        if self.table:
            return self.table
        heading = (self.unit.heading, *(s.name for s in self.series))
        rows = [
            (day.isoformat(), *(_number(s.values[n]) for s in self.series))
            for n, day in enumerate(self.starts)
        ]
        return (heading, *rows)


@dataclass(frozen=True)
class ChartSpec:
    """What a chart is, before its numbers: its name, words and how it is drawn."""

    key: str
    title: str
    value_label: str
    note: str = ""
    kind: ChartKind = ChartKind.BARS

    def over(
        self,
        unit: PeriodUnit,
        periods: Sequence[Period],
        series: tuple[ChartSeries, ...],
        table: tuple[tuple[str, ...], ...] = (),
    ) -> Chart:
        """The chart with its numbers: ``series`` over ``periods``."""
        return Chart(
            key=self.key,
            title=self.title,
            unit=unit,
            starts=tuple(p.first for p in periods),
            value_label=self.value_label,
            series=series,
            kind=self.kind,
            note=self.note,
            table=table,
        )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def counted(
    periods: Sequence[Period], counts: dict[tuple[int, str], int], names: Sequence[str]
) -> tuple[ChartSeries, ...]:
    """Series named ``names`` from counts keyed by (period number, series name); none is 0."""
    return tuple(
        ChartSeries(name, tuple(float(counts.get((n, name), 0)) for n in range(len(periods))))
        for name in names
    )
