"""Catching the statements a desk action sends, and asking the database how it would run them.

A statement "touches only what it returns" when its plan reads the big tables (sessions,
patients, letters, series, status history) through an index, never from end to end. SQLite
says ``SCAN sessions`` for a full pass (``SEARCH`` for an index range); PostgreSQL says
``Seq Scan on sessions``, which with ``enable_seqscan`` off it only chooses when no index can
serve the statement at all, so the check does not depend on how many rows the test has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from scheduler.store import Database

# The tables that grow with the clinic's history.
BIG_TABLES = ("sessions", "patients", "letters", "series", "session_status_changes")
_SQLITE_SCAN = re.compile(r"\bSCAN (\w+)")
# An index range with only an upper bound ("everything before the end of the week"): SQLite
# calls it a SEARCH, but it walks back to the first row ever written.
_SQLITE_OPEN_RANGE = re.compile(r"\bSEARCH (\w+) USING (?:COVERING )?INDEX \w+ \(([^)]*)\)")
_POSTGRES_SCAN = re.compile(r"Seq Scan on (\w+)")

Sent = list[tuple[str, Any]]


@contextmanager
def statements_sent(database: Database) -> Iterator[Sent]:
    """Every statement (with its parameters) sent to the database while the block runs."""
    sent: Sent = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def _open(bounds: str) -> bool:
    """Whether an index constraint such as ``starts_at<?`` has no lower bound or equality."""
    return "<" in bounds and ">" not in bounds and "=" not in bounds.replace("<=", "")


def plans(database: Database, sent: Sent) -> list[str]:
    """Each statement's plan as the database gives it, one text per statement.

    On PostgreSQL sequential scans are off, so one shows only where no index serves.
    """
    sqlite = database.url.get_backend_name() == "sqlite"
    found = []
    connection = database.engine.raw_connection()
    try:
        cursor = connection.cursor()
        if not sqlite:
            cursor.execute("SET enable_seqscan = off")
        for statement, parameters in sent:
            explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            cursor.execute(explain + statement, parameters)
            found.append("\n".join(str(row[-1] if sqlite else row[0]) for row in cursor.fetchall()))
    finally:
        connection.rollback()
        connection.close()
    return found


def full_scans(database: Database, sent: Sent) -> list[str]:
    """The full passes over a big table in the statements' plans (each with its statement).

    A pass over an index range bounded only above counts as full on SQLite.
    """
    sqlite = database.url.get_backend_name() == "sqlite"
    found = []
    for (statement, _), plan in zip(sent, plans(database, sent), strict=True):
        pattern = _SQLITE_SCAN if sqlite else _POSTGRES_SCAN
        tables = pattern.findall(plan)
        if sqlite:
            tables += [t for t, bounds in _SQLITE_OPEN_RANGE.findall(plan) if _open(bounds)]
        for table in tables:
            if table.rstrip("_0123456789") in BIG_TABLES:
                found.append(f"{table} in: {' '.join(statement.split())[:300]}\n{plan}")
    return found
