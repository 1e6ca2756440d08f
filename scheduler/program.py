"""How the person started this program, so usage lines and hints name what they can type.

``infusion-desk`` when installed (the console script, or the desktop bundle), ``python
main.py`` from the source folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scheduler import APP_SLUG

SOURCE_COMMAND = "python main.py"


def program_name(argv0: str | None = None) -> str:
    """The command that started this process, as a person would type it again."""
    if getattr(sys, "frozen", False):
        # The desktop bundle: its executable is the command, whatever its folder.
        return Path(sys.executable).stem or APP_SLUG
    started = argv0 if argv0 is not None else (sys.argv[0] if sys.argv else "")
    path = Path(started)
    if path.stem == APP_SLUG:
        # The installed console script (infusion-desk, infusion-desk.exe on Windows).
        return APP_SLUG
    if path.suffix == ".py":
        # From the source folder (a path to main.py is left out: the hint is for that folder).
        return f"python {path.name}"
    # ``python -c``, an embedding program or a test runner: the source folder's form.
    return SOURCE_COMMAND
