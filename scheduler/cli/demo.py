"""``python main.py demo``: fill a new database with the demo clinic."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.cli.common import date_argument, fail, guarded, opened, utc_now
from scheduler.domain.when import long_date
from scheduler.services.clinic import get_settings
from scheduler.services.demo import CLINIC_TIMEZONE, DEMO_ACCOUNTS, build_demo_clinic
from scheduler.services.patients import count_patients


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="fill a new database with a believable demo clinic",
        description="Fill a new database with the demo clinic: chairs and rooms, staff with one "
        "account per role, about 60 patients and their treatment courses around today. "
        "Refuses a database that already has patients. Needs no --user: it creates the "
        "accounts that sign in afterwards.",
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
            summary = build_demo_clinic(db, today=today, now=now)
        with database.reading() as db:
            zone = get_settings(db).timezone
        print(
            f"Built the demo clinic “{summary.clinic_name}” ({zone}) in {database.description}: "
            f"{summary.patients} patients, {summary.sessions} sessions around {long_date(today)}."
        )
        print(sign_in_help())
    return 0


def sign_in_help() -> str:
    """How to sign in to the demo clinic: its accounts, one per role."""
    lines = ["Sign in to the demo clinic as (sign-in name / password):"]
    for account in DEMO_ACCOUNTS:
        role = account.role.value.replace("_", " ")
        lines.append(f"  {role:<14} {account.sign_in:<7} {account.password}")
    return "\n".join(lines)


run_guarded = guarded(run)
