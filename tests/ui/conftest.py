"""Fixtures for widget tests: a desk on a fresh clinic with a fixed clock and captured refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from scheduler.store import Database
from scheduler.ui.desk import Desk
from scheduler.ui.main_window import MainWindow
from tests.conftest import ACTOR, NOW, open_demo_copy


class TestDesk(Desk):
    """A desk whose refusals are kept in ``refusals`` instead of shown in a message box."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, database: Database) -> None:
        super().__init__(database, ACTOR, clock=lambda: self.clock_now)
        self.clock_now = NOW  # tests move it forward (the idle lock) instead of waiting
        self.refusals: list[str] = []

    def refuse(self, message: str, parent: QWidget | None) -> None:
        self.refusals.append(message)


@pytest.fixture
def desk(db: Database) -> TestDesk:
    return TestDesk(db)


@pytest.fixture
def empty_desk(empty_db: Database) -> TestDesk:
    return TestDesk(empty_db)


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo clinic a new user opens, one copy for a module's tests (paint, soak)."""
    database = open_demo_copy(demo_template, tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    yield database
    database.close()


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    """Window settings in a file of the test's own, never the user's."""
    return QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: QtBot, desk: TestDesk, qsettings: QSettings) -> MainWindow:
    """The desk's main window on the test clinic, shown offscreen."""
    widget = MainWindow(desk, settings=qsettings)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture(autouse=True)
def no_window_outlives_its_test() -> Iterator[None]:
    """Close every window a test leaves open: its timers (the idle lock) must not fire later,
    against a database that is gone by then."""
    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
