"""What a database error means comes from its error code, and a busy database is waited out.

The desk and the command line both ask ``store.errors``; the message text (which differs
between SQLite versions, drivers and languages) never decides.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from scheduler.store import Database
from scheduler.store.errors import DatabaseBusy, Fault, fault_of, is_busy, retry_while_busy
from scheduler.store.location import sqlite_path
from scheduler.store.opening import explain_sqlite
from scheduler.store.postgres import WRITE_LOCK_KEY


def _sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


@pytest.mark.sqlite_only
def test_a_write_lock_held_by_another_connection_is_busy(db: Database) -> None:
    path = sqlite_path(db.url)
    assert path is not None
    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        with (
            closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as other,
            pytest.raises(sqlite3.OperationalError) as refused,
        ):
            other.execute("BEGIN IMMEDIATE")
        holder.execute("ROLLBACK")
    assert fault_of(refused.value) is Fault.BUSY
    assert "busy on another workstation" in str(explain_sqlite(refused.value, path))


@pytest.mark.postgres_only
def test_the_server_s_lock_timeout_is_busy(db: Database) -> None:
    with db.engine.connect() as holder, db.engine.connect() as other:
        holder.begin()
        holder.execute(text(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"))
        other.begin()
        other.execute(text("SET LOCAL lock_timeout = '50ms'"))
        with pytest.raises(OperationalError) as refused:
            other.execute(text(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"))
        holder.rollback()
    assert is_busy(refused.value)


@pytest.mark.parametrize(
    ("message", "code", "fault"),
    [
        # An extended code (SQLITE_BUSY_RECOVERY) is of its primary kind; the words do not count.
        ("kann nicht schreiben", sqlite3.SQLITE_BUSY | (1 << 8), Fault.BUSY),
        ("the table 'locked_until' is missing", sqlite3.SQLITE_ERROR, Fault.OTHER),
        ("file is not a database", sqlite3.SQLITE_NOTADB, Fault.DAMAGED),
        ("database or disk is full", sqlite3.SQLITE_FULL, Fault.FULL),
        ("attempt to write a readonly database", sqlite3.SQLITE_READONLY, Fault.READ_ONLY),
        ("unable to open database file", sqlite3.SQLITE_CANTOPEN, Fault.CANNOT_OPEN),
    ],
)
def test_the_code_decides_not_the_words(message: str, code: int, fault: Fault) -> None:
    assert fault_of(_sqlite_error(message, code)) is fault


def test_an_error_without_a_code_is_no_fault_of_the_database() -> None:
    assert fault_of(sqlite3.OperationalError("database is locked")) is Fault.OTHER
    assert fault_of(ValueError("locked")) is Fault.OTHER


def test_a_busy_attempt_is_tried_again_until_it_goes_through() -> None:
    tried: list[int] = []

    def attempt() -> str:
        tried.append(len(tried))
        if len(tried) < 3:
            raise _sqlite_error("database is locked", sqlite3.SQLITE_BUSY)
        return "saved"

    assert retry_while_busy(attempt, attempts=4, before=lambda n: True) == "saved"
    assert tried == [0, 1, 2]


def test_busy_every_time_or_given_up_is_database_busy() -> None:
    def attempt() -> str:
        raise _sqlite_error("database is locked", sqlite3.SQLITE_BUSY)

    asked: list[int] = []

    def ask(attempt_number: int) -> bool:
        asked.append(attempt_number)
        return True

    with pytest.raises(DatabaseBusy, match="busy on another workstation"):
        retry_while_busy(attempt, attempts=3, before=ask)
    assert asked == [0, 1, 2]
    with pytest.raises(DatabaseBusy):
        retry_while_busy(attempt, attempts=3, before=lambda n: n == 0)


def test_any_other_error_is_not_retried() -> None:
    tried: list[int] = []

    def attempt() -> str:
        tried.append(1)
        raise _sqlite_error("disk I/O error", sqlite3.SQLITE_IOERR)

    with pytest.raises(sqlite3.OperationalError):
        retry_while_busy(attempt, attempts=4, before=lambda n: True)
    assert tried == [1]
