"""Fixtures for widget tests: a desk on a fresh clinic with a fixed clock and captured refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from scheduler.store import Database
from scheduler.ui.desk import Desk
from tests.conftest import ACTOR, NOW
from tests.ui.paint_clinics import demo_clinic


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
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo clinic a new user opens, built once for a module's tests (paint, soak)."""
    database = demo_clinic(tmp_path_factory.mktemp("demo"))
    yield database
    database.close()


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    """Window settings in a file of the test's own, never the user's."""
    return QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
