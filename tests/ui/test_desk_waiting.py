"""Another workstation saving: the desk waits with its window answering, and can give up."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.store.models import Closure
from scheduler.ui.desk import BUSY_MESSAGE
from scheduler.ui.waiting import WAITING_TEXT
from tests.ui.conftest import TestDesk

# SQLite's write lock, held by another connection to the file (a server queues writes instead).
pytestmark = pytest.mark.sqlite_only


def hold_lock(db_path: Path) -> sqlite3.Connection:
    """Another workstation in the middle of a save: it holds the write lock."""
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def add_closure(db: Session) -> int:
    db.add(Closure(day=dt.date(2026, 12, 24), reason="Christmas Eve"))
    return 1


def closures(desk: TestDesk) -> int:
    return desk.read(lambda db: db.scalar(select(func.count(Closure.id)))) or 0


def test_the_window_keeps_answering_while_another_workstation_saves(
    qtbot: QtBot, desk: TestDesk, db_path: Path
) -> None:
    other = hold_lock(db_path)
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(50)
    heartbeat.timeout.connect(lambda: ticks.append(time.monotonic()))
    heartbeat.start()
    notes: list[str] = []

    def look_then_release() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog))
        notes.append(dialog.labelText())
        other.execute("COMMIT")

    QTimer.singleShot(1200, look_then_release)
    started = time.monotonic()
    assert desk.act(add_closure) == 1
    heartbeat.stop()
    other.close()

    assert notes == [WAITING_TEXT]
    assert time.monotonic() - started < 5
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert ticks
    assert max(gaps, default=0) < 0.5  # the window was never frozen
    assert closures(desk) == 1
    assert desk.refusals == []


def test_cancel_gives_up_and_saves_nothing(qtbot: QtBot, desk: TestDesk, db_path: Path) -> None:
    other = hold_lock(db_path)

    def cancel() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog))
        button = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(600, cancel)
    started = time.monotonic()
    assert desk.act(add_closure) is None
    assert time.monotonic() - started < 5
    other.execute("ROLLBACK")
    other.close()
    assert desk.refusals == [BUSY_MESSAGE]
    assert closures(desk) == 0
