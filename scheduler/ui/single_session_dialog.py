"""Booking one session (a booster, a single infusion, a consultation) from the next free slots.

Opened from a patient ("book a single session") or from a free place on the calendar, where
no patient is chosen yet: the dialog then starts with a patient search. The desk chooses where,
among the therapy's places: a clinic chair or room, a home visit (no chair; a visiting nurse,
chosen here or by the booking) or a video call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.enums import Phase, Place
from scheduler.domain.when import date_of_birth
from scheduler.services import booking, patients, schedule, settings
from scheduler.ui.desk import Desk
from scheduler.ui.escort_dialog import escort_warning_label, show_escort_warning
from scheduler.ui.letters_screen import email_schedule_letter
from scheduler.ui.qt_dates import DATE_TIME_FORMAT, show_us_style, to_qdatetime
from scheduler.ui.session_dialog import act_showing_refusal
from scheduler.ui.session_models import SlotModel, day_and_clock
from scheduler.ui.tables import pick_one_table

PATIENT_MATCHES = 20

# The choice spells out what a home visit involves; the other places use their usual names.
PLACE_LABELS = {
    **{place: place.label for place in Place},
    Place.HOME: "Home visit (visiting nurse)",
}
ANY_NURSE = "Any free nurse"


@dataclass(frozen=True)
class PatientChoice:
    patient_id: int
    label: str


@dataclass(frozen=True)
class SingleProtocol:
    protocol_id: int
    name: str
    therapy_id: int
    places: tuple[Place, ...] = (Place.CHAIR,)  # the therapy's places, its usual one first


@dataclass(frozen=True)
class NurseChoice:
    nurse_id: int
    name: str


def single_protocols(db: Session) -> list[SingleProtocol]:
    """Protocols a lone session can be booked under: singles and maintenance boosters."""
    therapies = {t.therapy_id: t for t in settings.list_therapies(db)}
    found = [
        SingleProtocol(
            view.protocol_id, p.name, p.therapy_id, tuple(therapies[p.therapy_id].place_list)
        )
        for view in settings.list_protocols(db)
        if (p := view.edit).active
        and p.phase != Phase.INDUCTION
        and therapies[p.therapy_id].edit.active
    ]
    # Singles first (the usual phone call), then boosters.
    return sorted(found, key=lambda p: "maintenance" in p.name.lower())


def nurses(db: Session) -> list[NurseChoice]:
    return [NurseChoice(n.staff_id, n.name) for n in schedule.active_nurses(db)]


def chairs_at(db: Session, place: Place) -> set[int]:
    """The chairs (or rooms) a session at ``place`` may take."""
    return {c.chair_id for c in schedule.chairs_for(db, place)}


def find_patients(db: Session, text: str) -> list[PatientChoice]:
    return [
        PatientChoice(
            p.patient_id,
            f"{p.full_name} · chart {p.chart_number} · born {date_of_birth(p.date_of_birth)}",
        )
        for p in patients.search_patients(db, text, limit=PATIENT_MATCHES)
    ]


def offer_patients(desk: Desk, choice: QComboBox, text: str) -> None:
    """Fill ``choice`` with the patients ``text`` finds (from two letters typed on)."""
    choice.clear()
    if len(text.strip()) < 2:
        return
    for found in desk.read(lambda db: find_patients(db, text)):
        choice.addItem(found.label, found.patient_id)


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
        self.place = QComboBox()
        self.place.setObjectName("place")
        self.nurse = QComboBox()
        self.nurse.setObjectName("nurse")
        self.nurse.addItem(ANY_NURSE, None)
        for nurse in desk.read(nurses):
            self.nurse.addItem(nurse.name, nurse.nurse_id)
        self.nurse.setToolTip(
            "A home visit takes a nurse (and their travel time) instead of a chair. "
            "With “Any free nurse” the booking picks one who is free."
        )
        self.near = QDateTimeEdit()
        self.near.setCalendarPopup(True)
        show_us_style(self.near, DATE_TIME_FORMAT)
        self.near.setDateTime(to_qdatetime(self.near_at, desk.zone))
        self.find_button = QPushButton("&Find")
        self.slots = SlotModel(desk.zone, self)
        self.table = pick_one_table(self.slots)
        self.table.setObjectName("slot_table")
        self.message = QLabel()
        self.message.setObjectName("refusal")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b03a2e;")
        self.message.hide()
        self.escort_warning = escort_warning_label()

        form = QFormLayout()
        if patient_id is None:
            form.addRow("&Patient", self.patient_search)
            form.addRow("", self.patient_choice)
        else:
            name = desk.read(lambda db: patients.patient_view(db, patient_id).full_name)
            self.patient_label.setText(name)
            form.addRow("Patient", self.patient_label)
        form.addRow("&Therapy", self.protocol)
        form.addRow("&Where", self.place)
        form.addRow("N&urse", self.nurse)
        self.form = form
        near_row = QHBoxLayout()
        near_row.addWidget(self.near, 1)
        near_row.addWidget(self.find_button)
        near_label = QLabel("&Near")
        near_label.setBuddy(self.near)
        form.addRow(near_label, near_row)
        self.buttons = QDialogButtonBox()
        self.book_button = self.buttons.addButton("&Book", QDialogButtonBox.ButtonRole.AcceptRole)
        self.book_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.escort_warning)
        layout.addWidget(QLabel("Free slots"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.patient_search.textChanged.connect(self.search_patients)
        self.patient_choice.currentIndexChanged.connect(self._update_book_button)
        self.patient_choice.currentIndexChanged.connect(self._warn_about_driver)
        self.protocol.currentIndexChanged.connect(self._protocol_changed)
        self.place.currentIndexChanged.connect(self._place_changed)
        self.nurse.currentIndexChanged.connect(self._update_book_button)
        self.find_button.clicked.connect(self.find_slots)
        self.book_button.clicked.connect(self.book)
        self.table.doubleClicked.connect(lambda *_: self.book())
        self.table.selectionModel().selectionChanged.connect(self._update_book_button)
        self._fill_places()
        self.find_slots()
        if patient_id is None:
            self.patient_search.setFocus()
        self.resize(560, 480)

    # -- choosing --------------------------------------------------------------------------

    def search_patients(self, text: str) -> None:
        offer_patients(self.desk, self.patient_choice, text)

    def chosen_patient(self) -> int | None:
        if self.patient_id is not None:
            return self.patient_id
        value = self.patient_choice.currentData()
        return value if isinstance(value, int) else None

    def chosen_protocol(self) -> SingleProtocol | None:
        index = self.protocol.currentIndex()
        return self.protocols[index] if 0 <= index < len(self.protocols) else None

    def chosen_place(self) -> Place:
        value = self.place.currentData()
        if isinstance(value, str):
            return Place(value)
        choice = self.chosen_protocol()
        return choice.places[0] if choice is not None and choice.places else Place.CHAIR

    def chosen_nurse(self) -> int | None:
        """The nurse picked for a home visit; None lets the booking choose (or none needed)."""
        if self.chosen_place() is not Place.HOME:
            return None
        value = self.nurse.currentData()
        return value if isinstance(value, int) else None

    def _fill_places(self) -> None:
        """The chosen therapy's places, its usual one first (quietly, then one search)."""
        choice = self.chosen_protocol()
        keep = self.place.currentData()
        self.place.blockSignals(True)
        self.place.clear()
        for place in choice.places if choice is not None else ():
            self.place.addItem(PLACE_LABELS.get(place, place.value), place.value)
        found = self.place.findData(keep)
        self.place.setCurrentIndex(max(found, 0))
        self.place.blockSignals(False)
        self.place.setEnabled(self.place.count() > 1)
        self._show_nurse()

    def _show_nurse(self) -> None:
        self.form.setRowVisible(self.nurse, self.chosen_place() is Place.HOME)
        self._warn_about_driver()

    def _warn_about_driver(self, *args: object) -> None:
        """Say so when this session will need a driver home and the patient has none on file."""
        choice = self.chosen_protocol()
        show_escort_warning(
            self.desk,
            self.escort_warning,
            self.chosen_patient(),
            choice.protocol_id if choice is not None else None,
            self.chosen_place(),
        )

    def _protocol_changed(self, *args: object) -> None:
        self._fill_places()
        self.find_slots()

    def _place_changed(self, *args: object) -> None:
        self._show_nurse()
        self.find_slots()

    def find_slots(self) -> None:
        """The next free slots for the chosen therapy and place near the wanted time."""
        choice = self.chosen_protocol()
        if choice is None:
            return
        wanted = self.near.dateTime().toPython()
        assert isinstance(wanted, dt.datetime)
        near = wanted.replace(tzinfo=self.desk.zone).astimezone(dt.UTC)
        patient_id = self.chosen_patient()
        place = self.chosen_place()

        def free(db: Session) -> tuple[list[schedule.Slot], bool]:
            usable = chairs_at(db, place)
            # The chair clicked on the calendar counts only where this place takes such a chair.
            chair_id = self.chair_id if self.chair_id in usable else None
            return schedule.next_free_slots(
                db,
                therapy_id=choice.therapy_id,
                near=near,
                count=12,
                chair_id=chair_id,
                patient_id=patient_id,
                place=place,
                now=self.desk.now(),
            ), place.needs_chair and not usable

        slots, none_set_up = self.desk.read(free)
        self.slots.set_rows(slots)
        if slots:
            self.table.selectRow(0)
        self.message.setVisible(not slots)
        if slots:
            self.message.setText("")
        elif none_set_up:
            where = PLACE_LABELS.get(place, place.value).lower()
            self.message.setText(
                f"No {where} is set up in Settings; choose another place or add one."
            )
        elif place is Place.HOME and self.nurse.count() <= 1:
            self.message.setText("A home visit needs a nurse, and no active nurse is set up.")
        else:
            self.message.setText("No free slot near that time; try another time.")
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
        place, nurse_id = self.chosen_place(), self.chosen_nurse()

        def show(text: str) -> None:
            self.message.setText(text)
            self.message.setVisible(bool(text))

        def book_it(db: Session) -> booking.Booked:
            return booking.book_single_for_desk(
                db,
                patient_id=patient_id,
                protocol_id=choice.protocol_id,
                starts_at=slot.starts_at,
                chair_id=slot.chair_id if place.needs_chair else None,
                place=place,
                nurse_id=nurse_id,
                actor=self.desk.actor,
                now=self.desk.now(),
            )

        booked = act_showing_refusal(self.desk, book_it, show, self)
        if booked is None:
            return None
        session_id = self.session_id = booked.session_ids[0]
        when = day_and_clock(booked.first_starts_at, self.desk.zone)
        emailed = email_schedule_letter(self.desk, patient_id, self)
        self.desk.announce(f"Session booked for {booked.patient_name} on {when}{emailed}")
        self.desk.highlight(session_id, booked.first_starts_at)
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
