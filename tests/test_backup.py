"""Moving and keeping the clinic: copy-to, backup and restore, verified table by table, and the
same demo clinic on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, text

from scheduler.cli import main
from scheduler.errors import ValidationFailed
from scheduler.services import backup as backup_service
from scheduler.services.audit_chain import verify_chain
from scheduler.services.backup import (
    BACKUP_PREFIX,
    CopyRefused,
    TableSum,
    backup_is_due,
    backup_plan,
    backup_to_file,
    remove_old_backups,
    restore_from_file,
    scheduled_backup,
    set_backup_plan,
    table_sums,
)
from scheduler.services.demo import build_demo_clinic
from scheduler.store import Database, open_database
from scheduler.store.models import ClinicSettings
from tests.conftest import ACTOR, NOW

DEMO_DAY = "2026-11-16"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def sums(where: str | Path) -> list[object]:
    database = open_database(str(where), now=NOW)
    try:
        with database.engine.connect() as conn:
            return list(table_sums(conn))
    finally:
        database.close()


def verified(capsys: pytest.CaptureFixture[str], where: str | Path) -> None:
    status, out, _ = cli(capsys, "audit", "verify", "--db", str(where))
    assert status == 0, out
    assert out.startswith("The audit trail is intact (")


@pytest.fixture
def demo(empty_db: Database) -> Database:
    with empty_db.transaction() as s:
        build_demo_clinic(s, today=dt.date(2026, 11, 16), now=NOW)
    return empty_db


def test_the_demo_clinic_goes_sqlite_to_postgresql_to_sqlite_unchanged(
    tmp_path: Path, pg_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first, last = tmp_path / "first.sqlite3", tmp_path / "last.sqlite3"
    assert cli(capsys, "--db", str(first), "demo", "--today", DEMO_DAY)[0] == 0
    status, out, err = cli(capsys, "--db", str(first), "copy-to", pg_database)
    assert (status, err) == (0, "")
    assert "row counts and checksums match the source" in out
    assert "audit_trail" in out
    status, out, err = cli(capsys, "--db", pg_database, "copy-to", str(last))
    assert (status, err) == (0, "")
    assert sums(first) == sums(pg_database) == sums(last)
    for where in (first, pg_database, last):
        verified(capsys, where)
    # The copy keeps working: a new entry is sealed onto the copied chain.
    copy = open_database(pg_database, now=NOW)
    try:
        with copy.transaction() as s:
            set_backup_plan(s, str(tmp_path / "backups"), 7, actor=ACTOR, now=NOW)
        with copy.reading() as s:
            assert verify_chain(s).intact
    finally:
        copy.close()


def test_a_target_that_holds_data_is_refused_untouched(
    demo: Database, db_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sums(str(db_path))
    status, _, err = cli(capsys, "--db", str(db_path), "copy-to", str(db_path))
    assert status == 2
    assert "is not empty (its table" in err
    assert "copy only into a new, empty database" in err
    assert sums(str(db_path)) == before


def test_backup_and_restore_round_trip_with_identical_checksums(
    demo: Database, second_db_path: object, tmp_path: Path
) -> None:
    backup = tmp_path / "clinic.backup"
    report = backup_to_file(demo, backup)
    assert report.rows > 2000
    assert oct(backup.stat().st_mode & 0o777) == "0o600"  # patient data: the owner's alone
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    with pytest.raises(CopyRefused, match="already exists"):
        backup_to_file(demo, backup)
    target = open_database(str(second_db_path), now=NOW)
    try:
        restored = restore_from_file(backup, target)
        assert restored.tables == report.tables
        with demo.engine.connect() as a, target.engine.connect() as b:
            assert table_sums(a) == table_sums(b)
        with target.reading() as s:
            assert verify_chain(s).intact
        with pytest.raises(CopyRefused, match="is not empty"):
            restore_from_file(backup, target)
    finally:
        target.close()


def test_a_backup_taken_while_a_desk_writes_is_the_clinic_at_one_instant(
    demo: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A desk's write commits after the backup has read the clinic and before it has checked its
    # copy: the backup holds the clinic as it was when it started, and still verifies.
    with demo.engine.connect() as conn:
        before = table_sums(conn)
    calls: list[object] = []

    def desk_writes_meanwhile(conn: Connection) -> list[TableSum]:
        calls.append(conn)
        if len(calls) == 2:  # the source is read; the copy is about to be checked
            with demo.transaction() as s:
                set_backup_plan(s, str(tmp_path / "elsewhere"), 30, actor=ACTOR, now=NOW)
        return table_sums(conn)

    monkeypatch.setattr(backup_service, "table_sums", desk_writes_meanwhile)
    report = backup_to_file(demo, tmp_path / "snap.backup")
    assert len(calls) == 2
    assert report.tables == before
    assert backup_plan(demo).folder == tmp_path / "elsewhere"  # the desk's write was kept
    snapshot = open_database(str(tmp_path / "snap.backup"), now=NOW)
    try:
        with snapshot.reading() as s:
            assert s.scalar(select(ClinicSettings.backup_folder)) is None
            assert verify_chain(s).intact
    finally:
        snapshot.close()


def test_daily_backups_go_to_the_settings_folder_and_old_ones_are_removed(
    demo: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    assert scheduled_backup(demo, NOW) is None  # no folder set: nothing to do
    with demo.transaction() as s:
        set_backup_plan(s, str(folder), 3, actor=ACTOR, now=NOW)
    folder.mkdir()
    old = folder / f"{BACKUP_PREFIX}20261101-020000.sqlite3"
    old.write_bytes(b"an old backup")
    other = folder / "notes.txt"
    other.write_text("not ours")
    made = scheduled_backup(demo, NOW)
    assert made is not None
    assert made.exists()
    assert made.name == f"{BACKUP_PREFIX}20261116-140000.sqlite3"
    assert not old.exists()
    assert other.exists()
    plan = backup_plan(demo)
    assert plan.last_at == NOW
    assert not backup_is_due(plan, NOW + dt.timedelta(hours=23))
    assert backup_is_due(plan, NOW + dt.timedelta(hours=24))
    assert scheduled_backup(demo, NOW + dt.timedelta(hours=2)) is None
    later = NOW + dt.timedelta(days=5)
    assert scheduled_backup(demo, later) is not None
    assert remove_old_backups(folder, 3, later) == []  # already pruned by the backup
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{BACKUP_PREFIX}20261121-140000.sqlite3", "notes.txt"]
    )


def test_backup_settings_are_checked_and_audited(db: Database) -> None:
    with pytest.raises(ValidationFailed, match="full path"), db.transaction() as s:
        set_backup_plan(s, "backups", 14, actor=ACTOR, now=NOW)
    with pytest.raises(ValidationFailed, match="1 to 3650 days"), db.transaction() as s:
        set_backup_plan(s, "/srv/backups", 0, actor=ACTOR, now=NOW)
    with db.transaction() as s:
        set_backup_plan(s, "/srv/backups", 30, actor=ACTOR, now=NOW)
    with db.reading() as s:
        action = s.execute(text("SELECT action FROM audit_trail ORDER BY id DESC")).scalar()
    assert action == "backup.plan"
    assert backup_plan(db).keep_days == 30


def test_a_backup_folder_that_cannot_be_made_is_named(demo: Database, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with demo.transaction() as s:
        set_backup_plan(s, str(blocker / "backups"), 14, actor=ACTOR, now=NOW)
    with pytest.raises(CopyRefused, match=r"Cannot use the backup folder .*; no backup was made"):
        scheduled_backup(demo, NOW)


def test_the_same_demo_day_gives_the_same_clinic_on_both_databases(
    tmp_path: Path, pg_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lite = str(tmp_path / "demo.sqlite3")
    nurse_password = tmp_path / "nurse-password"  # the demo clinic's nurse prints the letters
    nurse_password.write_text("demo-nurse\n", encoding="utf-8")
    outputs: list[list[str | list[str]]] = []
    for where in (lite, pg_database):
        assert cli(capsys, "--db", where, "demo", "--today", DEMO_DAY)[0] == 0
        day: list[str | list[str]] = []
        for date in ("2026-11-16", "2026-11-17", "2026-11-19"):
            status, out, _ = cli(capsys, "--db", where, "sessions", "--date", date, "--json")
            assert status == 0
            day.append(out)
        folder = tmp_path / f"letters-{len(outputs)}"
        status, out, _ = cli(
            capsys, "--db", where, "letters", "prep", "--date", "2026-11-17", "--out", str(folder),
            "--user", "maria", "--password-file", str(nurse_password),
        )  # fmt: skip
        assert status == 0
        day.append(sorted(p.name for p in folder.iterdir()))
        outputs.append(day)
    assert outputs[0] == outputs[1]
    assert len(outputs[0][-1]) >= 3  # two letters and the combined PDF


def test_a_daily_check_whose_database_went_away_is_a_refusal(tmp_path: Path) -> None:
    # The desk checks on a timer; a database that can no longer be read (here its tables
    # dropped from under it, as when a server's database is gone) must be a refusal the
    # status bar shows, never an error raised inside the timer.
    path = tmp_path / "gone.sqlite3"
    database = open_database(str(path), now=NOW)
    try:
        with database.engine.begin() as conn:
            conn.execute(text("DROP TABLE clinic_settings"))
        with pytest.raises(CopyRefused, match="Cannot read the backup settings"):
            scheduled_backup(database, NOW)
    finally:
        database.close()
