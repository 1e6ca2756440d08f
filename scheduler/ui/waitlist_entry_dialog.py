"""Putting a patient on the waitlist, or changing their terms: what, which days, times, chairs."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.when import SHORT_WEEKDAYS
from scheduler.services import waitlist
from scheduler.services.waitlist import WaitlistEntryView, WaitlistTerms
from scheduler.ui.desk import Desk
from scheduler.ui.qt_dates import TIME_FORMAT, show_us_style, to_qdate
from scheduler.ui.session_dialog import act_showing_refusal
from scheduler.ui.single_session_dialog import offer_patients
from scheduler.ui.widgets import refusal_label

MOST_NOTICE_HOURS = 24 * 14
CHAIRS_A_ROW = 4


def _time_edit(default: dt.time) -> QTimeEdit:
    edit = QTimeEdit(QTime(default.hour, default.minute))
    show_us_style(edit, TIME_FORMAT)
    return edit


def _time_of(edit: QTimeEdit, used: QCheckBox) -> dt.time | None:
    if not used.isChecked():
        return None
    return dt.time(edit.time().hour(), edit.time().minute())


class WaitlistEntryDialog(QDialog):
    """The terms of one waitlist entry; OK saves them (a refusal shows in red, nothing lost).

    Days and chairs left all unticked mean any; an unticked From, Until or Not before means
    no limit there.
    """

    def __init__(
        self, desk: Desk, entry: WaitlistEntryView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.entry = entry
        self.saved: WaitlistEntryView | None = None
        self.setObjectName("waitlist_entry")
        self.setWindowTitle("Waitlist entry" if entry else "Add to the waitlist")
        protocols, chairs = desk.read(waitlist.waitlist_choices)
        terms = entry.terms if entry is not None else None

        self.patient_search = QLineEdit()
        self.patient_search.setPlaceholderText("Name, chart number, phone or date of birth")
        self.patient_choice = QComboBox()
        self.patient_search.textChanged.connect(self.search_patients)
        self.protocol = QComboBox()
        for choice in protocols:
            self.protocol.addItem(choice.name, choice.choice_id)
        self.days = [QCheckBox(name) for name in SHORT_WEEKDAYS]
        self.from_used = QCheckBox("From")
        self.earliest = _time_edit(dt.time(9))
        self.until_used = QCheckBox("Until")
        self.latest = _time_edit(dt.time(15))
        self.chairs = {c.choice_id: QCheckBox(c.name) for c in chairs}
        self.day_used = QCheckBox("Not before")
        self.earliest_day = QDateEdit(to_qdate(desk.today()))
        self.earliest_day.setCalendarPopup(True)
        show_us_style(self.earliest_day)
        self.notice = QSpinBox()
        self.notice.setRange(0, MOST_NOTICE_HOURS)
        self.notice.setSuffix(" hours")
        self.note = QLineEdit()
        self.note.setPlaceholderText("e.g. can come at an hour's notice; call her mobile")
        self.refusal = refusal_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        if entry is None:
            form.addRow("&Patient", self.patient_search)
            form.addRow("", self.patient_choice)
        else:
            form.addRow("Patient", QLabel(f"{entry.patient_name} (chart {entry.chart_number})"))
        form.addRow("&Waiting for", self.protocol)
        form.addRow("Days", self._row(*self.days))
        form.addRow("Start", self._row(self.from_used, self.earliest, self.until_used, self.latest))
        form.addRow("Chairs", self._chair_grid())
        form.addRow("Could come", self._row(self.day_used, self.earliest_day))
        form.addRow("&Notice needed", self.notice)
        form.addRow("N&ote", self.note)
        layout = QVBoxLayout(self)
        hint = QLabel("Days or chairs left unticked mean any.")
        hint.setWordWrap(True)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.refusal)
        layout.addWidget(self.buttons)
        if terms is not None:
            self._show_terms(terms)
        self.resize(560, 0)

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        return holder

    def _chair_grid(self) -> QWidget:
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        for number, box in enumerate(self.chairs.values()):
            grid.addWidget(box, number // CHAIRS_A_ROW, number % CHAIRS_A_ROW)
        return holder

    def _show_terms(self, terms: WaitlistTerms) -> None:
        self.protocol.setCurrentIndex(max(0, self.protocol.findData(terms.protocol_id)))
        for day, box in enumerate(self.days):
            box.setChecked(day in terms.weekdays)
        for used, edit, value in (
            (self.from_used, self.earliest, terms.earliest_start),
            (self.until_used, self.latest, terms.latest_start),
        ):
            used.setChecked(value is not None)
            if value is not None:
                edit.setTime(QTime(value.hour, value.minute))
        for chair_id, box in self.chairs.items():
            box.setChecked(chair_id in terms.chair_ids)
        self.day_used.setChecked(terms.earliest_day is not None)
        if terms.earliest_day is not None:
            self.earliest_day.setDate(to_qdate(terms.earliest_day))
        self.notice.setValue(terms.notice_hours)
        self.note.setText(terms.note)

    def search_patients(self, text: str) -> None:
        offer_patients(self.desk, self.patient_choice, text)

    def terms(self) -> WaitlistTerms | None:
        """The terms as filled in, or None (with the reason shown) when no patient is chosen."""
        patient = self.entry.terms.patient_id if self.entry else self.patient_choice.currentData()
        if not isinstance(patient, int):
            self.show_refusal("Find the patient first: type part of their name, then pick them.")
            return None
        protocol = self.protocol.currentData()
        if not isinstance(protocol, int):
            self.show_refusal("No protocol is in use: an administrator adds one in Settings.")
            return None
        day = self.earliest_day.date()
        return WaitlistTerms(
            patient_id=patient,
            protocol_id=protocol,
            weekdays=tuple(n for n, box in enumerate(self.days) if box.isChecked()),
            earliest_start=_time_of(self.earliest, self.from_used),
            latest_start=_time_of(self.latest, self.until_used),
            chair_ids=tuple(c for c, box in self.chairs.items() if box.isChecked()),
            earliest_day=(
                dt.date(day.year(), day.month(), day.day()) if self.day_used.isChecked() else None
            ),
            notice_hours=self.notice.value(),
            note=self.note.text(),
        )

    def show_refusal(self, text: str) -> None:
        self.refusal.setText(text)
        self.refusal.show()

    def save(self) -> None:
        terms = self.terms()
        if terms is None:
            return
        entry, desk = self.entry, self.desk
        saved = act_showing_refusal(
            desk,
            lambda db: (
                waitlist.add_entry(db, terms, actor=desk.actor, now=desk.now())
                if entry is None
                else waitlist.edit_entry(
                    db, entry.entry_id, terms, actor=desk.actor, now=desk.now()
                )
            ),
            self.show_refusal,
            self,
            prefix="Not saved",
        )
        if saved is None:
            return
        self.saved = saved
        desk.announce(
            f"{saved.patient_name} added to the waitlist"
            if entry is None
            else f"Waitlist entry saved for {saved.patient_name}"
        )
        self.accept()

    @classmethod
    def ask(
        cls, desk: Desk, entry: WaitlistEntryView | None = None, parent: QWidget | None = None
    ) -> WaitlistEntryView | None:
        """Add an entry (or edit ``entry``); what was saved, or None. Tests replace this."""
        dialog = cls(desk, entry, parent)
        dialog.exec()
        return dialog.saved
