"""What every command shares: the database, errors, the clock and the signed-in user."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from scheduler.domain.access import Actor
from scheduler.services import accounts
from scheduler.services.errors import NotAllowed, ServiceError
from scheduler.store import Database, DatabaseError, open_database


def date_argument(text: str) -> dt.date:
    """An argparse type for YYYY-MM-DD that names the bad value (2026-02-30, "tomorrow")."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a date like 2026-11-18") from None


def add_user_options(parser: argparse.ArgumentParser) -> None:
    """``--user`` and ``--password-file``: the staff member a writing command acts as."""
    # SUPPRESS: a value given before the command name is not reset by the command's parser.
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="your sign-in name: the command acts (and is recorded) as you; the password is "
        "asked on the terminal",
    )
    parser.add_argument(
        "--password-file",
        metavar="PATH",
        type=Path,
        default=argparse.SUPPRESS,
        help="read the password from the first line of this file instead of asking (for "
        "scheduled runs; keep the file readable by you alone)",
    )


def signed_in(database: Database, args: argparse.Namespace) -> Actor:
    """The staff member named by ``--user``, once their password is right.

    The password comes from ``--password-file`` or is asked on the terminal without echo.
    Wrong passwords count towards the account's lock, as on the desk.
    """
    name = getattr(args, "user", None)
    if not name:
        raise NotAllowed(
            "This command writes to the clinic's records: give your sign-in name with --user."
        )
    password = _password(name, getattr(args, "password_file", None))
    now = utc_now()
    with database.transaction() as db:
        result = accounts.sign_in(db, name, password, now=now)
    if result.actor is None:
        raise NotAllowed(result.problem)
    return result.actor


def _password(name: str, path: Path | None) -> str:
    if path is None:
        try:
            return getpass.getpass(f"Password for {name}: ")
        except EOFError:
            raise NotAllowed(f"No password given for {name}.") from None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise NotAllowed(f"Cannot read the password file {path}: {exc.strerror}.") from None
    return lines[0] if lines else ""


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
