"""``python main.py demo``: fill a new database with the demo clinic."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.cli.common import actor, date_argument, fail, guarded, opened, utc_now
from scheduler.services.clinic import get_settings
from scheduler.services.demo import CLINIC_TIMEZONE, build_demo_clinic
from scheduler.services.patients import count_patients


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="fill a new database with a believable demo clinic",
        description="Fill a new database with the demo clinic: chairs and rooms, staff, about "
        "60 patients and their treatment courses around today. Refuses a database that "
        "already has patients.",
    )
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        type=date_argument,
        help="the day the demo is built around (default: today in the clinic's time zone); "
        "the same day always gives the same clinic",
    )
    parser.add_argument(
        "--if-new",
        action="store_true",
        help="do nothing, successfully, when the database already has patients",
    )
    parser.set_defaults(handler=run_guarded)


def run(args: argparse.Namespace) -> int:
    """Build the demo clinic; see ``add_parser``."""
    # Making the demo clinic is an explicit step: it may create the database.
    with opened(args, create=True) as database:
        if args.if_new:
            with database.reading() as db:
                if count_patients(db, include_archived=True):
                    return 0
        now = utc_now()
        # "Today" on the demo clinic's clock: late evening in New York is already tomorrow in UTC.
        today = args.today or now.astimezone(ZoneInfo(CLINIC_TIMEZONE)).date()
        if args.today and args.today < now.date() - dt.timedelta(days=365 * 5):
            return fail(f"--today {args.today} is too far in the past for a demo clinic.")
        with database.transaction() as db:
            summary = build_demo_clinic(db, today=today, actor=actor(), now=now)
        with database.reading() as db:
            zone = get_settings(db).timezone
        print(
            f"Built the demo clinic “{summary.clinic_name}” ({zone}) in {database.description}: "
            f"{summary.patients} patients, {summary.sessions} sessions around {today}."
        )
    return 0


run_guarded = guarded(run)
