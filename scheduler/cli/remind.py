"""``python main.py remind --date YYYY-MM-DD --user NAME``: email a day's prep letters.

Each patient of the day who agreed to email and has an address gets their prep letter (PDF)
and the session's calendar file. Prints one line per patient ("Emailed Dana Kowalski." or
"Could not email Dana Kowalski: the server refused the address.") and a summary; exits 1
when any message could not be sent, 2 when nothing could be tried (email not set up).
"""

from __future__ import annotations

import argparse
import sys
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
from scheduler.domain.when import long_date
from scheduler.letters.pdf import PdfRenderer
from scheduler.letters.templates import load_templates
from scheduler.services.clinic import get_settings
from scheduler.services.mail import email_prep_letters

NEEDS_USER = "Emailing letters is recorded as sent by you"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "remind",
        help="email a day's prep letters to the patients who agreed to email",
        description="Email each patient of a clinic day who agreed to email their prep letter "
        "(PDF) with a calendar file for the session, through the mail server set in Settings. "
        "Every message sent or failed is recorded, so the desk shows it as emailed.",
    )
    add_day_option(parser)
    add_db_option(parser)
    add_user_options(parser)
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    with opened(args) as database:
        who = signed_in(database, args, because=NEEDS_USER)
        with database.transaction() as db:
            templates = load_templates(get_settings(db).letter_template_dir)
            done = email_prep_letters(
                db, args.date, templates=templates, renderer=PdfRenderer(), actor=who,
                now=utc_now(),
            )  # fmt: skip
    for outcome in done.outcomes:
        print(outcome.sentence, file=sys.stdout if outcome.sent else sys.stderr)
    print(done.news(long_date(args.date)))
    return 1 if done.failures else 0
