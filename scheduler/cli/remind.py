"""``python main.py remind --date YYYY-MM-DD --user NAME``: email a day's prep letters.

Each patient of the day who agreed to email and has an address gets their prep letter (PDF)
and the session's calendar file. Prints one line per patient ("Emailed Dana Kowalski." or
"Could not email Dana Kowalski: the server refused the address.") and a summary; exits 1
when any message could not be sent, 2 when nothing could be tried (email not set up).

The letters are built from a read, sent with no database open, and only then recorded in a
short transaction: a slow mail server never keeps other workstations from saving. A busy
database is waited out for the record alone; once sent, nothing is sent again. When the
record cannot be written at all the command says that the letters went (so nobody resends
them) and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scheduler.cli import add_db_option
from scheduler.cli.common import (
    add_day_option,
    add_user_options,
    fail,
    guarded,
    opened,
    retry_writes,
    signed_in,
    utc_now,
)
from scheduler.domain.when import long_date
from scheduler.letters.pdf import PdfRenderer
from scheduler.letters.templates import load_templates
from scheduler.services.clinic import get_settings
from scheduler.services.mail import (
    MailOutcome,
    prepare_prep_emails,
    record_mailing,
    send_mailing,
)
from scheduler.store.errors import DatabaseBusy

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
        now = utc_now()
        with database.reading() as db:
            templates = load_templates(get_settings(db).letter_template_dir)
            mailing = prepare_prep_emails(
                db, args.date, templates=templates, renderer=PdfRenderer(), actor=who, now=now
            )
        outcomes = send_mailing(mailing)  # no database open while the mail server talks
        for outcome in outcomes:
            print(outcome.sentence, file=sys.stdout if outcome.sent else sys.stderr)

        def record() -> int:
            with database.transaction() as db:
                done = record_mailing(db, mailing, outcomes, actor=who, now=now)
            print(done.news(long_date(args.date)))
            return 1 if done.failures else 0

        try:
            return retry_writes(record)
        except DatabaseBusy:
            return fail(_unrecorded(outcomes, "the database stayed busy on another workstation"))
        except Exception:
            # ``guarded`` names the fault on the next line; this one keeps anyone from resending.
            fail(_unrecorded(outcomes, "the fault below"))
            raise


def _unrecorded(outcomes: tuple[MailOutcome, ...], why: str) -> str:
    """The sentence for letters that went out but are not in the records."""
    sent = sum(1 for o in outcomes if o.sent)
    return (
        f"The letters were emailed ({sent} sent, {len(outcomes) - sent} failed) but could not "
        f"be recorded: {why}. Do not send them again."
    )
