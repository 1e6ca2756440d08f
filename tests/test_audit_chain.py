"""The tamper-evident audit trail: sealed on write, broken by any edit made outside the app."""

from __future__ import annotations

import itertools
import json
import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select

from scheduler.services.audit_chain import Tampering, verify_chain, verify_new_entries
from scheduler.store import Database, migrations, open_database
from scheduler.store.audit_hash import GENESIS
from scheduler.store.models import AuditCheckpoint, AuditEntry
from tests.conftest import NOW
from tests.factories import make_patient
from tests.raw_sql import engine_for, raw
from tests.test_cli import run

PATIENTS = 4


@pytest.fixture
def trail(db: Database) -> Database:
    """The test clinic with a few patients: a trail of a few dozen entries."""
    with db.transaction() as s:
        for number in range(PATIENTS):
            make_patient(s, first_name=f"Audit{number}")
    return db


def count(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count(AuditEntry.id))) or 0


def check(db: Database) -> tuple[Tampering | None, int | None]:
    with db.reading() as s:
        report = verify_chain(s)
    return (report.problem.kind, report.problem.entry_id) if report.problem else (None, None)


def test_every_entry_is_sealed_and_linked_to_the_one_before(trail: Database) -> None:
    with trail.reading() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        report = verify_chain(s)
    assert report.intact
    assert report.checked == len(entries) > PATIENTS
    assert [e.id for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    patient_entries = [e for e in entries if e.action == "patient.create"]
    assert all(e.patient_id == e.entity_id for e in patient_entries)


def test_an_edited_entry_is_named(trail: Database, db_path: Path) -> None:
    raw(db_path, "UPDATE audit_trail SET actor = 'somebody else' WHERE id = 5")
    assert check(trail) == (Tampering.CHANGED, 5)
    result = run("audit", "verify", "--db", str(db_path))
    assert result.returncode == 1
    assert result.stdout.strip() == "Audit entry #5 was changed after it was written."


EDIT_FIRST_NAME = {
    "sqlite": "json_set(after, '$.first_name', 'Else')",
    "postgresql": "jsonb_set(after::jsonb, '{first_name}', '\"Else\"')::json",
}


def test_an_edit_inside_the_row_snapshot_is_caught_too(
    trail: Database, db_path: Path, backend: str
) -> None:
    raw(
        db_path,
        f"UPDATE audit_trail SET after = {EDIT_FIRST_NAME[backend]} "
        "WHERE action = 'patient.create' AND id = (SELECT max(id) FROM audit_trail)",
    )
    assert check(trail) == (Tampering.CHANGED, count(trail))


def test_an_entry_relinked_elsewhere_counts_as_changed(trail: Database, db_path: Path) -> None:
    raw(db_path, "UPDATE audit_trail SET prev_hash = ? WHERE id = 4", "f" * 64)
    assert check(trail) == (Tampering.CHANGED, 4)


def test_a_deleted_entry_is_named(trail: Database, db_path: Path) -> None:
    raw(db_path, "DELETE FROM audit_trail WHERE id = 6")
    assert check(trail) == (Tampering.REMOVED, 6)
    result = run("audit", "verify", "--db", str(db_path))
    assert (result.returncode, result.stdout.strip()) == (1, "Audit entry #6 was removed.")


def test_a_run_of_deleted_entries_is_named(trail: Database, db_path: Path) -> None:
    raw(db_path, "DELETE FROM audit_trail WHERE id BETWEEN 1 AND 3")
    with trail.reading() as s:
        problem = verify_chain(s).problem
    assert problem is not None
    assert problem.sentence() == "Audit entries #1 to #3 were removed."


def test_an_inserted_entry_is_named(trail: Database, db_path: Path) -> None:
    last = count(trail)
    # A copy of a real entry, hashes and all, added at the end as if the app had written it.
    raw(
        db_path,
        "INSERT INTO audit_trail (id, at, actor, action, entity, entity_id, before, after, "
        "reason, patient_id, prev_hash, entry_hash) "
        "SELECT (SELECT max(id) + 1 FROM audit_trail), at, actor, action, entity, entity_id, "
        "before, after, 'backdated', patient_id, 'x' || substr(prev_hash, 2), entry_hash "
        "FROM audit_trail WHERE id = 3",
    )
    assert check(trail) == (Tampering.INSERTED, last + 1)
    result = run("audit", "verify", "--db", str(db_path))
    assert result.returncode == 1
    assert result.stdout.strip() == f"Audit entry #{last + 1} was inserted outside Infusion Desk."


def test_entries_cut_off_the_end_are_caught_by_the_checkpoint(
    trail: Database, db_path: Path
) -> None:
    with trail.transaction() as s:
        assert verify_new_entries(s, NOW).intact
    last = count(trail)
    raw(db_path, "DELETE FROM audit_trail WHERE id = ?", last)
    assert check(trail) == (Tampering.REMOVED, last)
    with trail.transaction() as s:
        report = verify_new_entries(s, NOW)
    assert report.problem is not None
    assert report.problem.entry_id == last


def test_the_quick_check_reads_only_entries_written_since_the_last(trail: Database) -> None:
    with trail.transaction() as s:
        first = verify_new_entries(s, NOW)
    assert first.intact
    assert first.checked == count(trail)
    with trail.transaction() as s:
        make_patient(s, first_name="Later")
    with trail.transaction() as s:
        again = verify_new_entries(s, NOW)
    assert again.intact
    assert 0 < again.checked < first.checked
    with trail.reading() as s:
        checkpoint = s.get(AuditCheckpoint, 1)
        assert checkpoint is not None
        assert checkpoint.entry_id == count(trail)


def test_the_quick_check_does_not_move_past_a_broken_entry(trail: Database, db_path: Path) -> None:
    with trail.transaction() as s:
        verify_new_entries(s, NOW)
    with trail.transaction() as s:
        make_patient(s, first_name="Later")
    raw(
        db_path,
        "UPDATE audit_trail SET reason = 'edited' WHERE id = (SELECT max(id) FROM audit_trail)",
    )
    for _ in range(2):  # the problem stays reported until someone looks into it
        with trail.transaction() as s:
            report = verify_new_entries(s, NOW)
        assert report.problem is not None
        assert report.problem.kind is Tampering.CHANGED


def test_an_untouched_demo_clinic_verifies(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.sqlite3")
    assert run("demo", "--db", db, "--today", "2026-11-16").returncode == 0
    result = run("audit", "verify", "--db", db)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("The audit trail is intact (")


# -- an older database, upgraded ----------------------------------------------------------

OLD_ENTRIES = [
    ("2026-01-05 12:00:00.000000", "clinic.set_up", "clinic_settings", 1, None, {"id": 1}),
    ("2026-01-05 12:01:00.250000", "patient.create", "patients", 7, None, {"first_name": "Zoë"}),
    (
        "2026-01-06 09:30:00.000000",
        "letter.generate",
        "letters",
        3,
        None,
        {"id": 3, "patient_id": 7, "kind": "prep"},
    ),
    ("2026-01-07 10:00:00.000000", "patient.update", "patients", 7, {"id": 7}, {"notes": "ü"}),
]  # fmt: skip


@pytest.mark.sqlite_only  # builds the old file with revision 0002 and SQLite literals
def test_an_older_database_is_sealed_by_the_upgrade(db_path: Path) -> None:
    # The file as revision 0002 left it, with entries written by that version of the app.
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        migrations.upgrade(conn, "0002")
    engine.dispose()
    for at, action, entity, entity_id, before, after in OLD_ENTRIES:
        raw(
            db_path,
            "INSERT INTO audit_trail (at, actor, action, entity, entity_id, before, after, reason)"
            " VALUES (?, 'frontdesk', ?, ?, ?, ?, ?, '')",
            at,
            action,
            entity,
            entity_id,
            None if before is None else json.dumps(before),
            json.dumps(after),
        )

    upgraded = open_database(str(db_path), now=NOW)
    try:
        assert upgraded.backup_path is not None
        with upgraded.reading() as s:
            report = verify_chain(s)
            patients = list(s.scalars(select(AuditEntry.patient_id).order_by(AuditEntry.id)))
        assert report.intact
        assert report.checked == len(OLD_ENTRIES)
        assert patients == [None, 7, 7, 7]
        with upgraded.transaction() as s:
            make_patient(s, first_name="After")
        assert check(upgraded) == (None, None)
    finally:
        upgraded.close()
    assert run("audit", "verify", "--db", str(db_path)).returncode == 0
    raw(db_path, "UPDATE audit_trail SET at = '2026-01-05 12:01:00.250001' WHERE id = 2")
    assert run("audit", "verify", "--db", str(db_path)).returncode == 1


# -- two writers at once --------------------------------------------------------------------

WRITES_EACH = 15


def _writer(path: str, name: str, barrier: Barrier) -> None:
    """One workstation adding patients as fast as it can (in its own process)."""
    database = open_database(path, now=NOW)
    try:
        barrier.wait(timeout=30)
        for number in range(WRITES_EACH):
            with database.transaction() as s:
                make_patient(s, first_name=f"{name}{number}")
    finally:
        database.close()


@pytest.mark.slow
def test_two_processes_writing_at_once_keep_one_chain(db: Database, db_path: Path) -> None:
    before = count(db)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    writers = [
        context.Process(target=_writer, args=(str(db_path), name, barrier))
        for name in ("Left", "Right")
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
        assert writer.exitcode == 0
    assert count(db) == before + 2 * WRITES_EACH
    assert check(db) == (None, None)


def test_the_upgrade_can_be_undone_and_redone(trail: Database, db_path: Path) -> None:
    entries = count(trail)
    trail.close()
    engine = engine_for(db_path)
    with engine.begin() as conn:
        command.downgrade(migrations.alembic_config(conn), "0002")
    engine.dispose()
    again = open_database(str(db_path), now=NOW)
    try:
        assert check(again) == (None, None)
        assert count(again) == entries
    finally:
        again.close()
