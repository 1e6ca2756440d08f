"""What the fault-injection tests share: a demo clinic to damage, the command line, mounts."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from scheduler.store import migrations

ROOT = Path(__file__).resolve().parents[2]
DEMO_DAY = "2026-11-16"  # the demo clinic's busiest day is around it


# The demo clinic's nurse (README, "Quick start"): commands that print letters sign in as her.
DEMO_NURSE = ("maria", "demo-nurse")
_nurse_password: list[Path] = []  # the file her password is in, written once a session


@pytest.fixture(scope="session", autouse=True)
def nurse_password_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nurse") / "password"
    path.write_text(DEMO_NURSE[1] + "\n", encoding="utf-8")
    _nurse_password[:] = [path]
    return path


def cli_command(*args: str) -> list[str]:
    """``python main.py ARGS``; a letters run signed in as the demo clinic's nurse."""
    command = [sys.executable, str(ROOT / "main.py"), *args]
    if args[:1] == ("letters",):
        command += ["--user", DEMO_NURSE[0], "--password-file", str(_nurse_password[0])]
    return command


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` as a user runs it."""
    return subprocess.run(
        cli_command(*args),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The refusal's single ``error:`` line; fails the test on a traceback or a second line."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Every file in a folder with its content's hash: equal before and after means untouched."""
    return {p.name: digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "clinic" / "clinic.sqlite3"
    target.parent.mkdir()
    shutil.copy(demo_template, target)
    return target


def old_database(path: Path) -> Path:
    """A database at the first schema revision holding one row: opening it means an upgrade."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrations.upgrade(conn, "0001")
        conn.execute(text("CREATE TABLE IF NOT EXISTS filler (x BLOB)"))
        conn.execute(text("INSERT INTO filler VALUES (zeroblob(200000))"))
    engine.dispose()
    return path


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB file system of its own (tmpfs): room for the demo clinic, small enough to fill.

    Skipped where none mounts.
    """
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("this machine does not let tests mount a file system")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(folder: Path) -> None:
    """Use up every free byte of the file system holding ``folder``."""
    with (folder / "ballast").open("wb") as ballast:
        try:
            while True:
                ballast.write(b"\0" * 65536)
                ballast.flush()
        except OSError:
            pass


def remount_read_only(mount_point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
