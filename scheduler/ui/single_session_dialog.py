"""Booking one session: a therapy, near a time, from the next free slots."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scheduler.ui.desk import Desk
from scheduler.ui.session_models import SlotModel


class SingleSessionDialog(QDialog):
    """A protocol and one of the next free slots near the wanted time → one booked session."""

    def __init__(
        self,
        desk: Desk,
        patient_id: int | None,
        *,
        near: dt.datetime | None = None,
        chair_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.patient_id = patient_id
        self.near = near or desk.now()
        self.chair_id = chair_id
        self.session_id: int | None = None
        self.setWindowTitle("Book a session")
        self.protocol = QComboBox()
        self.slots = SlotModel(desk.zone, self)
        self.table = QTableView()
        self.table.setModel(self.slots)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b03a2e;")
        self.message.hide()
        form = QFormLayout()
        form.addRow("&Therapy", self.protocol)
        self.buttons = QDialogButtonBox()
        self.book_button = self.buttons.addButton("&Book", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Free slots"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(520, 440)

    @classmethod
    def ask(
        cls,
        desk: Desk,
        patient_id: int | None,
        *,
        near: dt.datetime | None = None,
        chair_id: int | None = None,
        parent: QWidget | None = None,
    ) -> int | None:
        """Open the dialog; the booked session's id, or None when nothing was booked."""
        dialog = cls(desk, patient_id, near=near, chair_id=chair_id, parent=parent)
        dialog.exec()
        return dialog.session_id
