"""``python main.py report utilisation --from D --to D --csv FILE``: the clinic's numbers.

The same figures the Reports screen draws, for a spreadsheet. A read of counts and minutes,
no patient's name, by a signed-in staff member (``--user``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scheduler.cli import add_db_option
from scheduler.cli.common import add_user_options, date_argument, guarded, opened, signed_in
from scheduler.services.reports.export import chart_csv, write_chart_file
from scheduler.services.reports.figures import chair_utilisation

NEEDS_USER = "The clinic's reports are for its staff"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write the clinic's numbers as CSV",
        description="Write one of the clinic's reports as a CSV file.",
    )
    reports = parser.add_subparsers(dest="report", metavar="REPORT", required=True)
    utilisation = reports.add_parser(
        "utilisation",
        help="chair utilisation per chair and week",
        description="Chair utilisation per chair and week: the minutes booked (treatment, "
        "observation and turnover; cancelled and missed sessions leave the chair free) over "
        "the minutes the clinic is open. One row per week and chair. Prints the path written.",
    )
    for flag, what in (("--from", "first"), ("--to", "last")):
        utilisation.add_argument(
            flag,
            dest=what,
            metavar="YYYY-MM-DD",
            type=date_argument,
            required=True,
            help=f"the {what} day of the report (in the clinic's time zone)",
        )
    utilisation.add_argument(
        "--csv", metavar="FILE", type=Path, required=True, help="the CSV file to write"
    )
    add_db_option(utilisation)
    add_user_options(utilisation)
    utilisation.set_defaults(handler=guarded(run_utilisation))


def run_utilisation(args: argparse.Namespace) -> int:
    with opened(args) as database:
        who = signed_in(database, args, because=NEEDS_USER)
        with database.reading() as db:
            chart = chair_utilisation(db, args.first, args.last, actor=who)
    print(write_chart_file(args.csv, chart_csv(chart)))
    return 0
