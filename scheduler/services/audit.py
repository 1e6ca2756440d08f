"""The audit trail: every write records who, when, what, and the row before and after."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from scheduler.services import audit_chain
from scheduler.store.models import AuditEntry, Base, Patient


def snapshot(row: Base) -> dict[str, Any]:
    """The row's column values as JSON-ready data (dates and times as ISO 8601 text)."""
    mapper = inspect(row).mapper
    return {attr.key: _jsonable(getattr(row, attr.key)) for attr in mapper.column_attrs}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def record(
    db: Session,
    *,
    actor: str,
    now: dt.datetime,
    action: str,
    row: Base,
    before: dict[str, Any] | None,
    reason: str = "",
    deleted: bool = False,
    signed_by: str = "",
) -> AuditEntry:
    """Add the audit entry for a write to ``row``; call after the change (flushes to get ids)."""
    db.flush()
    entry = AuditEntry(
        at=now,
        actor=actor,
        action=action,
        before=before,
        after=None if deleted else snapshot(row),
        reason=reason,
        # None, not "", when nobody else signed: a column left empty is out of the entry's
        # hash, so entries sealed before signatures existed still verify.
        signed_by=signed_by or None,
        **_about(row),
    )
    audit_chain.seal(db, entry)
    db.add(entry)
    return entry


def record_new_rows(
    db: Session,
    *,
    actor: str,
    now: dt.datetime,
    action: str,
    rows: Sequence[Base],
    reason: str = "",
) -> list[AuditEntry]:
    """Add the audit entries of many rows just created, as ``record`` would one by one.

    One flush writes the rows and one read finds the end of the chain, for all of them.
    """
    db.flush()
    entries = [
        AuditEntry(
            at=now,
            actor=actor,
            action=action,
            before=None,
            after=snapshot(row),
            reason=reason,
            signed_by=None,
            **_about(row),
        )
        for row in rows
    ]
    audit_chain.seal_all(db, entries)
    db.add_all(entries)
    return entries


def _about(row: Base) -> dict[str, Any]:
    """The columns of an audit entry that name the row written (and its patient)."""
    return {
        "entity": row.__tablename__,
        "entity_id": getattr(row, "id", None),
        "patient_id": row.id if isinstance(row, Patient) else getattr(row, "patient_id", None),
    }
