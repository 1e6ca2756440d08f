"""The desktop bundle built by ``scripts/bundle.sh``, run from another folder.

It carries its own Python, Qt (with the offscreen platform the tests use) and PDFium (the
letter preview), so it is run with a PATH that holds no Python and no PYTHONPATH.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.letter_fixtures import squashed
from tests.packaging.installed import DEMO_DAY, ROOT, Installed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundle folder (``dist/infusion-desk`` when built by hand)."""
    out = tmp_path_factory.mktemp("dist")
    started = time.perf_counter()
    result = subprocess.run(
        [str(ROOT / "scripts" / "bundle.sh"), str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    print(f"bundle built in {time.perf_counter() - started:.0f} s: {result.stdout.strip()}")
    yield out / "infusion-desk"
    shutil.rmtree(out)  # some 250 MB, mostly Qt


def test_the_bundle_prints_letters_and_renders_screens_without_python(
    bundle: Path, tmp_path: Path
) -> None:
    desk = Installed((str(bundle / "infusion-desk"),), tmp_path, path="/nonexistent")
    assert desk.run("--version").strip() == "Infusion Desk 0.1.0"
    assert desk.run("letters", "--help").startswith("usage: infusion-desk letters ")
    database = desk.demo()
    prep = squashed(desk.letters(database, "prep", "--date", DEMO_DAY.isoformat()))
    assert "Riverside Ketamine & Infusion Center" in prep
    assert "Preparing for your" in prep
    assert len(desk.screenshots()) >= 7


def test_the_bundle_installs_with_its_menu_entry_and_icon(bundle: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    subprocess.run(
        [str(bundle / "install.sh")],
        env={"PREFIX": str(prefix), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        check=True,
        timeout=300,
    )
    entry = (prefix / "share" / "applications" / "infusion-desk.desktop").read_text("utf-8")
    assert f"Exec={prefix}/bin/infusion-desk" in entry
    assert "Icon=infusion-desk" in entry
    assert (prefix / "share/icons/hicolor/scalable/apps/infusion-desk.svg").is_file()
    assert (prefix / "share/icons/hicolor/256x256/apps/infusion-desk.png").is_file()
    installed = Installed((str(prefix / "bin" / "infusion-desk"),), tmp_path, path="/nonexistent")
    assert installed.run("--version").strip() == "Infusion Desk 0.1.0"
