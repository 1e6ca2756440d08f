"""Letters: the prep letters for a date (tomorrow by default), previewed, printed and saved."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scheduler.ui.desk import Desk
from scheduler.ui.session_models import DaySessionsModel


class LettersScreen(QWidget):
    """A date's sessions with their letter status, and a preview of the chosen letter."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("letters_screen")
        self.day = desk.today() + dt.timedelta(days=1)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDate(QDate(self.day.year, self.day.month, self.day.day))
        self.model = DaySessionsModel(desk.zone, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.preview_holder = QLabel("Choose a session to preview its letter.")
        top = QHBoxLayout()
        top.addWidget(QLabel("&Date"))
        top.addWidget(self.date_edit)
        top.addStretch(1)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.preview_holder)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        desk.changed.connect(self.refresh)

    def refresh(self) -> None:
        self.model.set_rows([])

    def show_date(self, day: dt.date) -> None:
        self.day = day
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.refresh()

    def preview_session(self, session_id: int, kind: str) -> None:
        del session_id, kind
