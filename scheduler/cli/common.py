"""What every command shares: opening the database, reporting errors, the clock and the actor."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from scheduler.services.errors import ServiceError
from scheduler.store import Database, DatabaseError, open_database


def date_argument(text: str) -> dt.date:
    """An argparse type for YYYY-MM-DD that names the bad value (2026-02-30, "tomorrow")."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a date like 2026-11-18") from None


def actor() -> str:
    """Who is acting, for the audit trail: the operating-system user at this workstation."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[Database]:
    """The database named by ``--db``; closed afterwards."""
    database = open_database(getattr(args, "db", None))
    if database.exposure_warning:
        print(f"warning: {database.exposure_warning}", file=sys.stderr)
    try:
        yield database
    finally:
        database.close()


def guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn the refusals a user can cause into a one-line message and exit status 2."""

    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (DatabaseError, ServiceError) as exc:
            return fail(str(exc))

    return wrapper
