"""``python main.py sessions --date YYYY-MM-DD [--json]``: one day's sessions, listed."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from scheduler.cli import add_db_option
from scheduler.cli.common import add_day_option, guarded, opened
from scheduler.domain.when import time_range
from scheduler.services.schedule import SessionView, clinic_calendar, closure_on, sessions_on_day

JSON_FORMAT_VERSION = 1


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sessions",
        help="list one day's sessions",
        description="List the sessions of one clinic day: times, patient and chart number, "
        "therapy, place in the course (3 of 6), chair or room, status.",
    )
    add_day_option(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="print stable JSON for scripts (times in ISO 8601 with the UTC offset)",
    )
    add_db_option(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    with opened(args) as database, database.reading() as db:
        calendar = clinic_calendar(db)
        views = sessions_on_day(db, args.date)
        closed = closure_on(db, args.date)
    if args.json:
        print(json.dumps(as_json(args.date, calendar.timezone, closed, views, calendar.zone),
                         ensure_ascii=False, indent=2))  # fmt: skip
        return 0
    day = calendar.day_text(args.date)
    if closed is not None:
        print(f"The clinic is closed on {day}" + (f" ({closed})." if closed else "."))
    if not views:
        print(f"No sessions on {day}.")
        return 0
    print(f"{day}: {len(views)} session{'s' if len(views) != 1 else ''}")
    for view in views:
        print(line(view, calendar.zone))
    return 0


def line(view: SessionView, zone: dt.tzinfo) -> str:
    course = f"{view.session_noun} {view.progress}" if view.progress else view.session_noun
    where = view.chair_name or view.place.value
    return (
        f"{time_range(view.starts_at.astimezone(zone), view.ends_at.astimezone(zone))}  "
        f"{view.patient_name} ({view.chart_number})  {view.therapy_name}  {course}  "
        f"{where}  {view.status.label}"
    )


def as_json(
    day: dt.date, timezone: str, closed: str | None, views: list[SessionView], zone: dt.tzinfo
) -> dict[str, Any]:
    """The stable JSON document: keys are only ever added, never renamed or removed."""
    return {
        "format": JSON_FORMAT_VERSION,
        "date": day.isoformat(),
        "timezone": timezone,
        "closed": closed,
        "sessions": [
            {
                "session_id": v.session_id,
                "starts_at": v.starts_at.astimezone(zone).isoformat(),
                "ends_at": v.ends_at.astimezone(zone).isoformat(),
                "patient": v.patient_name,
                "chart_number": v.chart_number,
                "therapy": v.therapy_name,
                "series_id": v.series_id,
                "number": v.number,
                "series_count": v.series_count,
                "progress": v.progress,
                "place": v.place.value,
                "chair": v.chair_name or None,
                "nurse": v.nurse_name or None,
                "status": v.status.value,
                "late_cancellation": v.late_cancellation,
            }
            for v in views
        ],
    }
