"""``python main.py audit verify``: check that no audit entry was changed, removed or inserted."""

from __future__ import annotations

import argparse
import time
from typing import Any

from scheduler.cli import add_db_option
from scheduler.cli.common import guarded, opened
from scheduler.services.audit_chain import verify_chain

BROKEN = 1


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="check the audit trail",
        description="Work with the clinic's audit trail.",
    )
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="check that no audit entry was changed, removed or inserted",
        description="Walk the whole audit trail and check every entry's hash against its "
        "content and the entry before it. Exits 0 when the trail is intact, 1 naming the "
        "first entry that was changed, removed or inserted outside the app.",
    )
    add_db_option(verify)
    verify.set_defaults(handler=guarded(run_verify))


def run_verify(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    with opened(args) as database, database.reading() as db:
        report = verify_chain(db)
    if not report.intact:
        print(report.sentence())
        return BROKEN
    print(f"{report.sentence()[:-1]} in {time.perf_counter() - started:.1f} s.")
    return 0
