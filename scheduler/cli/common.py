"""What every command shares: the database, errors, the clock and the signed-in user."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from scheduler.domain.access import Actor
from scheduler.errors import NotAllowed, ServiceError
from scheduler.services import accounts
from scheduler.store import Database, DatabaseError, open_database
from scheduler.store.errors import DatabaseBusy, retry_while_busy
from scheduler.store.location import resolve_database_url, sqlite_path
from scheduler.store.opening import explain_sqlite

# Clinic days the commands accept: far enough for any booking, near enough that a day after
# the last one can still be computed (9999-12-31 + 1 day overflows).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
# How often a command waits out another workstation's write (5 s each, SQLite's busy timeout).
LOCK_ATTEMPTS = 4
WAITING_NOTE = "waiting for another workstation to finish saving…"

T = TypeVar("T")


def date_argument(text: str) -> dt.date:
    """An argparse type for YYYY-MM-DD that names the bad value (2026-02-30, "tomorrow")."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a date like 2026-11-18") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(
            f"“{text}” is outside the days the clinic's calendar covers "
            f"({FIRST_DAY.year} to {LAST_DAY.year})"
        )
    return day


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


def add_day_option(parser: argparse.ArgumentParser) -> None:
    """``--date YYYY-MM-DD``, required: the one clinic day a command is about."""
    parser.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        type=date_argument,
        required=True,
        help="the clinic day (in the clinic's time zone)",
    )


WRITES = "This command writes to the clinic's records"


def signed_in(database: Database, args: argparse.Namespace, *, because: str = WRITES) -> Actor:
    """The staff member named by ``--user``, once their password is right.

    ``because`` says why the command needs to know who runs it, when ``--user`` is missing.

    The password comes from ``--password-file`` or is asked on the terminal without echo.
    Wrong passwords count towards the account's lock, as on the desk.
    """
    name = getattr(args, "user", None)
    if not name:
        raise NotAllowed(f"{because}: give your sign-in name with --user.")
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
def opened(args: argparse.Namespace, *, create: bool = False) -> Iterator[Database]:
    """The database named by ``--db``; closed afterwards.

    A missing path is refused (naming it) unless the command makes databases (``create``).
    """
    database = open_database(getattr(args, "db", None), create=create)
    if database.exposure_warning:
        print(f"warning: {database.exposure_warning}", file=sys.stderr)
    try:
        yield database
    finally:
        database.close()


def guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn every fault a user can meet into a one-line message and exit status 2.

    Refusals, a damaged or read-only database, a full disk, a missing permission, a date out
    of range. A write lock held by another workstation is waited for (with a note saying so)
    before it is reported; every attempt is one transaction, so a retry repeats nothing.
    A command that does something outside the database (emails sent) must not let a busy
    error out once it has: it saves what followed with ``retry_writes``, whose giving up
    (``DatabaseBusy``) is never retried here.
    """

    def wrapper(args: argparse.Namespace) -> int:
        try:
            return retry_writes(lambda: run(args))
        except DatabaseBusy:
            return fail(_busy_fault(args))
        except (DatabaseError, ServiceError) as exc:
            return fail(str(exc))
        except OperationalError as exc:
            return fail(_database_fault(args, exc))
        except sqlite3.Error as exc:
            return fail(str(explain_sqlite(exc, _database_path(args))))
        except OSError as exc:
            return fail(os_fault(exc))
        except OverflowError:
            return fail("A date is outside the days the clinic's calendar covers.")

    return wrapper


def retry_writes(write: Callable[[], T]) -> T:
    """Run ``write`` (one whole transaction), waiting out another workstation's write lock
    ``LOCK_ATTEMPTS`` times with a note saying so; ``DatabaseBusy`` when it never came free."""

    def note(attempt: int) -> bool:
        if attempt == 1:
            print(WAITING_NOTE, file=sys.stderr, flush=True)
        return True

    return retry_while_busy(write, attempts=LOCK_ATTEMPTS, before=note)


def _database_path(args: argparse.Namespace) -> Path:
    url = resolve_database_url(getattr(args, "db", None))
    return sqlite_path(url) or Path(url.render_as_string(hide_password=True))


def _busy_fault(args: argparse.Namespace) -> str:
    waited = LOCK_ATTEMPTS * 5
    return (
        f"The database {_database_path(args)} is busy on another workstation; nothing was "
        f"changed. Waited {waited} s; try again in a moment."
    )


def _database_fault(args: argparse.Namespace, exc: OperationalError) -> str:
    if isinstance(exc.orig, sqlite3.Error):
        return str(explain_sqlite(exc.orig, _database_path(args)))
    return f"The database could not be used: {exc.orig}. Nothing was changed."


def os_fault(exc: OSError) -> str:
    """One sentence for a file the system would not let us read or write."""
    where = f" {exc.filename}" if exc.filename else ""
    reason = exc.strerror or type(exc).__name__
    return f"Cannot use{where}: {reason}. Nothing was changed."
