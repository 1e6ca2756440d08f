"""The audit trail's hash chain: sealing each new entry, and checking that none was tampered with.

Every entry carries ``prev_hash`` (the hash of the entry before it) and ``entry_hash`` (over all
its other columns, store/audit_hash.py). A program that edits, deletes or slips in a row with
plain SQL breaks the chain at that row, and ``verify_chain`` names the first such entry.

The chain is keyless: it shows that the trail was altered by something other than the app, not
who did it; someone who rewrites every later hash as well is caught only where a checkpoint
(``audit_checkpoint``) or an exported copy remembers the old hashes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import Session

from scheduler import APP_NAME
from scheduler.store.audit_hash import GENESIS, entry_hash
from scheduler.store.models import AuditCheckpoint, AuditEntry

TRAIL = AuditEntry.__table__
CHECKPOINT_ID = 1
READ_BATCH = 2000


class Tampering(StrEnum):
    """How the trail differs from what the app wrote."""

    CHANGED = "changed"
    REMOVED = "removed"
    INSERTED = "inserted"


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the chain is broken."""

    entry_id: int
    kind: Tampering
    last_removed_id: int | None = None  # for a run of removed entries: the last of them

    def sentence(self) -> str:
        if self.kind is Tampering.CHANGED:
            return f"Audit entry #{self.entry_id} was changed after it was written."
        if self.kind is Tampering.INSERTED:
            return f"Audit entry #{self.entry_id} was inserted outside {APP_NAME}."
        if self.last_removed_id is not None and self.last_removed_id != self.entry_id:
            return f"Audit entries #{self.entry_id} to #{self.last_removed_id} were removed."
        return f"Audit entry #{self.entry_id} was removed."


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a check: how many entries were read and the first problem, if any."""

    checked: int
    last_id: int | None
    last_hash: str | None
    problem: ChainProblem | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    def sentence(self) -> str:
        if self.problem is not None:
            return self.problem.sentence()
        return f"The audit trail is intact ({self.checked} entries checked)."


# -- writing --------------------------------------------------------------------------------


def seal(db: Session, entry: AuditEntry) -> None:
    """Give a new entry its place at the end of the chain: id, previous hash and own hash.

    Must run inside the write transaction (``Database.transaction()`` takes SQLite's write
    lock before reading), so the entry read as "previous" is still the last one when this one
    is written; ``prev_hash`` is unique, so a second writer could never extend it too.
    """
    seal_all(db, [entry])


def seal_all(db: Session, entries: Sequence[AuditEntry]) -> None:
    """Seal new entries one after another at the end of the chain, reading its end once."""
    db.flush()  # earlier entries of this transaction are in the table and count as previous
    last = db.execute(
        select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    last_id, last_hash = (last.id, last.entry_hash or GENESIS) if last is not None else (0, GENESIS)
    for entry in entries:
        entry.id = last_id = last_id + 1
        entry.prev_hash = last_hash
        entry.entry_hash = last_hash = entry_hash(_columns_of(entry))


def _columns_of(entry: AuditEntry) -> dict[str, Any]:
    """Every column of a new entry as it will be stored, Python-side defaults filled in."""
    columns: dict[str, Any] = {}
    for attr in inspect(AuditEntry).column_attrs:
        column = attr.columns[0]
        value = getattr(entry, attr.key)
        default = column.default
        if value is None and default is not None and default.is_scalar:
            value = default.arg
            setattr(entry, attr.key, value)
        columns[column.name] = value
    return columns


# -- checking -------------------------------------------------------------------------------


def _entries_after(db: Session, entry_id: int) -> Generator[dict[str, Any], None, None]:
    query: Select[Any] = select(TRAIL).where(TRAIL.c.id > entry_id).order_by(TRAIL.c.id)
    # Closed even when the walk stops at a broken entry: on PostgreSQL the batches come from a
    # cursor on the server, which must not be left open.
    with db.execute(query.execution_options(yield_per=READ_BATCH)) as rows:
        for row in rows:
            yield dict(row._mapping)


def _walk(db: Session, after_id: int, after_hash: str) -> ChainReport:
    """Check every entry after ``after_id``, whose hash must be ``after_hash``."""
    with closing(_entries_after(db, after_id)) as entries:
        return _walk_entries(db, entries, after_id, after_hash)


def _walk_entries(
    db: Session, entries: Iterator[dict[str, Any]], previous_id: int, previous_hash: str
) -> ChainReport:
    """Check ``entries`` in order; the one before the first has ``previous_id`` and hash."""
    checked = 0
    for columns in entries:
        entry_id = int(columns["id"])
        sealed = columns["entry_hash"] is not None and columns["entry_hash"] == entry_hash(columns)
        linked = columns["prev_hash"] == previous_hash
        if not (sealed and linked):
            problem = _diagnose(db, columns, previous_id, sealed=sealed, linked=linked)
            return ChainReport(checked, previous_id or None, previous_hash, problem)
        previous_id, previous_hash, checked = entry_id, str(columns["entry_hash"]), checked + 1
    return ChainReport(checked, previous_id or None, previous_hash)


def _diagnose(
    db: Session, columns: dict[str, Any], previous_id: int, *, sealed: bool, linked: bool
) -> ChainProblem:
    entry_id = int(columns["id"])
    if sealed:
        # A well-formed entry that seals an entry we never saw: the ones between are gone.
        if entry_id > previous_id + 1:
            return ChainProblem(previous_id + 1, Tampering.REMOVED, entry_id - 1)
        return ChainProblem(entry_id, Tampering.INSERTED)
    if linked or _followed(db, entry_id, columns["entry_hash"]):
        # Its place in the chain is right (the next entry seals it): its content was changed.
        return ChainProblem(entry_id, Tampering.CHANGED)
    return ChainProblem(entry_id, Tampering.INSERTED)


def _followed(db: Session, entry_id: int, stored_hash: str | None) -> bool:
    """Whether the entry after ``entry_id`` links to the hash stored on it."""
    following = db.scalar(
        select(AuditEntry.prev_hash)
        .where(AuditEntry.id > entry_id)
        .order_by(AuditEntry.id)
        .limit(1)
    )
    return stored_hash is not None and following == stored_hash


def verify_chain(db: Session) -> ChainReport:
    """Walk the whole trail from its first entry; also catches entries cut off its end.

    Entries removed from the end leave no gap behind them; the checkpoint remembers the last
    entry once found intact, and that entry must still be there with the same hash.
    """
    report = _walk(db, 0, GENESIS)
    if report.problem is not None:
        return report
    checkpoint = db.get(AuditCheckpoint, CHECKPOINT_ID)
    if checkpoint is not None:
        problem = _checkpoint_problem(db, checkpoint)
        if problem is not None:
            return ChainReport(report.checked, report.last_id, report.last_hash, problem)
    return report


def _checkpoint_problem(db: Session, checkpoint: AuditCheckpoint) -> ChainProblem | None:
    stored = db.scalar(select(AuditEntry.entry_hash).where(AuditEntry.id == checkpoint.entry_id))
    if stored is None:
        return ChainProblem(checkpoint.entry_id, Tampering.REMOVED)
    if stored != checkpoint.entry_hash:
        return ChainProblem(checkpoint.entry_id, Tampering.CHANGED)
    return None


def verify_new_entries(db: Session, now: dt.datetime) -> ChainReport:
    """Check only the entries written since the last check, and move the checkpoint on.

    For the desk's start: quick however long the trail is. Run it in a write transaction.
    """
    checkpoint = db.get(AuditCheckpoint, CHECKPOINT_ID)
    if checkpoint is None:
        report = _walk(db, 0, GENESIS)
    else:
        problem = _checkpoint_problem(db, checkpoint)
        if problem is not None:
            return ChainReport(0, checkpoint.entry_id, checkpoint.entry_hash, problem)
        report = _walk(db, checkpoint.entry_id, checkpoint.entry_hash)
    if report.intact and report.last_id is not None and report.last_hash is not None:
        if checkpoint is None:
            checkpoint = AuditCheckpoint(id=CHECKPOINT_ID)
            db.add(checkpoint)
        checkpoint.entry_id = report.last_id
        checkpoint.entry_hash = report.last_hash
        checkpoint.verified_at = now
    return report
