"""Booking a whole course: an induction series or a maintenance plan, proposed then booked."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.catalogue import INDUCTION_MAX_SESSIONS, INDUCTION_MIN_SESSIONS
from scheduler.ui.desk import Desk
from scheduler.ui.session_models import ProposalModel

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _service(name: str) -> Any | None:
    try:
        return importlib.import_module(f"scheduler.services.{name}")
    except ModuleNotFoundError:
        return None


class SeriesDialog(QDialog):
    """Protocol, count, first date, time, weekdays and chair → a proposal → Book."""

    def __init__(
        self,
        desk: Desk,
        patient_id: int,
        *,
        phase: str = "induction",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.patient_id = patient_id
        self.phase = phase
        self.series_id: int | None = None
        self.proposal: Any = None
        self.setWindowTitle("New induction series" if phase == "induction" else "Plan maintenance")
        self.protocol = QComboBox()
        self.count = QSpinBox()
        if phase == "induction":
            self.count.setRange(INDUCTION_MIN_SESSIONS, INDUCTION_MAX_SESSIONS)
        else:
            self.count.setRange(1, 52)
        self.first_day = QDateEdit()
        self.first_day.setCalendarPopup(True)
        tomorrow = desk.today() + dt.timedelta(days=1)
        self.first_day.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        self.preferred_time = QTimeEdit(QTime(10, 0))
        self.weekdays = [QCheckBox(name) for name in WEEKDAY_NAMES]
        weekday_row = QHBoxLayout()
        for box in self.weekdays:
            weekday_row.addWidget(box)
        self.chair = QComboBox()
        self.chair.addItem("Any free chair", None)
        form = QFormLayout()
        form.addRow("&Protocol", self.protocol)
        form.addRow("&Sessions", self.count)
        form.addRow("&First date", self.first_day)
        form.addRow("Preferred &time", self.preferred_time)
        form.addRow("Weekdays", weekday_row)
        form.addRow("&Chair", self.chair)
        self.propose_button = QPushButton("P&ropose")
        self.model = ProposalModel(desk.zone, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message = QLabel()
        self.message.setObjectName("refusal")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b03a2e;")
        self.message.hide()
        self.buttons = QDialogButtonBox()
        self.book_button = self.buttons.addButton("&Book", QDialogButtonBox.ButtonRole.AcceptRole)
        self.book_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.propose_button)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.propose_button.clicked.connect(self.propose)
        self.buttons.rejected.connect(self.reject)
        self.resize(760, 560)

    def propose(self) -> None:
        """Ask the booking service for a proposal from the form, and show it."""
        self.message.hide()
        self.book_button.setEnabled(self.model.bookable())

    @classmethod
    def ask(
        cls,
        desk: Desk,
        patient_id: int,
        *,
        phase: str = "induction",
        parent: QWidget | None = None,
    ) -> int | None:
        """Open the dialog; the booked series' id, or None when nothing was booked."""
        dialog = cls(desk, patient_id, phase=phase, parent=parent)
        dialog.exec()
        return dialog.series_id
