"""Reading the audit trail: filtered pages for the Audit screen and the same view as CSV.

The trail grows with every write, so it is read a page at a time, newest first, continuing
below the last entry shown (keyset paging: a page costs the same however deep it is).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.errors import ServiceError
from scheduler.private_files import write_private
from scheduler.services.access import require
from scheduler.services.clinic import get_settings, is_set_up
from scheduler.services.patients import search_query
from scheduler.store.models import AuditEntry, Patient

PAGE_SIZE = 200
EXPORT_BATCH = 2000
CSV_HEADERS = (
    "Entry", "When", "Who", "Signed by", "Action", "Patient", "Chart", "Record", "Reason", "Changes"
)  # fmt: skip


@dataclass(frozen=True)
class AuditFilter:
    """What the Audit screen is narrowed to; empty fields do not narrow it."""

    actor: str = ""
    patient: str = ""  # words that find patients, as in the Patients search
    action: str = ""
    first_day: dt.date | None = None  # clinic days, in the clinic's time zone
    last_day: dt.date | None = None


@dataclass(frozen=True)
class AuditEntryView:
    """One audit entry as the Audit screen and the CSV export show it."""

    entry_id: int
    at: dt.datetime
    actor: str
    action: str
    record: str  # "patients #12"
    patient_id: int | None
    patient_name: str
    chart_number: str
    reason: str
    changes: str  # "phone: 555 0100 → 555 0199; notes: … → …", "created", "removed"
    signed_by: str = ""  # the clinician who signed the decision, when not the one at the desk

    @property
    def who(self) -> str:
        """The person at the desk, and the signer of a clinician's decision when another."""
        if self.signed_by and self.signed_by != self.actor:
            return f"{self.actor}, signed by {self.signed_by}"
        return self.actor


@dataclass(frozen=True)
class AuditPage:
    """Entries newest first, and whether older ones match too."""

    entries: tuple[AuditEntryView, ...]
    more: bool

    @property
    def last_id(self) -> int | None:
        return self.entries[-1].entry_id if self.entries else None


@dataclass(frozen=True)
class AuditChoices:
    """The values the filters offer: everyone and every action found in the trail."""

    actors: tuple[str, ...]
    actions: tuple[str, ...]


def _zone(db: Session) -> ZoneInfo:
    return ZoneInfo(get_settings(db).timezone if is_set_up(db) else "UTC")


def _filtered(db: Session, wanted: AuditFilter) -> Select[AuditEntry, Patient]:
    query = select(AuditEntry, Patient).outerjoin(Patient, Patient.id == AuditEntry.patient_id)
    if wanted.actor:
        query = query.where(AuditEntry.actor == wanted.actor)
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.patient.strip():
        found = search_query(wanted.patient, include_archived=True).order_by(None)
        query = query.where(AuditEntry.patient_id.in_(found.with_only_columns(Patient.id)))
    zone = _zone(db)
    if wanted.first_day is not None:
        start = dt.datetime.combine(wanted.first_day, dt.time(), zone)
        query = query.where(AuditEntry.at >= start)
    if wanted.last_day is not None:
        end = dt.datetime.combine(wanted.last_day + dt.timedelta(days=1), dt.time(), zone)
        query = query.where(AuditEntry.at < end)
    return query.order_by(AuditEntry.id.desc())


def audit_page(
    db: Session,
    actor: Actor,
    wanted: AuditFilter,
    *,
    older_than: int | None = None,
    size: int = PAGE_SIZE,
) -> AuditPage:
    """One page of matching entries, newest first, below entry ``older_than`` if given."""
    require(actor, Permission.READ_AUDIT)
    return _page(db, wanted, older_than, size)


def _page(db: Session, wanted: AuditFilter, older_than: int | None, size: int) -> AuditPage:
    query = _filtered(db, wanted)
    if older_than is not None:
        query = query.where(AuditEntry.id < older_than)
    rows = db.execute(query.limit(size + 1)).all()
    views = tuple(_view(entry, patient) for entry, patient in rows[:size])
    return AuditPage(views, more=len(rows) > size)


def audit_choices(db: Session, actor: Actor) -> AuditChoices:
    """The people and actions the trail holds, for the screen's filters."""
    require(actor, Permission.READ_AUDIT)
    actors = db.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor))
    actions = db.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    return AuditChoices(tuple(actors), tuple(actions))


def _view(entry: AuditEntry, patient: Patient | None) -> AuditEntryView:
    return AuditEntryView(
        entry_id=entry.id,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        record=f"{entry.entity} #{entry.entity_id}" if entry.entity_id else entry.entity,
        patient_id=entry.patient_id,
        patient_name=patient.display_name if patient is not None else "",
        chart_number=patient.chart_number if patient is not None else "",
        reason=entry.reason,
        changes=changes_text(entry.before, entry.after),
        signed_by=entry.signed_by or "",
    )


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def changes_text(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """What a write changed, field by field ("created" and "removed" for whole rows)."""
    if before is None:
        return "created"
    if after is None:
        return "removed"
    changed = [
        f"{key}: {_shown(before.get(key))} → {_shown(after.get(key))}"
        for key in sorted(set(before) | set(after))
        if key != "updated_at" and before.get(key) != after.get(key)
    ]
    return "; ".join(changed) or "no change"


def audit_csv(db: Session, actor: Actor, wanted: AuditFilter) -> tuple[bytes, int]:
    """Every entry matching the filter (not only the pages shown), as CSV; and how many."""
    require(actor, Permission.READ_AUDIT)
    zone = _zone(db)
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(CSV_HEADERS)
    written, older_than = 0, None
    while True:
        page = _page(db, wanted, older_than, EXPORT_BATCH)
        for view in page.entries:
            writer.writerow(_csv_row(view, zone))
        written += len(page.entries)
        if not page.more:
            break
        older_than = page.last_id
    # UTF-8 with a byte-order mark, so that spreadsheet programs read accented names right.
    return stream.getvalue().encode("utf-8-sig"), written


def _csv_row(view: AuditEntryView, zone: ZoneInfo) -> list[str]:
    return [
        str(view.entry_id),
        view.at.astimezone(zone).isoformat(timespec="seconds"),
        view.actor,
        view.signed_by,
        view.action,
        view.patient_name,
        view.chart_number,
        view.record,
        view.reason,
        view.changes,
    ]


def export_audit_csv(db: Session, actor: Actor, wanted: AuditFilter, path: Path) -> int:
    """Write the filtered trail to ``path`` (owner-only, whole or not at all); entries written."""
    data, count = audit_csv(db, actor, wanted)
    try:
        write_private(path, data)
    except OSError as exc:
        raise ServiceError(
            f"Cannot write the audit export to {path}: {exc.strerror or exc}. Nothing was written."
        ) from exc
    return count
