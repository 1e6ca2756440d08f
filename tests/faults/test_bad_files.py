"""Bad database files are refused with one sentence and left exactly as they were found.

Each case is a real file on disk, opened by the command line in a subprocess; the folder
holding it is compared byte for byte (and file for file) before and after.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.faults.conftest import (
    DEMO_DAY,
    folder_state,
    one_error_line,
    remount_read_only,
    run_cli,
)


def truncated(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def flipped(path: Path) -> None:
    """Bytes changed inside two table pages: SQLite's checks find it, a plain read may not."""
    pages = path.stat().st_size // 4096
    with path.open("r+b") as handle:
        for page in (pages // 2, pages // 3):
            handle.seek(page * 4096 + 100)
            handle.write(bytes(range(256)) * 8)


def foreign(path: Path) -> None:
    """Another application's SQLite file, in rollback-journal mode (not WAL)."""
    path.unlink()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.close()


def newer(path: Path) -> None:
    """Our database as a newer version left it, switched back to rollback-journal mode."""
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


def empty(path: Path) -> None:
    path.write_bytes(b"")


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated": (truncated, "is damaged"),
    "flipped bytes": (flipped, "is damaged"),
    "another application's": (foreign, "is not an Infusion Desk database"),
    "newer version's": (newer, "newer version"),
    "empty": (empty, "is an empty file"),
}


def commands(db: Path, out: Path) -> list[list[str]]:
    return [
        ["sessions", "--date", DEMO_DAY, "--db", str(db)],
        ["letters", "prep", "--date", DEMO_DAY, "--out", str(out), "--db", str(db)],
        ["audit", "verify", "--db", str(db)],
        ["--db", str(db)],  # the desk
    ]


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_bad_file_is_refused_in_one_sentence_and_left_as_it_was(
    kind: str, demo_db: Path, tmp_path: Path
) -> None:
    damage, words = DAMAGE[kind]
    damage(demo_db)
    before = folder_state(demo_db.parent)
    out = tmp_path / "letters"

    for command in commands(demo_db, out):
        line = one_error_line(run_cli(*command))
        assert words in line, (command, line)
        assert str(demo_db) in line
        assert folder_state(demo_db.parent) == before, command
    assert not out.exists()


def test_a_damaged_file_says_how_to_restore_and_check_finds_it(demo_db: Path) -> None:
    flipped(demo_db)
    line = one_error_line(run_cli("sessions", "--date", DEMO_DAY, "--db", str(demo_db)))
    assert "Restore your latest backup copy" in line

    checked = run_cli("check", "--db", str(demo_db))
    assert checked.returncode == 1
    assert "is damaged" in checked.stdout


def test_check_passes_a_sound_file_without_changing_it(demo_db: Path) -> None:
    before = folder_state(demo_db.parent)
    checked = run_cli("check", "--db", str(demo_db))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(f"The database {demo_db} is sound (full integrity check in")
    assert folder_state(demo_db.parent) == before


def test_a_mistyped_path_is_named_and_nothing_is_created(tmp_path: Path) -> None:
    typo = tmp_path / "clinc" / "clinic.sqlite3"
    for command in commands(typo, tmp_path / "letters"):
        line = one_error_line(run_cli(*command))
        assert f"There is no database at {typo} (no folder {typo.parent})" in line
        assert "python main.py init --db" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_init_makes_a_new_database_and_refuses_an_existing_one(tmp_path: Path) -> None:
    path = tmp_path / "new" / "clinic.sqlite3"
    made = run_cli("init", "--db", str(path))
    assert made.returncode == 0, made.stderr
    assert path.is_file()
    # Opened without complaint about the file: the desk now sets the clinic up.
    listed = run_cli("sessions", "--date", DEMO_DAY, "--db", str(path))
    assert "has not been set up yet" in one_error_line(listed)

    before = folder_state(path.parent)
    assert "already exists" in one_error_line(run_cli("init", "--db", str(path)))
    assert folder_state(path.parent) == before


def test_a_read_only_database_prints_no_letter_and_changes_nothing(
    demo_db: Path, small_disk: Path, tmp_path: Path
) -> None:
    shutil.copy(demo_db, small_disk / "clinic.sqlite3")
    db = small_disk / "clinic.sqlite3"
    remount_read_only(small_disk)
    before = folder_state(small_disk)
    out = tmp_path / "letters"

    line = one_error_line(
        run_cli("letters", "prep", "--date", DEMO_DAY, "--out", str(out), "--db", str(db))
    )
    assert "read-only" in line or "Cannot open" in line, line
    assert not out.exists() or list(out.iterdir()) == []
    assert folder_state(small_disk) == before


def test_check_names_a_truncated_file_and_refuses_another_kind(
    demo_db: Path, tmp_path: Path
) -> None:
    truncated(demo_db)
    before = folder_state(demo_db.parent)
    checked = run_cli("check", "--db", str(demo_db))
    assert checked.returncode == 1, checked.stderr
    assert checked.stdout.startswith(f"The database {demo_db} is damaged")
    assert folder_state(demo_db.parent) == before

    text = tmp_path / "notes.txt"
    text.write_text("not a database\n", encoding="utf-8")
    line = one_error_line(run_cli("check", "--db", str(text)))
    assert line == f"error: {text} is not a SQLite database file."
