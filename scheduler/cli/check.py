"""``python main.py check``: SQLite's full integrity check of the clinic database, read-only."""

from __future__ import annotations

import argparse
import sqlite3
import time
from contextlib import closing
from typing import Any

from scheduler.cli.common import fail, guarded
from scheduler.store import opening
from scheduler.store.location import resolve_database_url, sqlite_path

DAMAGED = 1


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check the database file for damage (read-only)",
        description="Run SQLite's full integrity check on the clinic database without "
        "changing it. Exits 0 when it is sound, 1 naming the damage and how to restore.",
    )
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    path = sqlite_path(resolve_database_url(getattr(args, "db", None)))
    if path is None:
        return fail("check looks at SQLite files; a server database checks itself.")
    if not path.is_file():
        return fail(opening.missing_message(path))
    opening.check_header(path)  # another kind of file is refused, not called damaged
    started = time.perf_counter()
    try:
        with closing(opening.read_only(path)) as connection:
            problems = opening.integrity_problems(connection, full=True)
    except sqlite3.DatabaseError as exc:
        refusal = opening.explain_sqlite(exc, path)
        if not isinstance(refusal, opening.DamagedDatabase):
            return fail(str(refusal))
        print(refusal)
        return DAMAGED
    seconds = time.perf_counter() - started
    if problems:
        print(opening.damaged_message(path, problems[0]))
        for problem in problems[1:20]:
            print(f"  {problem}")
        return DAMAGED
    print(f"The database {path} is sound (full integrity check in {seconds:.1f} s).")
    return 0
