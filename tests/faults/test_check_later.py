"""The desk's integrity check of a big file runs after its window is up, and still finds damage.

``PRAGMA quick_check`` reads every page: seconds for a clinic with years of history. The desk
opens such a file without it and runs it in a worker thread; a damaged file is then named on
the warning banner. A small file (and any file needing an upgrade) is still checked before
anything is shown or written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from scheduler.errors import ServiceError
from scheduler.store import open_database, opening
from scheduler.store.opening import DamagedDatabase
from scheduler.ui.desk import Desk
from scheduler.ui.desk_warnings import WarningBanner, check_file_later
from tests.conftest import ACTOR, NOW
from tests.faults.test_bad_files import flipped


def _open_at_the_desk(path: Path, qtbot: QtBot) -> tuple[Desk, WarningBanner]:
    database = open_database(str(path), now=NOW, check_later=True)
    desk = Desk(database, ACTOR, clock=lambda: NOW)
    banner = WarningBanner(desk)
    qtbot.addWidget(banner)
    return desk, banner


def test_a_small_damaged_file_is_still_refused_on_opening(demo_db: Path) -> None:
    flipped(demo_db)
    with pytest.raises(DamagedDatabase, match="is damaged"):
        open_database(str(demo_db), now=NOW, check_later=True)


def test_a_big_damaged_file_opens_and_the_banner_names_the_damage(
    demo_db: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opening, "CHECK_LATER_BYTES", 0)  # the demo file counts as big
    flipped(demo_db)
    desk, banner = _open_at_the_desk(demo_db, qtbot)
    try:
        assert desk.database.unchecked_file == demo_db
        thread = check_file_later(desk, banner)
        assert thread is not None
        qtbot.waitUntil(lambda: bool(banner.warnings()), timeout=30_000)
        (warning,) = banner.warnings()
        assert "is damaged" in warning
        assert "restore a backup" in warning
        # From then on the desk saves nothing more into the damaged file.
        refusals: list[str] = []

        def refused(exc: ServiceError) -> bool:
            refusals.append(str(exc))
            return True

        wrote: list[bool] = []
        assert desk.act(lambda db: wrote.append(True), on_refusal=refused) is None
        assert wrote == []
        (refusal,) = refusals
        assert "is damaged" in refusal
    finally:
        desk.database.close()


def test_a_big_sound_file_opens_and_its_later_check_says_nothing(
    demo_db: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opening, "CHECK_LATER_BYTES", 0)
    desk, banner = _open_at_the_desk(demo_db, qtbot)
    try:
        thread = check_file_later(desk, banner)
        assert thread is not None
        thread.join(timeout=30)
        qtbot.wait(50)  # a finding would be delivered through the event loop
        assert banner.warnings() == []
    finally:
        desk.database.close()


def test_a_file_checked_on_opening_is_not_checked_again(demo_db: Path, qtbot: QtBot) -> None:
    desk, banner = _open_at_the_desk(demo_db, qtbot)
    try:
        assert desk.database.unchecked_file is None
        assert check_file_later(desk, banner) is None
    finally:
        desk.database.close()
