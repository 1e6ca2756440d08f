"""Today: the front desk's list of the day's sessions, and what happens to each of them."""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scheduler.ui.desk import Desk
from scheduler.ui.session_models import DaySessionsModel, DeskSession


def _service(name: str) -> Any | None:
    """A service module that may not be installed yet (the screens are built in parallel)."""
    try:
        return importlib.import_module(f"scheduler.services.{name}")
    except ModuleNotFoundError:
        return None


class TodayScreen(QWidget):
    """The day's sessions by time, with confirm / check in / complete / no-show / cancel."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("today_screen")
        self.title = QLabel()
        self.title.setObjectName("screen_title")
        font = self.title.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel()
        self.model = DaySessionsModel(desk.zone, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DaySessionsModel.COL_PATIENT, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel("No sessions today.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self.table.doubleClicked.connect(self._open)
        desk.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Reload today's sessions, keeping the selected one selected."""
        day = self.desk.today()
        self.title.setText(f"Today — {day:%A} {day.day} {day:%B %Y}")
        schedule = _service("schedule")
        views = self.desk.read(lambda db: schedule.sessions_on_day(db, day)) if schedule else []
        self.model.set_rows([DeskSession(view) for view in views])
        self.empty.setVisible(not views)
        self.summary.setText(f"{len(views)} session{'s' if len(views) != 1 else ''}")

    def _open(self, index: QModelIndex) -> None:
        del index
