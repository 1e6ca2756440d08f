"""Starting the desk and the screenshots command, each in its own process as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.domain.enums import StaffRole
from scheduler.store import Database
from tests.factories import add_account

ROOT = Path(__file__).resolve().parents[2]


def run_main(
    *args: str, extra_env: dict[str, str] | None = None, program: str = "main.py"
) -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` (or ``python -c PROGRAM ARGS``) in a new process, offscreen."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(extra_env or {}))
    start = ["main.py"] if program == "main.py" else ["-c", program]
    return subprocess.run(
        [sys.executable, *start, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_desk_opens_its_window_on_a_clinic(db: Database, tmp_path: Path) -> None:
    with db.transaction() as s:
        add_account(s, "Alex Morgan", "alex", StaffRole.ADMINISTRATOR)
    password = tmp_path / "password"
    password.write_text("correct horse\n", encoding="utf-8")
    result = run_main(
        "--db",
        db.description,
        "--user",
        "alex",
        "--password-file",
        str(password),
        extra_env={
            "SCHEDULER_EXIT_AFTER_SHOW": "1",
            # Window settings and the log file go to the test's folder, not the user's.
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_STATE_HOME": str(tmp_path / "state"),
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("shown after ")


@pytest.mark.slow
def test_screenshots_of_every_main_screen(tmp_path: Path) -> None:
    out = tmp_path / "shots"
    result = run_main("--db", str(tmp_path / "new.sqlite3"), "screenshots", "--out", str(out))
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == [
        "screen-audit.png",
        "screen-calendar-day.png",
        "screen-calendar-drag.png",
        "screen-calendar-week.png",
        "screen-check-in.png",
        "screen-day-sheet.png",
        "screen-letters.png",
        "screen-patients.png",
        "screen-reports.png",
        "screen-series-dialog.png",
        "screen-settings.png",
        "screen-sign-in.png",
        "screen-today.png",
        "screen-waitlist.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in out.glob("*.png"))  # not blank


# The desk's own start-up, with the sign-in screen answered as Dr. Park would answer it.
SIGN_IN_AS_HELEN = """
import sys
from scheduler.cli import main
from scheduler.services import accounts
from scheduler.ui import sign_in

def ask(cls, desk, parent=None):
    print("hint:", sign_in.demo_hint(desk))
    with desk.database.transaction() as s:
        return accounts.sign_in(s, "helen", "demo-clinician", now=desk.now()).actor

sign_in.SignInDialog.ask = classmethod(ask)
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_the_demo_clinic_opens_on_its_sign_in_screen(tmp_path: Path) -> None:
    """What ``./desk`` does on a fresh machine: build the demo, then ask who is at the desk."""
    db = str(tmp_path / "clinic.sqlite3")
    built = run_main("demo", "--if-new", "--db", db)
    assert built.returncode == 0, built.stderr
    assert "helen   demo-clinician" in built.stdout
    opened = run_main(
        "--db",
        db,
        program=SIGN_IN_AS_HELEN,
        extra_env={
            "SCHEDULER_EXIT_AFTER_SHOW": "1",
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_STATE_HOME": str(tmp_path / "state"),
        },
    )
    assert opened.returncode == 0, opened.stderr
    assert "<b>helen</b>" in opened.stdout
    assert "shown after" in opened.stdout
