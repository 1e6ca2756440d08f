"""The command line, run as a user runs it: ``python main.py ...`` in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.cli import COMMAND_MODULES

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# A command's module is named after it, with "_" for the "-" a module name cannot have.
COMMANDS = [c.replace("_", "-") for c in COMMAND_MODULES if c != "screenshots"]


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_every_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "--db" in result.stdout


def test_demo_builds_then_refuses_then_skips_quietly(tmp_path: Path) -> None:
    db = str(tmp_path / "clinic.sqlite3")
    built = run("demo", "--db", db, "--today", "2026-11-16")
    assert built.returncode == 0, built.stderr
    assert "60 patients" in built.stdout
    # How to sign in: one account per role.
    for line in ("front desk     tom     demo-frontdesk", "administrator  alex    demo-admin"):
        assert line in built.stdout

    again = run("--db", db, "demo")
    assert again.returncode == 2
    assert "already has 60 patients" in again.stderr

    skipped = run("demo", "--db", db, "--if-new")
    assert (skipped.returncode, skipped.stdout) == (0, "")


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "patients.csv"
    csv.write_text("chart,name\n", encoding="utf-8")
    result = run("demo", "--db", str(csv))
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {csv} is not a SQLite database file."
    assert csv.read_text(encoding="utf-8") == "chart,name\n"


def test_an_impossible_date_is_refused(tmp_path: Path) -> None:
    result = run("demo", "--db", str(tmp_path / "c.sqlite3"), "--today", "2026-02-30")
    assert result.returncode == 2
    assert "--today" in result.stderr
    assert not (tmp_path / "c.sqlite3").exists()
