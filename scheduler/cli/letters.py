"""``python main.py letters prep|aftercare|schedule ...``: print letters as PDF files.

    letters prep --date 2026-11-18 [--to 2026-11-20] --out DIR
    letters prep --session ID --out DIR          (one session's letter, e.g. a reprint)
    letters aftercare --date 2026-11-18 --out DIR
    letters schedule --patient CHART_NUMBER --out DIR

Prints each file written, then any worklist notes (a patient without an address, a missing
logo). A day without sessions says so and exits 0; a refusal is one line and exit status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from scheduler.cli import add_db_option
from scheduler.cli.common import (
    add_user_options,
    date_argument,
    guarded,
    opened,
    signed_in,
    utc_now,
)
from scheduler.domain.access import Actor
from scheduler.domain.enums import LetterKind
from scheduler.domain.when import long_date
from scheduler.letters.pdf import PdfRenderer
from scheduler.letters.templates import load_templates
from scheduler.services import letters
from scheduler.services.clinic import get_settings
from scheduler.store import Database


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "letters",
        help="print prep, aftercare or schedule letters as PDFs",
        description="Write patient letters as PDF files: one combined file to print and one "
        "file per letter. Every letter written is recorded, so the desk sees what was printed.",
    )
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)

    prep = kinds.add_parser("prep", help="prep letters for a day (or a range of days)")
    chosen = prep.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--date", metavar="YYYY-MM-DD", type=date_argument, help="the clinic day")
    chosen.add_argument("--session", metavar="ID", type=int, help="one session only")
    prep.add_argument(
        "--to",
        metavar="YYYY-MM-DD",
        type=date_argument,
        help="with --date: the last day of a range",
    )
    prep.add_argument(
        "--new-only",
        action="store_true",
        help="with --date: only sessions that have had no prep letter printed yet",
    )
    _common(prep)

    aftercare = kinds.add_parser("aftercare", help="aftercare letters for a day")
    chosen = aftercare.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--date", metavar="YYYY-MM-DD", type=date_argument, help="the clinic day")
    chosen.add_argument("--session", metavar="ID", type=int, help="one session only")
    _common(aftercare)

    schedule = kinds.add_parser("schedule", help="a patient's upcoming sessions in one letter")
    schedule.add_argument("--patient", metavar="CHART_NUMBER", required=True)
    _common(schedule)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", metavar="DIR", type=Path, required=True, help="the folder to write PDFs into"
    )
    add_db_option(parser)
    add_user_options(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    kind = LetterKind(args.kind)
    with opened(args) as database:
        who = signed_in(database, args)
        now = utc_now()
        batch, empty = _write(database, args, kind, who, now)
    if not batch.letters and not batch.skipped:
        print(empty)
    for path in batch.written:
        print(path)
    if batch.letters:
        count = len(batch.letters)
        reprinted = f" ({batch.reprints} reprinted)" if batch.reprints else ""
        print(f"{count} {kind.value} letter{'s' if count != 1 else ''} written{reprinted}.")
    if batch.skipped:
        print(
            f"Skipped {batch.skipped} session{'s' if batch.skipped != 1 else ''} with no "
            "aftercare letter (consultations, follow-up visits, video calls)."
        )
    for note in batch.notes:
        print(f"note: {note}")
    return 0


def _write(
    database: Database, args: argparse.Namespace, kind: LetterKind, who: Actor, now: dt.datetime
) -> tuple[letters.LetterBatch, str]:
    """Write and record the letters asked for, in one transaction; (the batch, the empty text).

    The files are in place before the commit; if the commit fails (a full disk, say), they are
    removed again, so no letter exists that is not recorded.
    """
    batch: letters.LetterBatch | None = None
    try:
        with database.transaction() as db:
            settings = get_settings(db)
            kit: dict[str, Any] = {
                "out_dir": args.out,
                "templates": load_templates(settings.letter_template_dir),
                "renderer": PdfRenderer(),
                "actor": who,
                "now": now,
            }
            if kind is LetterKind.SCHEDULE:
                batch = letters.schedule_letter_for(db, args.patient, **kit)
                empty = f"Patient {args.patient} has no upcoming sessions; no letter written."
            elif args.session is not None:
                batch = letters.session_letter(db, args.session, kind, **kit)
                empty = ""
            elif kind is LetterKind.PREP:
                last = args.to or args.date
                batch = letters.prep_letters(
                    db, first_day=args.date, last_day=last, only_unprinted=args.new_only, **kit
                )
                span = long_date(args.date)
                if last != args.date:
                    span += f" to {long_date(last)}"
                empty = f"No sessions on {span}; no letters written."
                if batch.left_out:
                    empty = letters.nothing_new(batch, span)
            else:
                batch = letters.aftercare_letters(db, day=args.date, **kit)
                empty = f"No sessions on {long_date(args.date)}; no letters written."
    except BaseException:
        # Recorded and renamed, but the commit failed: the files go too.
        if batch is not None:
            letters.withdraw(batch)
        raise
    assert batch is not None  # every branch above made one
    return batch, empty
