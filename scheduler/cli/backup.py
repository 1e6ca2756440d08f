"""``copy-to``, ``backup`` and ``restore``: move a whole clinic, keep a copy, bring one back.

Every one of them checks row counts and a checksum per table against the source before it
keeps anything, and prints them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scheduler.cli.common import guarded, opened, utc_now
from scheduler.services.backup import (
    CopyReport,
    backup_to_file,
    copy_clinic,
    restore_from_file,
    scheduled_backup,
)
from scheduler.store import open_database


def add_parser(subparsers: Any) -> None:
    copy = subparsers.add_parser(
        "copy-to",
        help="copy the whole clinic into a new, empty database",
        description="Copy every table of the clinic in --db, the audit trail with its history "
        "among them, into an empty database (a SQLite file or a PostgreSQL URL), then check "
        "row counts and a checksum per table. A database that already holds data is refused.",
    )
    copy.add_argument("target", metavar="PATH|URL", help="the new, empty database")
    copy.set_defaults(handler=guarded(run_copy))

    backup = subparsers.add_parser(
        "backup",
        help="write a consistent copy of the clinic to a file, while desks keep working",
        description="Write the whole clinic to a new SQLite file, read at one instant while "
        "desks keep working, and check it table by table. With --scheduled: the daily backup "
        "to the folder set in Settings, if it is due, removing backups older than the days "
        "kept there (for the system's scheduler).",
    )
    where = backup.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", metavar="FILE", type=Path, help="the backup file to write")
    where.add_argument(
        "--scheduled", action="store_true", help="the daily backup to the Settings folder"
    )
    backup.set_defaults(handler=guarded(run_backup))

    restore = subparsers.add_parser(
        "restore",
        help="restore a backup file into a new, empty database",
        description="Copy the clinic in a backup file into the empty database given by --db "
        "(a SQLite file or a PostgreSQL URL), checking row counts and checksums.",
    )
    restore.add_argument("file", metavar="FILE", type=Path, help="a file written by backup")
    restore.set_defaults(handler=guarded(run_restore))


def _print(report: CopyReport) -> None:
    for table in report.tables:
        print(f"  {table.table:<24} {table.rows:>7} rows  sha256 {table.checksum[:16]}")
    print(report.sentence())


def run_copy(args: argparse.Namespace) -> int:
    with opened(args) as source:
        target = open_database(args.target)
        try:
            report = copy_clinic(source, target)
            print(f"Copied the clinic from {source.description} to {target.description}:")
        finally:
            target.close()
    _print(report)
    return 0


def run_backup(args: argparse.Namespace) -> int:
    with opened(args) as source:
        if args.scheduled:
            made = scheduled_backup(source, utc_now())
            if made is None:
                print("No backup due (no backup folder in Settings, or today's is made).")
            else:
                print(f"Wrote {made}.")
            return 0
        report = backup_to_file(source, args.out)
    print(f"Wrote {args.out}:")
    _print(report)
    return 0


def run_restore(args: argparse.Namespace) -> int:
    with opened(args) as target:
        report = restore_from_file(args.file, target)
        print(f"Restored {args.file} into {target.description}:")
    _print(report)
    return 0
