"""Faults met while working: a lock held elsewhere, a full disk, a process killed mid-run.

Each gives one ``error:`` line (or finishes), records nothing half-done and leaves no file
behind.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.faults.conftest import (
    DEMO_DAY,
    ROOT,
    cli_command,
    digest,
    fill,
    old_database,
    one_error_line,
    run_cli,
)

WEEK_END = "2026-11-22"


def letters_recorded(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        count: int = conn.execute("SELECT count(*) FROM letters").fetchone()[0]
    conn.close()
    return count


def hold_write_lock(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another workstation in the middle of a long save: it holds SQLite's write lock."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "print('held', flush=True)\n"
            "time.sleep(float(sys.argv[2]))\n"
            "c.execute('COMMIT')\n",
            str(db),
            str(seconds),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


def finish(process: subprocess.Popen[str]) -> None:
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


def test_a_lock_held_elsewhere_is_waited_for_then_named(demo_db: Path, tmp_path: Path) -> None:
    holder = hold_write_lock(demo_db, 60)
    try:
        out = tmp_path / "letters"
        result = run_cli("letters", "prep", "--date", DEMO_DAY, "--out", str(out), "--db",
                         str(demo_db))  # fmt: skip
    finally:
        holder.kill()
        finish(holder)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "waiting for another workstation to finish saving…"
    assert len(lines) == 2, lines
    assert lines[1].startswith("error: The database"), lines
    assert "is busy on another workstation" in lines[1]
    assert not out.exists() or not list(out.iterdir())
    assert letters_recorded(demo_db) == 0


def test_a_lock_released_while_waiting_lets_the_run_finish(demo_db: Path, tmp_path: Path) -> None:
    # The lock is let go once the run says it waits, however long the run took to get there
    # (a fixed hold raced the command's start on a busy machine).
    holder = hold_write_lock(demo_db, 60)
    out = tmp_path / "letters"
    run = subprocess.Popen(
        cli_command("letters", "prep", "--date", DEMO_DAY, "--out", str(out), "--db",
                    str(demo_db)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert run.stderr is not None
    waiting = run.stderr.readline()
    holder.kill()
    finish(holder)
    _stdout, rest = run.communicate(timeout=120)
    assert waiting.strip() == "waiting for another workstation to finish saving…", rest
    assert run.returncode == 0, rest
    assert letters_recorded(demo_db) > 0


def test_a_full_disk_during_an_upgrade_leaves_no_partial_copy(small_disk: Path) -> None:
    db = old_database(small_disk / "clinic.sqlite3")
    fill(small_disk)
    before = digest(db)

    line = one_error_line(run_cli("sessions", "--date", DEMO_DAY, "--db", str(db)))
    assert "Cannot copy" in line or "is full" in line, line
    assert digest(db) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["ballast", "clinic.sqlite3"]


def test_a_full_disk_for_letters_prints_and_records_nothing(
    demo_db: Path, small_disk: Path
) -> None:
    out = small_disk / "letters"
    out.mkdir()
    fill(small_disk)
    line = one_error_line(
        run_cli("letters", "prep", "--date", DEMO_DAY, "--out", str(out), "--db", str(demo_db))
    )
    assert "No space left on device" in line, line
    assert list(out.iterdir()) == []
    assert letters_recorded(demo_db) == 0


def test_letters_killed_mid_run_record_nothing_and_the_next_run_clears_up(
    demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "letters"
    run = subprocess.Popen(
        cli_command("letters", "prep", "--date", DEMO_DAY, "--to", WEEK_END, "--out", str(out),
                    "--db", str(demo_db)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        if out.is_dir() and any(p.suffix == ".part" for p in out.iterdir()):
            run.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    run.wait()
    assert run.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == []
    assert letters_recorded(demo_db) == 0

    again = run_cli("letters", "aftercare", "--date", DEMO_DAY, "--out", str(out), "--db",
                    str(demo_db))  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_booking_killed_mid_series_leaves_no_partial_course(demo_db: Path) -> None:
    script = (
        "import sys\n"
        "from tests.faults.booking_loop import book_forever\n"
        "book_forever(sys.argv[1])\n"
    )
    with sqlite3.connect(demo_db) as conn:
        before = conn.execute("SELECT max(id) FROM series").fetchone()[0]
    conn.close()
    for pause in (0.8, 1.3, 1.9):
        loop = subprocess.Popen(
            [sys.executable, "-c", script, str(demo_db)], cwd=ROOT, stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert loop.stdout is not None
        assert loop.stdout.readline().strip() == "booking"
        time.sleep(pause)
        loop.send_signal(signal.SIGKILL)
        finish(loop)
    with sqlite3.connect(demo_db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        booked = conn.execute("SELECT count(*) FROM series WHERE id > ?", (before,)).fetchone()[0]
        partial = conn.execute(
            "SELECT s.id FROM series s WHERE s.planned_count > "
            "(SELECT count(*) FROM sessions x WHERE x.series_id = s.id)"
        ).fetchall()
    conn.close()
    assert partial == []
    assert booked > 0  # the loop did book between kills: the kills landed among real work


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["sessions", "--date", "9999-12-31"], "outside the days"),
        (["letters", "prep", "--date", "9999-12-31", "--out", "x"], "outside the days"),
        (["letters", "aftercare", "--date", "0001-01-01", "--out", "x"], "outside the days"),
        (["sessions", "--date", "tomorrow"], "is not a date"),
        (["sessions"], "required: --date"),
        (["nonsense"], "invalid choice"),
    ],
)
def test_argument_errors_are_one_line(args: list[str], words: str, demo_db: Path) -> None:
    assert words in one_error_line(run_cli(*args, "--db", str(demo_db)))


def test_screenshots_into_a_file_is_one_line(tmp_path: Path) -> None:
    taken = tmp_path / "taken.png"
    taken.write_bytes(b"not a folder")
    line = one_error_line(run_cli("screenshots", "--out", str(taken)))
    assert str(taken) in line


def test_an_unreadable_letters_folder_is_one_line(demo_db: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    line = one_error_line(
        run_cli(
            "letters",
            "prep",
            "--date",
            DEMO_DAY,
            "--out",
            str(blocked / "letters"),
            "--db",
            str(demo_db),
        )
    )
    assert "Nothing was printed" in line
