"""Starting the desk: its arguments are read once, and without a display it says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scheduler import __version__
from tests.faults.conftest import ROOT, one_error_line


def run_main(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True, text=True, timeout=120, check=False, env=env,
    )  # fmt: skip


def without_display() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    return env


def test_without_a_display_the_desk_says_it_needs_one(tmp_path: Path) -> None:
    db = tmp_path / "clinic.sqlite3"
    result = run_main("--db", str(db), env=without_display())
    line = one_error_line(result)
    assert "The desk needs a graphical display" in line
    assert not db.exists()  # nothing made for a desk that could not open


def test_the_desk_script_passes_its_arguments_once() -> None:
    script = (ROOT / "desk").read_text(encoding="utf-8")
    runs = [line for line in script.splitlines() if "main.py" in line and not line.startswith("#")]
    assert runs == ['exec .venv/bin/python main.py --demo-if-new "$@"']


def test_help_and_version_with_the_desk_scripts_options() -> None:
    env = without_display()
    helped = run_main("--demo-if-new", "--help", env=env)
    assert helped.returncode == 0
    assert helped.stdout.count("usage:") == 1
    version = run_main("--demo-if-new", "--version", env=env)
    assert (version.returncode, version.stdout.strip()) == (0, f"Infusion Desk {__version__}")


def test_the_first_start_makes_the_demo_clinic_then_opens(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SCHEDULER_EXIT_AFTER_SHOW="1")
    db = tmp_path / "fresh" / "clinic.sqlite3"
    password = tmp_path / "password"
    password.write_text("demo-clinician\n", encoding="utf-8")
    # Signed in from the command line: the sign-in screen would wait for a person.
    who = ["--user", "helen", "--password-file", str(password)]
    result = run_main("--demo-if-new", "--db", str(db), *who, env=env)
    assert result.returncode == 0, result.stderr
    assert "Built the demo clinic" in result.stdout
    assert "Sign in to the demo clinic as" in result.stdout
    assert "shown after" in result.stdout
