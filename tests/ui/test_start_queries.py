"""Nothing the desk reads on its way to the first window grows with the clinic's history.

The statements sent while the main window is built and shown and the start-up checks run
(the audit entries since the last check, the warnings) are caught and their plans asked for:
none passes over all of a history table (``benchmarks/query_plans.py``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from benchmarks.big_clinic import build
from benchmarks.query_plans import full_scans, statements_sent
from scheduler.store import open_database
from scheduler.ui.desk_warnings import check_on_start
from scheduler.ui.main_window import MainWindow
from tests.conftest import NOW
from tests.ui.conftest import TestDesk


def test_the_way_to_the_first_window_reads_no_whole_table(
    db_path: Path | str, qtbot: QtBot, qsettings: QSettings
) -> None:
    build(str(db_path), 3_000, NOW.date(), analyze=False)
    database = open_database(str(db_path), now=NOW)
    try:
        desk = TestDesk(database)
        with statements_sent(database) as sent:
            window = MainWindow(desk, settings=qsettings)
            qtbot.addWidget(window)
            window.show()
            qtbot.waitExposed(window)
            check_on_start(desk, window.banner)
        assert window.current_screen().objectName() == "today_screen"
        assert len(sent) > 5
        assert full_scans(database, sent) == []
    finally:
        database.close()
