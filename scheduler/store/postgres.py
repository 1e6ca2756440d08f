"""The clinic on a PostgreSQL server: one write at a time, and a word to the other desks.

Every write transaction (``Database.transaction()``) first takes one transaction-level advisory
lock, the same for the whole clinic database, and holds it until it commits or rolls back. Writes
therefore run one after another, exactly as SQLite's ``BEGIN IMMEDIATE`` makes them on a single
workstation: a booking checks that its chairs are free and writes its whole course with no other
writer in between, and each audit entry is sealed onto the entry that is really the last one.
A clinic's writes take milliseconds, so queuing them costs nothing a person could notice, and the
one lock cannot deadlock; readers never wait for it.

Each write transaction also sends a notification on ``CHANGES_CHANNEL``, signed with the sending
database's own signature; PostgreSQL delivers it to listening desks only when the transaction
commits (ui/watch.py listens).
"""

from __future__ import annotations

import uuid
import weakref

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection

# pg_advisory_xact_lock takes a 64-bit key; advisory locks are per database, so this one key
# stands for "the clinic in this database". The digits spell "INFDESK" in ASCII.
WRITE_LOCK_KEY = 0x494E4644455348
CHANGES_CHANNEL = "infusion_desk_changes"
# How long a write waits for another workstation's write before giving up: the server then
# refuses with SQLSTATE 55P03 (lock_not_available), which store.errors counts as busy.
LOCK_TIMEOUT = "5s"


# Each open database (engine) signs its notifications, so a desk can tell its own writes from
# other workstations' whichever pooled connection made them.
_signatures: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def configure_engine(engine: Engine) -> None:
    """Make every write transaction on ``engine`` take the clinic's write lock and notify."""
    signature = uuid.uuid4().hex
    _signatures[engine] = signature

    def begin_transaction(conn: Connection) -> None:
        if not conn.get_execution_options().get("immediate", False):
            return
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        conn.exec_driver_sql(f"NOTIFY {CHANGES_CHANNEL}, '{signature}'")

    event.listen(engine, "begin", begin_transaction)


def signature_of(engine: Engine) -> str | None:
    """What this engine's own notifications carry, to tell them from other workstations'."""
    return _signatures.get(engine)
