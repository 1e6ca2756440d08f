"""Today: the front desk's list of the day's sessions."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from scheduler.store import Database
from scheduler.ui.desk import Desk
from scheduler.ui.today_screen import TodayScreen
from tests.conftest import ACTOR, NOW


@pytest.fixture
def my_desk(db: Database) -> Desk:
    desk = Desk(db, ACTOR, clock=lambda: NOW)
    refusals: list[str] = []
    desk.refuse = lambda message, parent: refusals.append(message)  # type: ignore[method-assign]
    desk.refusals = refusals  # type: ignore[attr-defined]
    return desk


def test_today_shows_the_date(qtbot: QtBot, my_desk: Desk) -> None:
    screen = TodayScreen(my_desk)
    qtbot.addWidget(screen)
    assert "Monday 16 November 2026" in screen.title.text()
    assert screen.model.rowCount() == 0
