"""Running an installed copy of the desk (a wheel in a fresh environment, or the bundle).

Every command runs from a folder that is not the source folder, with no ``PYTHONPATH``, so
only what the installation carries can be found. A warning about a missing file (an icon, the
style sheet, a font) would show on standard error, which must stay empty.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.letter_fixtures import pdf_text

ROOT = Path(__file__).resolve().parents[2]
DEMO_DAY = dt.date(2026, 11, 16)


@dataclass(frozen=True)
class Installed:
    """An installed desk: the command that starts it, and a folder away from the source."""

    command: tuple[str, ...]
    folder: Path
    # PATH for the commands; a bundle is run with one that holds no Python.
    path: str | None = None

    def environment(self) -> dict[str, str]:
        """This machine's environment, offscreen, with a home of its own and no PYTHONPATH."""
        home = self.folder / "home"
        env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        env.update(
            QT_QPA_PLATFORM="offscreen",
            HOME=str(home),
            XDG_DATA_HOME=str(home / "data"),
            XDG_STATE_HOME=str(home / "state"),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_CACHE_HOME=str(home / "cache"),
        )
        if self.path is not None:
            env["PATH"] = self.path
        return env

    def start(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run one command in this folder, whatever its outcome."""
        return subprocess.run(
            [*self.command, *args],
            cwd=self.folder,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def run(self, *args: str) -> str:
        """Run one command; its standard output. Fails on any exit status or standard error."""
        result = self.start(*args)
        assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
        assert result.stderr == "", f"{args} warned: {result.stderr}"
        return result.stdout

    def demo(self) -> str:
        """A demo clinic built around the demo day in this folder; its ``--db`` value."""
        database = self.folder / "clinic.sqlite3"
        if not database.exists():
            self.run("--db", str(database), "demo", "--today", DEMO_DAY.isoformat())
            (self.folder / "nurse-password").write_text("demo-nurse\n", encoding="utf-8")
        return str(database)

    def letters_command(self, database: str, kind: str, *args: str) -> list[str]:
        """The arguments that print letters as the demo nurse, into a folder of their own."""
        out = self.folder / f"letters-{kind}"
        who = ("--user", "maria", "--password-file", str(self.folder / "nurse-password"))
        return ["--db", database, "letters", kind, *args, "--out", str(out), *who]

    def letters(self, database: str, kind: str, *args: str) -> str:
        """Print letters as the demo nurse; the combined PDF's text."""
        listed = self.run(*self.letters_command(database, kind, *args))
        combined = [Path(line) for line in listed.splitlines() if line.endswith("-all.pdf")]
        single = [Path(line) for line in listed.splitlines() if line.endswith(".pdf")]
        assert single, listed
        return pdf_text((combined or single)[0].read_bytes())

    def day_sessions(self, database: str) -> list[dict[str, str]]:
        listed = self.run("--db", database, "sessions", "--date", DEMO_DAY.isoformat(), "--json")
        sessions: list[dict[str, str]] = json.loads(listed)["sessions"]
        return sessions

    def screenshots(self) -> list[Path]:
        """The screens rendered on a demo clinic; every PNG written (each checked non-empty)."""
        listed = self.run("screenshots", "--out", str(self.folder / "screens"))
        pictures = [Path(line) for line in listed.splitlines() if line.endswith(".png")]
        assert pictures, listed
        for picture in pictures:
            assert picture.stat().st_size > 10_000, picture
        return pictures
