"""A chart's numbers as CSV, and any chart export written whole and owner-only."""

from __future__ import annotations

from pathlib import Path

from scheduler.errors import ServiceError
from scheduler.private_files import private_folder
from scheduler.services.csv_export import csv_bytes, write_export
from scheduler.services.reports.charts import Chart


def chart_csv(chart: Chart) -> bytes:
    """The chart's table as the desk's other CSV exports write theirs (heading row first)."""
    heading, *rows = chart.csv_table()
    return csv_bytes(heading, rows)


def write_chart_file(path: Path, data: bytes) -> Path:
    """Write a chart's CSV or picture, making its folder if missing; one sentence on failure."""
    try:
        private_folder(path.parent)
    except OSError as exc:
        raise ServiceError(
            f"Cannot write {path}: {exc.strerror or exc}. Nothing was exported."
        ) from exc
    return write_export(path, data)
