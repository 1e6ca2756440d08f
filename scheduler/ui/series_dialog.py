"""Booking a whole course: an induction series or a maintenance plan, proposed then booked.

The desk fills in the protocol, count, first date, preferred time, weekdays and chair, and
presses Propose: the booking service plans every session and says, row by row, where it had to
move one and why. A row can be changed to one of the next free slots. Book then books all of
it or nothing; a refusal (screening not cleared, a slot taken meanwhile) is shown in the
dialog, next to the proposal the user is looking at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate, QItemSelection, Qt, QTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.catalogue import INDUCTION_MAX_SESSIONS, INDUCTION_MIN_SESSIONS
from scheduler.domain.enums import Phase
from scheduler.domain.planning import SeriesProposal
from scheduler.domain.when import SHORT_WEEKDAYS
from scheduler.errors import ServiceError
from scheduler.services import booking, course_defaults, maintenance, patients, schedule, settings
from scheduler.ui.desk import Desk
from scheduler.ui.escort_dialog import escort_warning_label, show_escort_warning
from scheduler.ui.letters_screen import email_schedule_letter, schedule_letter_pdf
from scheduler.ui.qt_dates import TIME_FORMAT, show_us_style, to_qdate
from scheduler.ui.session_dialog import act_showing_refusal, refusal_text
from scheduler.ui.session_models import ProposalModel, SlotModel
from scheduler.ui.sign_in import SignatureDialog
from scheduler.ui.tables import pick_one_table

ERROR_STYLE = "color: #b03a2e;"


@dataclass(frozen=True)
class ProtocolChoice:
    """A protocol as the dialog offers it (plain values, read once)."""

    protocol_id: int
    name: str
    therapy_id: int
    session_count: int | None
    weekdays: tuple[int, ...]
    interval_days: int | None
    places: tuple[str, ...]


@dataclass(frozen=True)
class ChairChoice:
    chair_id: int
    name: str
    kind: str


def load_choices(db: Session, phase: Phase) -> tuple[list[ProtocolChoice], list[ChairChoice]]:
    """The active protocols of a phase and the active chairs, as plain values."""
    therapies = {t.therapy_id: t for t in settings.list_therapies(db)}
    protocols = [
        ProtocolChoice(
            view.protocol_id,
            p.name,
            p.therapy_id,
            p.session_count,
            p.preferred_weekdays,
            p.maintenance_interval_days,
            tuple(x.value for x in therapies[p.therapy_id].place_list),
        )
        for view in settings.list_protocols(db)
        if (p := view.edit).active and p.phase == phase and therapies[p.therapy_id].edit.active
    ]
    chairs = [ChairChoice(c.chair_id, c.name, c.kind.value) for c in schedule.chairs(db)]
    return protocols, chairs


class SeriesDialog(QDialog):
    """Protocol, count, first date, time, weekdays and chair → a proposal → Book.

    ``phase`` is induction (6 to 8 sessions on chosen weekdays) or maintenance (a visit
    every N weeks, a number of times or until a date).
    """

    def __init__(
        self,
        desk: Desk,
        patient_id: int,
        *,
        phase: Phase = Phase.INDUCTION,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.patient_id = patient_id
        self.phase = phase
        self.series_id: int | None = None
        self.proposal: SeriesProposal | None = None
        induction = self.phase is Phase.INDUCTION
        what = "New induction series" if induction else "Plan maintenance"
        patient = desk.read(lambda db: patients.patient_view(db, patient_id))
        self.setWindowTitle(f"{what} — {patient.display_name}")
        # Said inside the dialog too: the desk must see at a glance whose course this is.
        self.heading = QLabel(f"{what} for {patient.display_name} (chart {patient.chart_number})")
        self.heading.setObjectName("section_title")
        self.protocols, self.all_chairs = desk.read(lambda db: load_choices(db, self.phase))

        self.protocol = QComboBox()
        for choice in self.protocols:
            self.protocol.addItem(choice.name, choice.protocol_id)
        self.count = QSpinBox()
        if induction:
            self.count.setRange(INDUCTION_MIN_SESSIONS, INDUCTION_MAX_SESSIONS)
        else:
            self.count.setRange(1, 26)
        self.count.setSuffix(" sessions")
        self.first_day = QDateEdit()
        self.first_day.setCalendarPopup(True)
        show_us_style(self.first_day)
        tomorrow = desk.today() + dt.timedelta(days=1)
        self.first_day.setDate(to_qdate(tomorrow))
        self.preferred_time = QTimeEdit(QTime(10, 0))
        show_us_style(self.preferred_time, TIME_FORMAT)
        # The dialog picks the time the course fits at, again as the course's shape changes,
        # until the user sets one: from then on theirs is kept.
        self.time_chosen = False
        self._picking = False
        self.weekdays = [QCheckBox(name) for name in SHORT_WEEKDAYS]
        weekday_row = QHBoxLayout()
        for box in self.weekdays:
            weekday_row.addWidget(box)
        weekday_row.addStretch(1)
        self.every_weeks = QSpinBox()
        self.every_weeks.setRange(1, 26)
        self.every_weeks.setPrefix("every ")
        self.every_weeks.setSuffix(" weeks")
        self.by_count = QRadioButton("this many visits:")
        self.by_until = QRadioButton("until")
        self.by_count.setChecked(True)
        ends = QButtonGroup(self)
        ends.addButton(self.by_count)
        ends.addButton(self.by_until)
        self.until = QDateEdit()
        self.until.setCalendarPopup(True)
        show_us_style(self.until)
        later = desk.today() + dt.timedelta(days=180)
        self.until.setDate(to_qdate(later))
        self.chair = QComboBox()

        form = QFormLayout()
        form.addRow("&Protocol", self.protocol)
        if induction:
            form.addRow("&Sessions", self.count)
        form.addRow("&First date", self.first_day)
        form.addRow("Preferred &time", self.preferred_time)
        if induction:
            form.addRow("Weekdays", weekday_row)
        else:
            form.addRow("&Repeat", self.every_weeks)
            ends_row = QHBoxLayout()
            ends_row.addWidget(self.by_count)
            ends_row.addWidget(self.count)
            ends_row.addSpacing(12)
            ends_row.addWidget(self.by_until)
            ends_row.addWidget(self.until)
            ends_row.addStretch(1)
            form.addRow("Ends after", ends_row)
        form.addRow("&Chair / room", self.chair)
        # The other phase's fields stay out of the form. Parented to the dialog they die with
        # it: an unparented widget whose signal calls back into the dialog keeps both alive.
        unplaced: tuple[QWidget, ...] = (
            (self.every_weeks, self.by_count, self.by_until, self.until)
            if induction
            else tuple(self.weekdays)
        )
        for other_phase_field in unplaced:
            other_phase_field.setParent(self)
            other_phase_field.hide()

        self.propose_button = QPushButton("P&ropose")
        self.propose_button.setDefault(True)
        self.model = ProposalModel(desk.zone, self)
        self.table = pick_one_table(self.model, stretch=False)
        self.table.setObjectName("proposal_table")
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setMinimumHeight(200)

        self.change_box = QGroupBox("Change the selected session")
        self.slot_model = SlotModel(desk.zone, self)
        self.slot_table = pick_one_table(self.slot_model, min_height=110)
        self.find_slots_button = QPushButton("Show &free slots near it")
        self.use_slot_button = QPushButton("&Use this slot")
        change_buttons = QHBoxLayout()
        change_buttons.addWidget(self.find_slots_button)
        change_buttons.addStretch(1)
        change_buttons.addWidget(self.use_slot_button)
        change_layout = QVBoxLayout(self.change_box)
        change_layout.addLayout(change_buttons)
        change_layout.addWidget(self.slot_table)
        self.change_box.setVisible(False)
        self.slot_table.setVisible(False)  # until there are slots to choose from

        self.message = QLabel()
        self.message.setObjectName("refusal")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.escort_warning = escort_warning_label()
        self.buttons = QDialogButtonBox()
        self.book_button = self.buttons.addButton("&Book", QDialogButtonBox.ButtonRole.AcceptRole)
        self.book_button.setEnabled(False)
        self.override_button = self.buttons.addButton(
            "Clinician &override…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.override_button.setToolTip(
            "A clinician accepts the refused safety check, with a written reason"
        )
        self.override_button.hide()
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)

        propose_row = QHBoxLayout()
        propose_row.addStretch(1)
        propose_row.addWidget(self.propose_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.escort_warning)
        layout.addLayout(propose_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.change_box)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self.protocol.currentIndexChanged.connect(self._protocol_changed)
        self.propose_button.clicked.connect(self.propose)
        self.book_button.clicked.connect(lambda: self.book())
        self.override_button.clicked.connect(self.book_with_override)
        self.find_slots_button.clicked.connect(self.find_slots)
        self.use_slot_button.clicked.connect(self.use_chosen_slot)
        self.slot_table.doubleClicked.connect(lambda *_: self.use_chosen_slot())
        self.table.selectionModel().selectionChanged.connect(self._row_chosen)
        self.slot_table.selectionModel().selectionChanged.connect(
            lambda *_: self.use_slot_button.setEnabled(bool(self._chosen_slot_row() is not None))
        )
        self.until.dateChanged.connect(lambda *_: self.by_until.setChecked(True))
        for widget in (self.first_day, self.preferred_time, self.count, self.every_weeks):
            widget.editingFinished.connect(self._form_changed)
        for box in self.weekdays:
            box.toggled.connect(self._form_changed)
            box.toggled.connect(self._pick_time_again)
        self.first_day.dateChanged.connect(self._pick_time_again)
        self.count.valueChanged.connect(self._pick_time_again)
        self.preferred_time.timeChanged.connect(self._time_edited)
        self.chair.currentIndexChanged.connect(self._form_changed)
        self._protocol_changed()
        if not self.protocols:
            self.show_problem(
                f"No active {self.phase.value} protocol is set up; add one in Settings."
            )
            self.propose_button.setEnabled(False)
        self.resize(880, 720)

    # -- the form --------------------------------------------------------------------------

    def current_protocol(self) -> ProtocolChoice | None:
        index = self.protocol.currentIndex()
        return self.protocols[index] if 0 <= index < len(self.protocols) else None

    def _protocol_changed(self) -> None:
        choice = self.current_protocol()
        if choice is None:
            return
        self._picking = True  # the protocol sets count, day and time together, once
        try:
            self._take_protocol(choice)
        finally:
            self._picking = False
        self._form_changed()

    def _take_protocol(self, choice: ProtocolChoice) -> None:
        """Fill the form from the protocol's defaults; the time is picked afresh."""
        if choice.session_count:
            self.count.setValue(choice.session_count)
        for number, box in enumerate(self.weekdays):
            box.blockSignals(True)
            box.setChecked(number in choice.weekdays)
            box.blockSignals(False)
        if choice.interval_days:
            self.every_weeks.setValue(max(1, round(choice.interval_days / 7)))
        # Only the chairs or rooms this therapy can use.
        self.chair.blockSignals(True)
        self.chair.clear()
        self.chair.addItem("Any free one", None)
        for chair in self.all_chairs:
            if chair.kind in choice.places:
                self.chair.addItem(chair.name, chair.chair_id)
        self.chair.blockSignals(False)
        show_escort_warning(
            self.desk, self.escort_warning, self.patient_id, choice.protocol_id, None
        )
        self.time_chosen = False
        self._suggest_day_and_time(choice)

    def _suggest_day_and_time(self, choice: ProtocolChoice) -> None:
        """Start from the next open day on the protocol's weekdays, at a time the course fits.

        An induction is tried whole at each of that day's times (the first without a move
        wins); a maintenance plan keeps the first day's rule and the time asked for.
        """
        today = self.desk.today()

        def suggest(db: Session) -> tuple[dt.date, dt.time | None]:
            day = course_defaults.next_open_day(
                db, protocol_id=choice.protocol_id, patient_id=self.patient_id, today=today
            )
            return day, self._best_time(db, choice, day)

        try:
            day, time = self.desk.read(suggest)
        except ServiceError as exc:
            self.show_problem(refusal_text(exc))
            return
        self.first_day.setDate(to_qdate(day))
        self._set_picked_time(time)

    def _best_time(self, db: Session, choice: ProtocolChoice, day: dt.date) -> dt.time | None:
        """The earliest time the induction fits without moves from ``day``, as the form says.

        A maintenance plan keeps the time asked for (None).
        """
        if self.phase is not Phase.INDUCTION:
            return None
        return course_defaults.best_start_time(
            db, self.patient_id, choice.protocol_id, self.count.value(), day,
            weekdays=self.selected_weekdays() or None, now=self.desk.now(),
        )  # fmt: skip

    def _set_picked_time(self, time: dt.time | None) -> None:
        if time is None:
            return
        picking, self._picking = self._picking, True
        try:
            self.preferred_time.setTime(QTime(time.hour, time.minute))
        finally:
            self._picking = picking

    def _time_edited(self) -> None:
        if not self._picking:
            self.time_chosen = True

    def _pick_time_again(self) -> None:
        """The count, the weekdays or the first date changed: the time the course fits at may
        have too. A time the user set is theirs and stays."""
        choice = self.current_protocol()
        if self._picking or self.time_chosen or choice is None:
            return
        day = self.first_date()
        try:
            time = self.desk.read(lambda db: self._best_time(db, choice, day))
        except ServiceError as exc:
            self.show_problem(refusal_text(exc))
            return
        self._set_picked_time(time)

    def _form_changed(self) -> None:
        """The form no longer matches the proposal shown: it must be proposed again."""
        if self.proposal is not None:
            self.proposal = None
            self.model.set_rows([])
            self.change_box.hide()
        self.book_button.setEnabled(False)

    def first_date(self) -> dt.date:
        return as_date(self.first_day.date())

    def time_wanted(self) -> dt.time:
        value = self.preferred_time.time()
        return dt.time(value.hour(), value.minute())

    def selected_weekdays(self) -> list[int]:
        return [n for n, box in enumerate(self.weekdays) if box.isChecked()]

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- propose, change, book -------------------------------------------------------------

    def propose(self) -> SeriesProposal | None:
        """Ask the booking service for a proposal from the form, and show it."""
        choice = self.current_protocol()
        if choice is None:
            return None
        first_day, preferred = self.first_date(), self.time_wanted()
        chair_id = self.chair.currentData()
        now = self.desk.now()

        def plan(db: Session) -> SeriesProposal:
            if self.phase is Phase.MAINTENANCE:
                until = as_date(self.until.date()) if self.by_until.isChecked() else None
                return maintenance.plan_maintenance(
                    db,
                    patient_id=self.patient_id,
                    protocol_id=choice.protocol_id,
                    first_day=first_day,
                    preferred_time=preferred,
                    every_weeks=self.every_weeks.value(),
                    count=None if until else self.count.value(),
                    until=until,
                    chair_id=chair_id,
                    now=now,
                )
            return booking.propose_series(
                db,
                patient_id=self.patient_id,
                protocol_id=choice.protocol_id,
                count=self.count.value(),
                first_day=first_day,
                preferred_time=preferred,
                weekdays=self.selected_weekdays() or None,
                chair_id=chair_id,
                now=now,
            )

        try:
            proposal = self.desk.read(plan)
        except ServiceError as exc:
            self._set_proposal(None)
            self.show_problem(refusal_text(exc))
            return None
        self._set_proposal(proposal)
        return proposal

    def _set_proposal(self, proposal: SeriesProposal | None) -> None:
        self.proposal = proposal
        self.override_button.hide()
        self.model.set_rows(proposal.rows if proposal else [])
        self.table.resizeRowsToContents()
        self.change_box.setVisible(proposal is not None)
        self.slot_model.set_rows([])
        self.slot_table.setVisible(False)
        self.find_slots_button.setEnabled(False)
        self.use_slot_button.setEnabled(False)
        if proposal is None:
            self.book_button.setEnabled(False)
            return
        missing = [row.number for row in proposal.rows if row.starts_at is None]
        if missing:
            numbers = ", ".join(str(n) for n in missing)
            self.show_problem(
                f"No slot was found for session {numbers}. Change the date, time or weekdays "
                "and propose again, or choose a slot for it."
            )
        else:
            self.show_problem("")
        self.book_button.setEnabled(not missing)
        self.book_button.setDefault(not missing)

    def selected_number(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()).number if rows else None

    def _row_chosen(self, *args: QItemSelection) -> None:
        number = self.selected_number()
        self.find_slots_button.setEnabled(number is not None)
        self.change_box.setTitle(
            f"Change session {number}" if number else "Change the selected session"
        )
        self.slot_model.set_rows([])
        self.slot_table.setVisible(False)
        self.use_slot_button.setEnabled(False)

    def find_slots(self) -> None:
        """The next free slots near the selected row (or near the first date when it has none)."""
        number = self.selected_number()
        choice = self.current_protocol()
        if number is None or self.proposal is None or choice is None:
            return
        row = next(r for r in self.proposal.rows if r.number == number)
        if row.starts_at is not None:
            near = row.starts_at
        else:
            wanted = dt.datetime.combine(self.first_date(), self.time_wanted(), self.desk.zone)
            near = wanted.astimezone(dt.UTC)
        slots = self.desk.read(
            lambda db: schedule.next_free_slots(
                db,
                therapy_id=choice.therapy_id,
                near=near,
                count=12,
                chair_id=self.chair.currentData(),
                patient_id=self.patient_id,
                now=self.desk.now(),
            )
        )
        taken = {(r.starts_at, r.chair_id) for r in self.proposal.rows if r.number != number}
        self.slot_model.set_rows([s for s in slots if (s.starts_at, s.chair_id) not in taken])
        self.slot_table.setVisible(self.slot_model.rowCount() > 0)
        if self.slot_model.rowCount():
            self.slot_table.selectRow(0)
            self.slot_table.setFocus()

    def _chosen_slot_row(self) -> int | None:
        rows = self.slot_table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def use_chosen_slot(self) -> bool:
        """Move the selected proposal row to the chosen free slot (checked again on Book)."""
        number, slot_row = self.selected_number(), self._chosen_slot_row()
        if number is None or slot_row is None or self.proposal is None:
            return False
        slot = self.slot_model.row_at(slot_row)
        changed = booking.with_row_changed(self.proposal, number, slot.starts_at, slot.chair_id)
        self._set_proposal(changed)
        row = next((n for n, r in enumerate(changed.rows) if r.number == number), None)
        if row is not None:
            self.table.selectRow(row)
        return True

    def book(self, override: booking.Override | None = None) -> int | None:
        """Book the whole proposal, or nothing; a refusal is shown here, under the table.

        ``override`` is a clinician's signed acceptance of a safety check that refused the
        booking; the reason and the signer go to the audit trail.
        """
        proposal = self.proposal
        if proposal is None or not self.model.bookable():
            return None

        def book_it(db: Session) -> booking.Booked:
            return booking.book_series_for_desk(
                db, proposal, actor=self.desk.actor, now=self.desk.now(), override=override
            )

        booked = act_showing_refusal(self.desk, book_it, self.show_problem, self)
        if booked is None:
            self.override_button.setVisible(self.message.isVisible())
            return None
        self.series_id = booked.series_id
        count = len(booked.session_ids)
        news = f"{count} session{'s' if count != 1 else ''} booked for {booked.patient_name}"
        self.desk.highlight(booked.session_ids[0], booked.first_starts_at)
        self.show_problem("")
        if self.offer_schedule_letter(self):
            pdf = schedule_letter_pdf(self.desk, self.patient_id, self)
            if pdf is not None:
                news += "; schedule letter printed"
                from scheduler.ui.pdf_preview import PdfPreviewDialog

                PdfPreviewDialog.show_pdf(pdf, "Schedule letter", "schedule.pdf", self)
        news += email_schedule_letter(self.desk, self.patient_id, self)
        self.desk.announce(news)
        self.accept()
        return self.series_id

    def book_with_override(self) -> int | None:
        override = OverrideDialog.ask(self.desk, self.message.text(), self)
        return None if override is None else self.book(override)

    @classmethod
    def offer_schedule_letter(cls, parent: QWidget | None) -> bool:
        """Ask whether to print the new schedule for the patient. Tests replace this."""
        answer = QMessageBox.question(
            parent,
            "Series booked",
            "The series is booked. Print the patient's schedule letter now?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    @classmethod
    def ask(
        cls,
        desk: Desk,
        patient_id: int,
        *,
        phase: Phase = Phase.INDUCTION,
        parent: QWidget | None = None,
    ) -> int | None:
        """Open the dialog; the booked series' id, or None when nothing was booked."""
        dialog = cls(desk, patient_id, phase=phase, parent=parent)
        dialog.exec()
        return dialog.series_id


def as_date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class OverrideDialog:
    """A clinician's signed override of a refused safety check, with the written reason."""

    @classmethod
    def ask(cls, desk: Desk, refusal: str, parent: QWidget | None) -> booking.Override | None:
        """The signed override, or None. Tests replace this."""
        signed = SignatureDialog.ask(
            desk,
            "Clinician override",
            f"{refusal}\n\nOnly a clinician may accept this, with a written reason (why the "
            "session is safe to book). The reason is kept in the audit trail.",
            parent=parent,
        )
        return None if signed is None else booking.Override(signed.reason, signed.signer)
