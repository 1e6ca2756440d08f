"""Booking one session (a booster, a single infusion, a consultation) from the next free slots.

Opened from a patient ("book a single session") or from a free place on the calendar, where
no patient is chosen yet: the dialog then starts with a patient search.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session as DbSession

from scheduler.domain.enums import Phase
from scheduler.services import booking, patients, schedule, settings
from scheduler.ui.desk import Desk
from scheduler.ui.session_dialog import act_showing_refusal
from scheduler.ui.session_models import SlotModel, compact_table

PATIENT_MATCHES = 20


@dataclass(frozen=True)
class PatientChoice:
    patient_id: int
    label: str


@dataclass(frozen=True)
class SingleProtocol:
    protocol_id: int
    name: str
    therapy_id: int


def single_protocols(db: DbSession) -> list[SingleProtocol]:
    """Protocols a lone session can be booked under: singles and maintenance boosters."""
    therapies = {t.id: t for t in settings.list_therapies(db)}
    found = [
        SingleProtocol(p.id, p.name, p.therapy_id)
        for p in settings.list_protocols(db)
        if p.active and p.phase != Phase.INDUCTION.value and therapies[p.therapy_id].active
    ]
    # Singles first (the usual phone call), then boosters.
    return sorted(found, key=lambda p: "maintenance" in p.name.lower())


def find_patients(db: DbSession, text: str) -> list[PatientChoice]:
    return [
        PatientChoice(p.id, f"{p.full_name} · chart {p.chart_number} · born {p.date_of_birth}")
        for p in patients.search_patients(db, text, limit=PATIENT_MATCHES)
    ]


class SingleSessionDialog(QDialog):
    """A patient, a protocol and one of the free slots near the wanted time → one session."""

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
        self.near_at = near or desk.now()
        self.chair_id = chair_id
        self.session_id: int | None = None
        self.setWindowTitle("Book a session")
        self.protocols = desk.read(single_protocols)

        self.patient_search = QLineEdit()
        self.patient_search.setPlaceholderText("Name, chart number, phone or date of birth")
        self.patient_choice = QComboBox()
        self.patient_label = QLabel()
        self.protocol = QComboBox()
        for choice in self.protocols:
            self.protocol.addItem(choice.name, choice.protocol_id)
        self.near = QDateTimeEdit()
        self.near.setCalendarPopup(True)
        self.near.setDisplayFormat("ddd d MMM yyyy  h:mm AP")
        local = self.near_at.astimezone(desk.zone).replace(tzinfo=None)
        self.near.setDateTime(QDateTime(local))
        self.find_button = QPushButton("&Find")
        self.slots = SlotModel(desk.zone, self)
        self.table = QTableView()
        self.table.setObjectName("slot_table")
        self.table.setModel(self.slots)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        compact_table(self.table)
        self.message = QLabel()
        self.message.setObjectName("refusal")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b03a2e;")
        self.message.hide()

        form = QFormLayout()
        if patient_id is None:
            form.addRow("&Patient", self.patient_search)
            form.addRow("", self.patient_choice)
        else:
            name = desk.read(lambda db: patients.get_patient(db, patient_id).full_name)
            self.patient_label.setText(name)
            form.addRow("Patient", self.patient_label)
        form.addRow("&Therapy", self.protocol)
        near_row = QHBoxLayout()
        near_row.addWidget(self.near, 1)
        near_row.addWidget(self.find_button)
        form.addRow("&Near", near_row)
        self.buttons = QDialogButtonBox()
        self.book_button = self.buttons.addButton("&Book", QDialogButtonBox.ButtonRole.AcceptRole)
        self.book_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Free slots"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.patient_search.textChanged.connect(self.search_patients)
        self.patient_choice.currentIndexChanged.connect(self._update_book_button)
        self.protocol.currentIndexChanged.connect(self.find_slots)
        self.find_button.clicked.connect(self.find_slots)
        self.book_button.clicked.connect(self.book)
        self.table.doubleClicked.connect(lambda *_: self.book())
        self.table.selectionModel().selectionChanged.connect(self._update_book_button)
        self.find_slots()
        if patient_id is None:
            self.patient_search.setFocus()
        self.resize(560, 480)

    # -- choosing --------------------------------------------------------------------------

    def search_patients(self, text: str) -> None:
        self.patient_choice.clear()
        if len(text.strip()) < 2:
            return
        for choice in self.desk.read(lambda db: find_patients(db, text)):
            self.patient_choice.addItem(choice.label, choice.patient_id)

    def chosen_patient(self) -> int | None:
        if self.patient_id is not None:
            return self.patient_id
        value = self.patient_choice.currentData()
        return value if isinstance(value, int) else None

    def chosen_protocol(self) -> SingleProtocol | None:
        index = self.protocol.currentIndex()
        return self.protocols[index] if 0 <= index < len(self.protocols) else None

    def find_slots(self) -> None:
        """The next free slots for the chosen therapy near the wanted time."""
        choice = self.chosen_protocol()
        if choice is None:
            return
        wanted = self.near.dateTime().toPython()
        assert isinstance(wanted, dt.datetime)
        near = wanted.replace(tzinfo=self.desk.zone).astimezone(dt.UTC)
        patient_id = self.chosen_patient()
        slots = self.desk.read(
            lambda db: schedule.next_free_slots(
                db,
                therapy_id=choice.therapy_id,
                near=near,
                count=12,
                chair_id=self.chair_id,
                patient_id=patient_id,
                now=self.desk.now(),
            )
        )
        self.slots.set_rows(slots)
        if slots:
            self.table.selectRow(0)
        self.message.setVisible(not slots)
        self.message.setText("" if slots else "No free slot near that time; try another time.")
        self._update_book_button()

    def _update_book_button(self, *args: object) -> None:
        chosen = self.table.selectionModel().selectedRows()
        self.book_button.setEnabled(bool(chosen) and self.chosen_patient() is not None)

    # -- booking ---------------------------------------------------------------------------

    def book(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        patient_id, choice = self.chosen_patient(), self.chosen_protocol()
        if not rows or patient_id is None or choice is None:
            return None
        slot = self.slots.row_at(rows[0].row())

        def show(text: str) -> None:
            self.message.setText(text)
            self.message.setVisible(bool(text))

        session_id = act_showing_refusal(
            self.desk,
            lambda db: (
                booking.book_single(
                    db,
                    patient_id=patient_id,
                    protocol_id=choice.protocol_id,
                    starts_at=slot.starts_at,
                    chair_id=slot.chair_id,
                    actor=self.desk.actor,
                    now=self.desk.now(),
                ).id
            ),
            show,
            self,
        )
        if session_id is None:
            return None
        self.session_id = session_id
        self.accept()
        return session_id

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
