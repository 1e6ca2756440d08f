"""A chart's numbers as a CSV file, and any exported file, written whole or not at all."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from scheduler.services.letters import write_files
from scheduler.services.reports.charts import Chart


def csv_bytes(chart: Chart) -> bytes:
    """The chart's table as CSV (UTF-8, a heading row, ISO dates, plain numbers)."""
    text = io.StringIO(newline="")
    csv.writer(text).writerows(chart.csv_table())
    return text.getvalue().encode("utf-8")


def write_csv(chart: Chart, path: Path) -> Path:
    """Write the chart's CSV to ``path``: a file left by a failed write is never half of one."""
    return write_export(path, csv_bytes(chart))


def write_export(path: Path, data: bytes) -> Path:
    """Write an exported file (a chart's CSV or picture) whole, or leave nothing behind."""
    return write_files(path.parent, {path.name: data})[path.name]
