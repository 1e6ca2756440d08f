"""The desk installed from its wheel into a fresh environment, run from another folder.

The sdist is built first and the wheel from it (as ``python -m build`` does for a release), so
both must carry the fonts, the letter wording, the icons, the style sheet and the migrations.
Installing reuses pip's cache, which the project's own environment has filled.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.letter_fixtures import squashed
from tests.packaging.installed import DEMO_DAY, ROOT, Installed

pytestmark = pytest.mark.slow

SHIPPED = (
    "scheduler/resources/fonts/DejaVuSans.ttf",
    "scheduler/resources/fonts/NotoSansThai-Regular.ttf",
    "scheduler/resources/letters/prep.toml",
    "scheduler/resources/letters/aftercare.ketamine.toml",
    "scheduler/resources/icons/app.svg",
    "scheduler/resources/styles/desk.qss",
    "scheduler/store/migrations/script.py.mako",
    "scheduler/store/migrations/versions/20261121_0001_the_clinic_s_first_schema.py",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the sdist, the wheel built from it)."""
    dist = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)]
    result = subprocess.run(build, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def installed(
    built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Installed]:
    """The wheel in a new virtual environment; commands run from an unrelated folder."""
    fresh = tmp_path_factory.mktemp("fresh-env")
    subprocess.run([sys.executable, "-m", "venv", str(fresh)], check=True, timeout=300)
    install = [str(fresh / "bin" / "python"), "-m", "pip", "install", "--quiet", str(built[1])]
    result = subprocess.run(install, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    yield Installed((str(fresh / "bin" / "infusion-desk"),), tmp_path_factory.mktemp("elsewhere"))
    shutil.rmtree(fresh)  # some 300 MB, mostly Qt


def test_the_sdist_and_the_wheel_carry_every_shipped_file(built: tuple[Path, Path]) -> None:
    sdist, wheel = built
    with tarfile.open(sdist) as archive:
        # Every member is under the folder infusion_desk-VERSION/.
        in_sdist = {name.partition("/")[2] for name in archive.getnames()}
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
    for name in SHIPPED:
        assert name in in_sdist, name
        assert name in in_wheel, name


def test_the_installed_desk_prints_a_days_letters_and_renders_its_screens(
    installed: Installed,
) -> None:
    assert installed.run("--version").strip() == "Infusion Desk 0.1.0"
    assert installed.run("--help").startswith("usage: infusion-desk ")
    database = installed.demo()
    sessions = installed.day_sessions(database)
    attended = [s for s in sessions if s["status"] not in ("cancelled", "no_show")]
    assert attended, sessions

    prep = squashed(installed.letters(database, "prep", "--date", DEMO_DAY.isoformat()))
    assert "Riverside Ketamine & Infusion Center" in prep
    for session in attended:
        assert session["patient"] in prep, session["patient"]

    aftercare = squashed(installed.letters(database, "aftercare", "--date", DEMO_DAY.isoformat()))
    assert "Riverside Ketamine & Infusion Center" in aftercare

    patient = attended[0]
    schedule = squashed(
        installed.letters(database, "schedule", "--patient", patient["chart_number"])
    )
    assert patient["patient"] in schedule

    assert len(installed.screenshots()) >= 7


@pytest.mark.parametrize(
    ("shipped", "command"),
    [
        ("letters/prep.toml", "letters"),
        ("fonts/DejaVuSans.ttf", "letters"),
        ("icons/app.svg", "screenshots"),
        ("styles/desk.qss", "screenshots"),
    ],
)
def test_a_file_missing_from_the_installation_is_named_as_such(
    installed: Installed, shipped: str, command: str
) -> None:
    (found,) = installed_file(installed, shipped)
    database = installed.demo()
    aside = found.with_name(found.name + ".aside")
    shutil.move(found, aside)
    try:
        if command == "letters":
            args = installed.letters_command(database, "prep", "--date", DEMO_DAY.isoformat())
        else:
            args = ["screenshots", "--out", str(installed.folder / "unstyled")]
        result = installed.start(*args)
    finally:
        shutil.move(aside, found)
    assert f"The installation is missing {shipped} " in result.stderr, result.stderr
    if command == "letters":
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1, result.stderr


def installed_file(installed: Installed, shipped: str) -> list[Path]:
    environment = Path(installed.command[0]).parent.parent
    return list(environment.glob(f"lib/python3*/site-packages/scheduler/resources/{shipped}"))
