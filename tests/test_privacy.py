"""Patient data on disk: owner-only folders and files whatever the umask, a warning when not."""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from scheduler.domain.patients import PatientDetails
from scheduler.private_files import append_private, write_private
from scheduler.services.clinic import set_up_clinic
from scheduler.services.letters import write_files
from scheduler.services.patients import create_patient
from scheduler.store import migrations, open_database
from scheduler.ui.app import set_up_logging
from tests.conftest import ACTOR, NOW
from tests.factories import make_patient
from tests.test_cli import run

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems start users with: new files 0644, folders 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.sqlite_only
def test_a_new_database_and_its_side_files_are_private_in_a_private_folder(
    tmp_path: Path,
) -> None:
    path = tmp_path / "infusion-desk" / "data" / "clinic.sqlite3"
    database = open_database(str(path), now=NOW)
    try:
        with database.transaction() as s:
            make_patient(s, first_name="Private")
        side_files = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
        assert all(side.exists() for side in side_files)
        assert {p.name: mode(p) for p in [path, *side_files]} == {
            "clinic.sqlite3": 0o600,
            "clinic.sqlite3-wal": 0o600,
            "clinic.sqlite3-shm": 0o600,
        }
        assert mode(path.parent) == mode(path.parent.parent) == 0o700
        assert database.exposure_warning is None
    finally:
        database.close()


@pytest.mark.sqlite_only
def test_the_copy_taken_before_an_upgrade_is_private(db_path: Path) -> None:
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        migrations.upgrade(conn, "0002")
    engine.dispose()
    db_path.chmod(0o600)
    database = open_database(str(db_path), now=NOW)
    database.close()
    assert database.backup_path is not None
    assert mode(database.backup_path) == 0o600


def test_letters_and_saved_files_are_private(tmp_path: Path) -> None:
    written = write_files(tmp_path / "letters", {"prep-all.pdf": b"%PDF-1.4", "one.pdf": b"x"})
    assert mode(tmp_path / "letters") == 0o700
    assert {name: mode(path) for name, path in written.items()} == {
        "prep-all.pdf": 0o600,
        "one.pdf": 0o600,
    }
    saved = tmp_path / "saved.pdf"
    saved.write_bytes(b"old")
    saved.chmod(0o644)
    write_private(saved, b"%PDF-1.4 new")
    assert (saved.read_bytes(), mode(saved)) == (b"%PDF-1.4 new", 0o600)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_file_added_to_is_private_and_keeps_what_it_held(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.log"
    with append_private(fresh) as stream:
        stream.write("first\n")
    assert (fresh.read_text(encoding="utf-8"), mode(fresh)) == ("first\n", 0o600)
    # One left open to others (by an older version, say) is closed to them, and kept.
    older = tmp_path / "older.log"
    older.write_text("before\n", encoding="utf-8")
    older.chmod(0o644)
    with append_private(older) as stream:
        stream.write("after\n")
    assert (older.read_text(encoding="utf-8"), mode(older)) == ("before\nafter\n", 0o600)


def test_the_crash_log_and_its_folder_are_private(tmp_path: Path) -> None:
    # faulthandler is the process's own, so the crash log is set up in a process of its own.
    new_folder = tmp_path / "state" / "log"
    old_folder = tmp_path / "old"
    old_folder.mkdir()
    old_log = old_folder / "crash.log"
    old_log.write_text("an earlier crash\n", encoding="utf-8")
    old_log.chmod(0o644)
    setting_up = textwrap.dedent(
        f"""
        from pathlib import Path
        from scheduler.ui.app import enable_crash_log
        print(enable_crash_log(Path({str(new_folder)!r})))
        print(enable_crash_log(Path({str(old_folder)!r})))
        """
    )
    finished = subprocess.run(
        [sys.executable, "-c", setting_up], capture_output=True, text=True, timeout=60,
        check=True,
    )  # fmt: skip
    new_log = new_folder / "crash.log"
    assert finished.stdout.split() == [str(new_log), str(old_log)]
    assert (mode(new_log), mode(new_folder), mode(new_folder.parent)) == (0o600, 0o700, 0o700)
    assert mode(old_log) == 0o600
    assert old_log.read_text(encoding="utf-8") == "an earlier crash\n"


def test_the_log_folder_and_every_log_file_are_private(tmp_path: Path) -> None:
    path = set_up_logging(tmp_path / "state" / "log" / "desk.log")
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "baseFilename", None) == str(path))
    try:
        assert path is not None
        assert (mode(path), mode(path.parent), mode(path.parent.parent)) == (0o600, 0o700, 0o700)
        handler.doRollover()  # type: ignore[attr-defined]
        assert mode(path) == 0o600
        assert mode(path.with_name("desk.log.1")) == 0o600
    finally:
        root.removeHandler(handler)
        handler.close()


@pytest.mark.sqlite_only
def test_an_existing_database_open_to_others_is_warned_about(db_path: Path) -> None:
    open_database(str(db_path), now=NOW).close()
    db_path.chmod(0o644)
    database = open_database(str(db_path), now=NOW)
    database.close()
    assert database.exposure_warning == (
        f"Other users of this computer can open the clinic database {db_path} "
        f"(permissions 644); to keep patient data private, run: chmod 600 {db_path}"
    )
    result = run("audit", "verify", "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"warning: {database.exposure_warning}\n"


def test_sql_parameters_never_reach_the_log(tmp_path: Path, db_path: Path) -> None:
    """Even with SQL logging turned on, the statements are logged without their values."""
    marker = "MARKER-engine-7f3a"
    database = open_database(str(db_path), now=NOW)
    log_path = tmp_path / "desk.log"
    handler = logging.FileHandler(log_path, encoding="utf-8")
    engine_log = logging.getLogger("sqlalchemy.engine")
    engine_log.addHandler(handler)
    engine_log.setLevel(logging.INFO)
    try:
        with database.transaction() as s:
            set_up_clinic(s, name="Log Clinic", timezone="UTC", actor=ACTOR.sign_in, now=NOW)
            details = PatientDetails(marker, marker, dt.date(1980, 1, 2), indications=marker)
            create_patient(s, details, actor=ACTOR, now=NOW)
    finally:
        engine_log.removeHandler(handler)
        engine_log.setLevel(logging.NOTSET)
        handler.close()
        database.close()
    text = log_path.read_text(encoding="utf-8")
    assert "INSERT INTO patients" in text
    assert marker not in text
