"""The audit trail: every write records who, when, what, and the row before and after."""

from __future__ import annotations

import datetime as dt
import enum
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
        entity=row.__tablename__,
        entity_id=getattr(row, "id", None),
        before=before,
        after=None if deleted else snapshot(row),
        reason=reason,
        patient_id=row.id if isinstance(row, Patient) else getattr(row, "patient_id", None),
        # None, not "", when nobody else signed: a column left empty is out of the entry's
        # hash, so entries sealed before signatures existed still verify.
        signed_by=signed_by or None,
    )
    audit_chain.seal(db, entry)
    db.add(entry)
    return entry
