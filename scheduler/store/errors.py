"""Database errors every layer shares: the refusal, what a driver's error means, and retries.

What a driver error means is read from its error code, never from its message (which differs
between versions, drivers and languages): SQLite's result code (``sqlite3.Error``'s
``sqlite_errorcode``; the low byte is the primary code, the rest says more of the same kind)
and PostgreSQL's SQLSTATE (``psycopg.Error.sqlstate``). The desk and the command line both ask
``is_busy`` and wait out another workstation's write with ``retry_while_busy``.
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

T = TypeVar("T")


class DatabaseError(Exception):
    """The database cannot be opened or upgraded; the message says why, in plain words."""


class DatabaseBusy(DatabaseError):
    """Another workstation kept the write lock through every attempt; nothing was changed."""


class Fault(enum.Enum):
    """What went wrong with the database, as far as the desk and the command line care."""

    BUSY = "busy"  # another workstation holds the write lock: wait, then try again
    DAMAGED = "damaged"  # pages or indexes fail the database's own checks
    READ_ONLY = "read-only"  # this user, mount or server may not write to it
    FULL = "full"  # no space left for the write
    CANNOT_OPEN = "cannot open"  # missing permission to the file or its folder
    OTHER = "other"


_SQLITE_FAULTS = {
    sqlite3.SQLITE_BUSY: Fault.BUSY,  # "database is locked": another connection writes
    sqlite3.SQLITE_LOCKED: Fault.BUSY,  # a table locked within a shared cache
    sqlite3.SQLITE_CORRUPT: Fault.DAMAGED,
    sqlite3.SQLITE_NOTADB: Fault.DAMAGED,
    sqlite3.SQLITE_READONLY: Fault.READ_ONLY,
    sqlite3.SQLITE_FULL: Fault.FULL,
    sqlite3.SQLITE_CANTOPEN: Fault.CANNOT_OPEN,
}
_POSTGRES_FAULTS = {
    "55P03": Fault.BUSY,  # lock_not_available: our lock_timeout ran out (store/postgres.py)
    "40P01": Fault.BUSY,  # deadlock_detected: the transaction was rolled back, may be retried
    "40001": Fault.BUSY,  # serialization_failure: likewise
    "XX001": Fault.DAMAGED,  # data_corrupted
    "XX002": Fault.DAMAGED,  # index_corrupted
    "25006": Fault.READ_ONLY,  # read_only_sql_transaction (a standby server)
    "53100": Fault.FULL,  # disk_full
}


def fault_of(error: BaseException) -> Fault:
    """What a driver error (bare, or wrapped by SQLAlchemy) means, from its error code."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    code = getattr(cause, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_FAULTS.get(code & 0xFF, Fault.OTHER)
    state = getattr(cause, "sqlstate", None)
    if isinstance(state, str):
        return _POSTGRES_FAULTS.get(state, Fault.OTHER)
    return Fault.OTHER


def is_busy(error: BaseException) -> bool:
    """Whether the error means another workstation held the write lock (worth a retry)."""
    return fault_of(error) is Fault.BUSY


def retry_while_busy(
    attempt: Callable[[], T], *, attempts: int, before: Callable[[int], bool]
) -> T:
    """Run ``attempt`` (one whole transaction) until the database is not busy, or give up.

    ``before(n)`` runs before attempt ``n`` (from 0) and may wait for the lock or tell the
    user that it waits; it returns False when the user gave up. A retry repeats nothing:
    an attempt that found the database busy rolled back whole. Raises ``DatabaseBusy`` when
    every attempt found the database busy (or the wait was given up); any other error goes
    to the caller at once.
    """
    last: BaseException | None = None
    for n in range(attempts):
        if not before(n):
            break
        try:
            return attempt()
        except Exception as exc:
            if not is_busy(exc):
                raise
            last = exc
    raise DatabaseBusy(
        "The database is busy on another workstation; nothing was changed. Try again in a moment."
    ) from last
