"""Settings → Backups, the daily backup the desk makes, and the last good backup in the status
bar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from scheduler.services.backup import BACKUP_PREFIX, backup_plan, set_backup_plan
from scheduler.ui.backups import DailyBackup
from scheduler.ui.main_window import MainWindow
from scheduler.ui.settings import SettingsScreen
from tests.conftest import ACTOR, NOW
from tests.ui.conftest import TestDesk


def test_backups_are_set_up_and_made_from_settings(
    qtbot: QtBot, desk: TestDesk, window: MainWindow, tmp_path: Path
) -> None:
    assert window.backup_label.text() == "Backups not set up"
    screen = window.screen_at(4)
    assert isinstance(screen, SettingsScreen)
    tab = screen.backups
    screen.tabs.setCurrentWidget(tab)
    tab.folder.setText("relative/folder")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "full path" in tab.problems.message("backup_folder")

    folder = tmp_path / "backups"
    tab.folder.setText(str(folder))
    tab.keep_days.setValue(7)
    qtbot.mouseClick(tab.now_button, Qt.MouseButton.LeftButton)
    made = sorted(folder.iterdir())
    assert [p.name for p in made] == [f"{BACKUP_PREFIX}20261116-140000.sqlite3"]
    assert tab.outcome.text().startswith(f"Wrote {made[0]}")
    # 14:00 UTC is 9:00 in New York, the clinic's zone.
    assert tab.last.text() == "Mon, Nov 16, 2026, 9:00 AM"
    assert window.backup_label.text() == "Last backup: Mon, Nov 16, 2026, 9:00 AM"
    assert backup_plan(desk.database).keep_days == 7
    assert desk.refusals == []


def test_the_desk_makes_the_daily_backup_when_due_and_says_when_it_cannot(
    qtbot: QtBot, desk: TestDesk, tmp_path: Path
) -> None:
    daily = DailyBackup(desk)
    assert not daily.run_if_due()  # no folder set: nothing to do, nothing to complain about
    with desk.database.transaction() as s:
        set_backup_plan(s, str(tmp_path / "backups"), 14, actor=ACTOR, now=NOW)
    with qtbot.waitSignal(desk.changed):
        assert daily.run_if_due()
    assert not daily.run_if_due()  # made today already
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with desk.database.transaction() as s:
        set_backup_plan(s, str(blocker / "backups"), 14, actor=ACTOR, now=NOW)
    desk._clock = lambda: NOW + dt.timedelta(days=1)
    with qtbot.waitSignal(daily.failed) as failed:
        assert not daily.run_if_due()
    assert "Cannot use the backup folder" in failed.args[0]
