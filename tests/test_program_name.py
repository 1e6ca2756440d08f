"""Usage lines and hints name the program as it was started."""

from __future__ import annotations

import subprocess
import sys

import pytest

from scheduler.program import program_name
from tests.test_cli import ROOT


@pytest.mark.parametrize(
    ("argv0", "named"),
    [
        ("main.py", "python main.py"),
        ("../desk/main.py", "python main.py"),
        ("/usr/local/bin/infusion-desk", "infusion-desk"),
        ("C:\\Clinic\\venv\\Scripts\\infusion-desk.exe", "infusion-desk"),
        ("-c", "python main.py"),
    ],
)
def test_the_program_is_named_as_it_was_started(argv0: str, named: str) -> None:
    if "\\" in argv0 and sys.platform != "win32":
        argv0 = argv0.rsplit("\\", 1)[1]
    assert program_name(argv0) == named


def test_the_source_folder_usage_says_python_main_py() -> None:
    result = subprocess.run(
        [sys.executable, "main.py", "letters", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.startswith("usage: python main.py letters ")
