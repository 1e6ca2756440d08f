"""``python main.py day-sheet --date YYYY-MM-DD --out DIR``: the nurses' day sheet as a PDF.

A read: the sheet shows screening cautions, so it is printed by a signed-in staff member whose
role may print letters (``--user``), but nothing is written to the clinic's records.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scheduler.cli import add_db_option
from scheduler.cli.common import (
    add_day_option,
    add_user_options,
    guarded,
    opened,
    signed_in,
    utc_now,
)
from scheduler.letters.day_sheet_pdf import DaySheetRenderer
from scheduler.services.day_sheet import day_sheet_pdf
from scheduler.services.letters import write_files

# Why the read needs a signed-in user: the sheet is for the roles that may print letters.
NEEDS_USER = "The day sheet shows patients' screening cautions"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "day-sheet",
        help="print a day's sheet for the nurses (PDF)",
        description="Write one clinic day's sheet as a PDF: a section per chair or room with "
        "each session's time, patient and chart number, therapy and place in the course, "
        "driver on file, cautions and whether the prep and aftercare letters are printed; "
        "then home visits per nurse. Prints the path of the file written.",
    )
    add_day_option(parser)
    parser.add_argument(
        "--out", metavar="DIR", type=Path, required=True, help="the folder to write the PDF into"
    )
    add_db_option(parser)
    add_user_options(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    with opened(args) as database:
        who = signed_in(database, args, because=NEEDS_USER)
        with database.reading() as db:
            printed = day_sheet_pdf(
                db, args.date, actor=who, now=utc_now(), renderer=DaySheetRenderer()
            )
    name = f"day-sheet-{args.date.isoformat()}.pdf"
    print(write_files(args.out, {name: printed.pdf})[name])
    if printed.note:
        print(f"note: {printed.note}")
    return 0
