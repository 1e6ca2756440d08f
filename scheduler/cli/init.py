"""``python main.py init``: make a new, empty clinic database at the path given."""

from __future__ import annotations

import argparse
from typing import Any

from scheduler.cli.common import fail, guarded, opened
from scheduler.store.location import resolve_database_url, sqlite_path


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        help="make a new, empty clinic database (the desk then sets up the clinic)",
        description="Make a new clinic database at --db (or the default place), creating its "
        "folder owner-only. The desk asks for the clinic's details when it first opens it. "
        "Refuses a path that already holds a database.",
    )
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    url = resolve_database_url(getattr(args, "db", None))
    path = sqlite_path(url)
    if path is not None and path.exists() and path.stat().st_size > 0:
        return fail(f"{path} already exists; nothing was changed. Open it with --db {path}.")
    with opened(args, create=True) as database:
        print(f"Made a new clinic database: {database.description}")
    return 0
