"""Moving and keeping the clinic: whole copies between databases, backups, restores.

A copy reads every table of the source inside one snapshot (a SQLite read transaction in WAL
mode, a REPEATABLE READ transaction on PostgreSQL), so desks may keep working while it runs and
the copy is the clinic as it was at one instant. It writes into an empty database in one
transaction, rows verbatim (ids, the audit trail's hashes and links), and before committing
compares each table's row count and checksum with the source's; any difference rolls it back.

A backup is such a copy into a new SQLite file, whatever the source database: one portable file
that ``restore`` reads back into an empty SQLite file or PostgreSQL database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.errors import FieldProblem, ServiceError, ValidationFailed
from scheduler.services import audit
from scheduler.services.access import require
from scheduler.services.clinic import get_settings
from scheduler.store import Database, DatabaseError, open_database
from scheduler.store.audit_hash import canonical_value
from scheduler.store.models import DERIVED, Base, ClinicSettings

BATCH = 1000
BACKUP_PREFIX = "clinic-backup-"
BACKUP_SUFFIX = ".sqlite3"
_BACKUP_NAME = re.compile(r"^clinic-backup-(\d{8}-\d{6})\.sqlite3$")
DAILY = dt.timedelta(days=1)
MIN_KEEP_DAYS, MAX_KEEP_DAYS = 1, 3650


class CopyRefused(ServiceError):
    """A copy, backup or restore that was not made; the message says why."""


@dataclass(frozen=True)
class TableSum:
    """One table's row count and checksum (SHA-256 over its rows in primary-key order)."""

    table: str
    rows: int
    checksum: str


@dataclass(frozen=True)
class CopyReport:
    """What a copy, backup or restore wrote, table by table, all verified."""

    tables: list[TableSum]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def sentence(self) -> str:
        return (
            f"{len(self.tables)} tables, {self.rows} rows copied; "
            "row counts and checksums match the source."
        )


def clinic_tables() -> list[Table]:
    """Every table of the clinic, parents before the tables that refer to them.

    Derived tables are left out: the target's triggers fill them as the rows they derive
    from are written.
    """
    return [t for t in Base.metadata.sorted_tables if not t.info.get(DERIVED)]


def _rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    query = select(table).order_by(*table.primary_key.columns)
    with conn.execute(query.execution_options(yield_per=BATCH)) as result:
        for row in result:
            yield dict(row._mapping)


def table_sums(conn: Connection) -> list[TableSum]:
    """Row count and checksum of every clinic table, as ``conn`` sees them."""
    sums = []
    for table in clinic_tables():
        digest, count = hashlib.sha256(), 0
        for row in _rows(conn, table):
            line = {name: canonical_value(value) for name, value in row.items()}
            digest.update(json.dumps(line, sort_keys=True, ensure_ascii=False).encode("utf-8"))
            digest.update(b"\n")
            count += 1
        sums.append(TableSum(table.name, count, digest.hexdigest()))
    return sums


def _snapshot(database: Database) -> Connection:
    """A connection whose reads all see the source at one instant."""
    conn = database.engine.connect()
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def _refuse_unless_empty(conn: Connection, where: str) -> None:
    for table in clinic_tables():
        if conn.scalar(select(func.count()).select_from(table)):
            raise CopyRefused(
                f"{where} is not empty (its table {table.name} holds data); "
                "copy only into a new, empty database."
            )


def _reset_id_sequences(conn: Connection) -> None:
    """Let PostgreSQL's generated ids continue after the ids copied in."""
    for table in clinic_tables():
        for column in table.primary_key.columns:
            if column.type.python_type is int:
                conn.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:table, :column), "
                        f"COALESCE((SELECT max({column.name}) FROM {table.name}), 0) + 1, false)"
                    ),
                    {"table": table.name, "column": column.name},
                )


def copy_clinic(source: Database, target: Database) -> CopyReport:
    """Copy every table of ``source`` into the empty ``target`` and verify it, or write nothing."""
    with _snapshot(source) as reading, reading.begin():
        expected = table_sums(reading)
        with target.engine.connect() as writing, writing.begin():
            _refuse_unless_empty(writing, target.description)
            for table in clinic_tables():
                batch: list[dict[str, Any]] = []
                for row in _rows(reading, table):
                    batch.append(row)
                    if len(batch) == BATCH:
                        writing.execute(table.insert(), batch)
                        batch = []
                if batch:
                    writing.execute(table.insert(), batch)
            if writing.dialect.name == "postgresql":
                _reset_id_sequences(writing)
            written = table_sums(writing)
            if written != expected:
                wrong = next(w.table for w, e in zip(written, expected, strict=True) if w != e)
                raise CopyRefused(
                    f"The copy of table {wrong} does not match the source; nothing was kept."
                )
    return CopyReport(written)


def _new_file(path: Path) -> Path:
    if path.exists():
        raise CopyRefused(f"{path} already exists; choose a new file name for the backup.")
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    return partial


def backup_to_file(source: Database, out: Path) -> CopyReport:
    """Write the whole clinic to the new SQLite file ``out``, verified; desks may keep working."""
    partial = _new_file(out)
    try:
        target = open_database(str(partial))
        try:
            report = copy_clinic(source, target)
        finally:
            target.close()
        os.replace(partial, out)
    finally:
        for leftover in (partial, *partial.parent.glob(f"{partial.name}-*")):
            leftover.unlink(missing_ok=True)
    return report


def restore_from_file(backup: Path, target: Database) -> CopyReport:
    """Copy the clinic in the backup file ``backup`` into the empty ``target``, verified."""
    if not backup.is_file():
        raise CopyRefused(f"{backup} is not a backup file.")
    source = open_database(str(backup))
    try:
        return copy_clinic(source, target)
    finally:
        source.close()


# -- daily backups to the folder set in Settings ------------------------------------------------


@dataclass(frozen=True)
class BackupPlan:
    """Where daily backups go, how many days they are kept, and when the last good one was made."""

    folder: Path | None
    keep_days: int
    last_at: dt.datetime | None


def backup_plan(database: Database) -> BackupPlan:
    with database.reading() as db:
        settings = db.get(ClinicSettings, 1)
        if settings is None:
            return BackupPlan(None, 14, None)
        folder = Path(settings.backup_folder) if settings.backup_folder else None
        return BackupPlan(folder, settings.backup_keep_days, settings.last_backup_at)


def backup_is_due(plan: BackupPlan, now: dt.datetime) -> bool:
    return plan.folder is not None and (plan.last_at is None or now - plan.last_at >= DAILY)


def _backup_time(path: Path) -> dt.datetime | None:
    match = _BACKUP_NAME.match(path.name)
    if not match:
        return None
    return dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=dt.UTC)


def remove_old_backups(folder: Path, keep_days: int, now: dt.datetime) -> list[Path]:
    """Delete this app's backups in ``folder`` older than ``keep_days``; other files are left."""
    removed = []
    for path in sorted(folder.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}")):
        made = _backup_time(path)
        if made is not None and now - made > dt.timedelta(days=keep_days):
            path.unlink()
            removed.append(path)
    return removed


def scheduled_backup(database: Database, now: dt.datetime, *, force: bool = False) -> Path | None:
    """Make the day's backup in the Settings folder if one is due; prune old ones; record it.

    Returns the new file, or None when no folder is set or the last backup is under a day old.
    """
    try:
        plan = backup_plan(database)
    except (DatabaseError, SQLAlchemyError) as exc:
        # The daily check runs on a timer: a server gone away is a refusal to show, not a crash.
        raise CopyRefused(
            "Cannot read the backup settings from the database; no backup was made."
        ) from exc
    if plan.folder is None or not (force or backup_is_due(plan, now)):
        return None
    try:
        plan.folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CopyRefused(
            f"Cannot use the backup folder {plan.folder}: {exc.strerror}; no backup was made."
        ) from exc
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    out = plan.folder / f"{BACKUP_PREFIX}{stamp}{BACKUP_SUFFIX}"
    try:
        backup_to_file(database, out)
        remove_old_backups(plan.folder, plan.keep_days, now)
        with database.transaction() as db:
            settings = db.get(ClinicSettings, 1)
            if settings is not None:
                settings.last_backup_at = now
    except (DatabaseError, OSError) as exc:
        # One kind of refusal for the desk to show, whatever stopped the copy.
        raise CopyRefused(str(exc)) from exc
    return out


def set_backup_plan(
    db: Session, folder: str | None, keep_days: int, *, actor: Actor, now: dt.datetime
) -> BackupPlan:
    """Settings → Backups: the folder for daily backups (empty: none) and the days they are kept."""
    require(actor, Permission.EDIT_SETTINGS)
    problems = []
    chosen = (folder or "").strip() or None
    if chosen is not None and not Path(chosen).is_absolute():
        problems.append(
            FieldProblem("backup_folder", "Give the backup folder as a full path from the top.")
        )
    if not MIN_KEEP_DAYS <= keep_days <= MAX_KEEP_DAYS:
        problems.append(
            FieldProblem(
                "backup_keep_days",
                f"Keep backups for {MIN_KEEP_DAYS} to {MAX_KEEP_DAYS} days.",
            )
        )
    if problems:
        raise ValidationFailed(problems)
    settings = get_settings(db)
    before = audit.snapshot(settings)
    settings.backup_folder = chosen
    settings.backup_keep_days = keep_days
    audit.record(
        db, actor=actor.sign_in, now=now, action="backup.plan", row=settings, before=before
    )
    folder_path = Path(chosen) if chosen else None
    return BackupPlan(folder_path, keep_days, settings.last_backup_at)
