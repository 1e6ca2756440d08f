"""After a session of a course is cancelled or missed: make it up, move the rest later, or not now.

DOMAIN.md: a missed induction session is made up, not silently dropped, and a course never
exceeds eight sessions. The desk therefore asks, right after the cancellation or no-show,
what to do about the missing session. "Not now" writes nothing: the course simply stays short,
which the booking rules allow, and the question can be asked again from the session later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.enums import Place, SeriesStatus, SessionStatus
from scheduler.domain.planning import ProposedSession
from scheduler.errors import ServiceError
from scheduler.services import course_rules, schedule, session_life
from scheduler.ui.desk import Desk
from scheduler.ui.qt_dates import DATE_TIME_FORMAT, show_us_style, to_qdate, to_qdatetime
from scheduler.ui.session_dialog import act_showing_refusal
from scheduler.ui.session_models import SlotLike, SlotModel, ZonedRowsModel, day_and_clock
from scheduler.ui.tables import RowsModel, pick_one_table

MISSED = (SessionStatus.CANCELLED, SessionStatus.NO_SHOW)
MOVABLE = (SessionStatus.BOOKED, SessionStatus.CONFIRMED)
FREE_SLOTS = 10


class MakeupChoice(StrEnum):
    """What the desk chose to do about a missed session."""

    BOOKED = "booked"
    REFLOWED = "reflowed"
    NOT_NOW = "not_now"


@dataclass(frozen=True)
class MissedSession:
    """A cancelled or missed session of a course that is now short of its planned count."""

    session_id: int
    series_id: int
    number: int
    patient_id: int
    patient_name: str
    therapy_id: int
    therapy_name: str
    session_noun: str
    protocol_name: str
    place: Place
    starts_at: dt.datetime
    status: SessionStatus
    planned_count: int
    holding: int  # sessions the course still holds (booked, confirmed, checked in, done)
    later_numbers: tuple[int, ...]  # numbers of the later sessions a reflow would move
    first_later_at: dt.datetime | None  # when the first of those is booked now


@dataclass(frozen=True)
class MovedSession:
    """One session moved by a reflow: where it was and where it is now."""

    number: int
    was: dt.datetime
    now: dt.datetime
    chair_name: str


def missed_session(db: Session, session_id: int, *, now: dt.datetime) -> MissedSession | None:
    """The missed session if its course is now short and still running; else None.

    A course of one (a single session or a lone booster) has nothing to make up, and a course
    whose missed session was already made up holds its full count again.
    """
    session = session_life.session_state(db, session_id)
    if session.series_id is None:
        return None
    course = next(
        c
        for c in schedule.patient_courses(db, session.patient_id)
        if c.series_id == session.series_id
    )
    view = next(v for v in course.sessions if v.session_id == session_id)
    if view.status not in MISSED or course.status is not SeriesStatus.ACTIVE:
        return None
    holding = [v for v in course.sessions if v.status.holds_slot]
    if course.planned_count <= 1 or len(holding) >= course.planned_count:
        return None
    number = view.number or 0
    later = [
        v
        for v in holding
        if (v.number or 0) >= number and v.status in MOVABLE and v.starts_at > now
    ]
    return MissedSession(
        session_id=view.session_id,
        series_id=course.series_id,
        number=number,
        patient_id=view.patient_id,
        patient_name=view.patient_name,
        therapy_id=view.therapy_id,
        therapy_name=view.therapy_name,
        session_noun=view.session_noun,
        protocol_name=course.protocol_name,
        place=view.place,
        starts_at=view.starts_at,
        status=view.status,
        planned_count=course.planned_count,
        holding=len(holding),
        later_numbers=tuple(v.number or 0 for v in later),
        first_later_at=min((v.starts_at for v in later), default=None),
    )


def offer_makeup(desk: Desk, session_id: int, parent: QWidget | None = None) -> MakeupChoice | None:
    """After a cancellation or no-show: ask what to do when the course is now short.

    None when there was nothing to ask (a single session, a course already full).
    """
    missed = desk.read(lambda db: missed_session(db, session_id, now=desk.now()))
    if missed is None:
        return None
    return MakeupDialog.ask(desk, session_id, parent)


class MovedModel(ZonedRowsModel[MovedSession]):
    """The sessions a reflow moved, with their old and new times."""

    COL_NUMBER, COL_WAS, COL_NOW, COL_CHAIR = range(4)
    HEADERS = ("#", "Was", "Now", "Chair / room")

    def row_id(self, row: MovedSession) -> int:
        return row.number

    def cell(self, row: MovedSession, column: int) -> str:
        if column == self.COL_NUMBER:
            return str(row.number)
        if column == self.COL_WAS:
            return day_and_clock(row.was, self.zone)
        if column == self.COL_NOW:
            return day_and_clock(row.now, self.zone)
        if column == self.COL_CHAIR:
            return row.chair_name or "—"
        return ""


def _table(model: RowsModel[Any]) -> QTableView:
    table = pick_one_table(model, stretch=False)
    table.setTabKeyNavigation(False)
    table.setWordWrap(False)
    return table


def _numbers(numbers: tuple[int, ...]) -> str:
    if len(numbers) == 1:
        return f"session {numbers[0]}"
    return f"sessions {numbers[0]}–{numbers[-1]}"


class MakeupDialog(QDialog):
    """The proposed make-up slot (or why there is none), other free slots, and three choices.

    Each choice is one desk action; a refusal is shown inside the dialog. After a choice the
    dialog shows what was done and only Close is left.
    """

    def __init__(self, desk: Desk, session_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.session_id = session_id
        self.choice = MakeupChoice.NOT_NOW
        self.made_up_id: int | None = None
        self.missed = desk.read(lambda db: missed_session(db, session_id, now=desk.now()))
        self.proposal: ProposedSession | None = None
        self.proposal_problem = ""
        self.setWindowTitle("Missed session")

        self.heading = QLabel()
        font = self.heading.font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 2)
        self.heading.setFont(font)
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        self.makeup_box = QGroupBox("Book a make-up session")
        self.proposed = QLabel()
        self.proposed.setObjectName("proposed")
        self.proposed.setWordWrap(True)
        self.near = QDateTimeEdit()
        self.near.setCalendarPopup(True)
        show_us_style(self.near, DATE_TIME_FORMAT)
        self.find_button = QPushButton("&Find free slots")
        self.slots = SlotModel(desk.zone, self)
        self.slot_table = _table(self.slots)
        self.slot_table.setObjectName("makeup_slots")
        self.slot_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.slot_table.setMinimumHeight(140)
        self.book_button = QPushButton("&Book make-up session")
        self.book_button.setObjectName("book_makeup")
        self.book_button.setEnabled(False)
        near_row = QHBoxLayout()
        near_row.addWidget(QLabel("Near"))
        near_row.addWidget(self.near, 1)
        near_row.addWidget(self.find_button)
        makeup_layout = QVBoxLayout(self.makeup_box)
        makeup_layout.addWidget(self.proposed)
        makeup_layout.addLayout(near_row)
        makeup_layout.addWidget(self.slot_table, 1)
        makeup_layout.addWidget(self.book_button, 0, Qt.AlignmentFlag.AlignRight)

        self.reflow_box = QGroupBox("Or move the rest of the course later")
        self.reflow_text = QLabel()
        self.reflow_text.setWordWrap(True)
        self.not_before = QDateEdit()
        self.not_before.setCalendarPopup(True)
        show_us_style(self.not_before)
        self.reflow_button = QPushButton("&Move the rest later")
        self.reflow_button.setObjectName("reflow")
        self.moved = MovedModel(desk.zone, self)
        self.moved_table = _table(self.moved)
        self.moved_table.setObjectName("moved_sessions")
        moved_header = self.moved_table.horizontalHeader()
        moved_header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        moved_header.setSectionResizeMode(
            MovedModel.COL_NUMBER, QHeaderView.ResizeMode.ResizeToContents
        )
        self.moved_table.hide()
        reflow_layout = QVBoxLayout(self.reflow_box)
        reflow_layout.addWidget(self.reflow_text)
        reflow_layout.addWidget(self.moved_table, 1)
        self.reflow_controls = QWidget()
        reflow_row = QHBoxLayout(self.reflow_controls)
        reflow_row.setContentsMargins(0, 0, 0, 0)
        resume = QLabel("&Resume no earlier than")
        resume.setBuddy(self.not_before)
        reflow_row.addWidget(resume)
        reflow_row.addWidget(self.not_before)
        reflow_row.addStretch(1)
        reflow_row.addWidget(self.reflow_button)
        reflow_layout.addWidget(self.reflow_controls)

        self.message = QLabel()
        self.message.setObjectName("refusal")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b03a2e;")
        self.message.hide()
        self.outcome = QLabel()
        self.outcome.setObjectName("outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setStyleSheet("color: #2e7d32;")
        self.outcome.hide()
        self.buttons = QDialogButtonBox()
        self.not_now_button = self.buttons.addButton(
            "&Not now", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.not_now_button.setObjectName("not_now")
        self.not_now_button.setToolTip(
            "Write nothing: the course stays short. You can make it up later from the session."
        )
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.makeup_box, 3)
        layout.addWidget(self.reflow_box)
        layout.addWidget(self.message)
        layout.addWidget(self.outcome)
        layout.addWidget(self.buttons)

        self.find_button.clicked.connect(self.find_slots)
        self.slot_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.slot_table.doubleClicked.connect(lambda *_: self.book())
        self.book_button.clicked.connect(self.book)
        self.reflow_button.clicked.connect(self.reflow)
        self._load()
        self.resize(620, 620)

    # -- what is missing -------------------------------------------------------------------

    def _load(self) -> None:
        missed, zone = self.missed, self.desk.zone
        if missed is None:
            self.heading.setText("Nothing to make up")
            self.summary.setText(
                "This session's course is not short (or has been stopped): nothing to do."
            )
            self.makeup_box.setEnabled(False)
            self.reflow_box.setEnabled(False)
            self.not_now_button.setText("&Close")
            return
        what = "cancelled" if missed.status is SessionStatus.CANCELLED else "missed (no-show)"
        noun = missed.session_noun.capitalize()
        self.heading.setText(f"{noun} {missed.number} of {missed.planned_count} {what}")
        self.summary.setText(
            f"{missed.patient_name}'s {missed.therapy_name} on "
            f"{day_and_clock(missed.starts_at, zone)} was {what.split(' ')[0]}. "
            f"The course ({missed.protocol_name}) now holds {missed.holding} of its "
            f"{missed.planned_count} sessions."
        )
        try:
            self.proposal = self.desk.read(
                lambda db: session_life.propose_makeup(db, self.session_id, now=self.desk.now())
            )
        except ServiceError as exc:
            self.proposal_problem = str(exc)
        proposal = self.proposal
        if proposal is not None and proposal.starts_at is not None:
            where = f", {proposal.chair_name}" if proposal.chair_name else ""
            text = (
                f"Proposed: {missed.session_noun} {proposal.number} of {missed.planned_count} "
                f"on {day_and_clock(proposal.starts_at, zone)}{where}."
            )
            if proposal.reason:
                text += f"\nMoved from the usual slot: {proposal.reason}"
            self.proposed.setText(text)
            near = proposal.starts_at
        else:
            why = proposal.reason if proposal is not None else self.proposal_problem
            self.proposed.setText(
                f"No make-up slot fits the course: {why}\nChoose a free slot below if the "
                "clinician agrees; the booking is still checked against the protocol."
            )
            self.proposed.setStyleSheet("color: #b05a00;")
            near = self.desk.now()
        self.near.setDateTime(to_qdatetime(near, zone))
        self._offer_slots(near, lead=self._proposed_slot())
        tomorrow = self.desk.today() + dt.timedelta(days=1)
        self.not_before.setMinimumDate(to_qdate(tomorrow))
        if missed.later_numbers and missed.first_later_at is not None:
            self.reflow_text.setText(
                f"Instead, move {_numbers(missed.later_numbers)} later, keeping the protocol's "
                "spacing between them. The course stays one session short."
            )
            # "Later" by default: the first of them moves off its current day.
            first_day = missed.first_later_at.astimezone(zone).date()
            self.not_before.setDate(to_qdate(max(tomorrow, first_day + dt.timedelta(days=1))))
        else:
            self.reflow_text.setText("No later session of this course can be moved.")
            self.reflow_button.setEnabled(False)
            self.not_before.setEnabled(False)
        self.slot_table.setFocus()

    def _proposed_slot(self) -> schedule.Slot | None:
        row = self.proposal
        if row is None or row.starts_at is None or row.ends_at is None:
            return None
        return schedule.Slot(row.starts_at, row.ends_at, row.chair_id, row.chair_name)

    def _offer_slots(self, near: dt.datetime, lead: schedule.Slot | None = None) -> None:
        missed = self.missed
        assert missed is not None
        found = self.desk.read(
            lambda db: course_rules.free_slots(
                db, missed.session_id, near=near, count=FREE_SLOTS, now=self.desk.now()
            )
        )
        rows: list[schedule.Slot] = [lead] if lead is not None else []
        rows += [s for s in found if lead is None or (s.starts_at, s.chair_id) != (
            lead.starts_at, lead.chair_id)]  # fmt: skip
        self.slots.set_rows(rows)
        if rows:
            self.slot_table.selectRow(0)
        self._update_buttons()

    def find_slots(self) -> None:
        """Free slots near the time typed, for a make-up the proposal did not suggest."""
        wanted = self.near.dateTime().toPython()
        assert isinstance(wanted, dt.datetime)
        near = wanted.replace(tzinfo=self.desk.zone).astimezone(dt.UTC)
        self._offer_slots(near)
        self.slot_table.setFocus()

    def chosen_slot(self) -> SlotLike | None:
        rows = self.slot_table.selectionModel().selectedRows()
        return self.slots.row_at(rows[0].row()) if rows else None

    def _update_buttons(self, *args: object) -> None:
        open_ = self.choice is MakeupChoice.NOT_NOW and self.missed is not None
        self.book_button.setEnabled(open_ and self.chosen_slot() is not None)

    def _show_refusal(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- the three choices -----------------------------------------------------------------

    def book(self) -> bool:
        """Book the chosen slot as the make-up session (one desk action)."""
        slot, missed = self.chosen_slot(), self.missed
        if slot is None or missed is None or self.choice is not MakeupChoice.NOT_NOW:
            return False
        proposal = self.proposal
        nurse_id = None
        if proposal is not None and (proposal.starts_at, proposal.chair_id) == (
            slot.starts_at,
            slot.chair_id,
        ):
            nurse_id = proposal.nurse_id

        def book_it(db: Session) -> tuple[int, int, str]:
            made = session_life.book_makeup(
                db,
                self.session_id,
                starts_at=slot.starts_at,
                chair_id=slot.chair_id,
                nurse_id=nurse_id,
                actor=self.desk.actor,
                now=self.desk.now(),
            )
            return made.session_id, made.number or 0, made.chair_name

        self._show_refusal("")
        made = act_showing_refusal(self.desk, book_it, self._show_refusal, self)
        if made is None:
            return False
        self.made_up_id, number, where = made
        place = f", {where}" if where else ""
        self.reflow_box.hide()  # the course is whole again: nothing left to move
        self.desk.announce(f"Make-up session booked for {missed.patient_name}")
        self._finish(
            MakeupChoice.BOOKED,
            f"Booked the make-up: {missed.session_noun} {number} of {missed.planned_count} on "
            f"{day_and_clock(slot.starts_at, self.desk.zone)}{place}.",
        )
        return True

    def reflow(self) -> bool:
        """Move the course's later sessions on, from the missed one's number (one action)."""
        missed = self.missed
        if missed is None or self.choice is not MakeupChoice.NOT_NOW:
            return False

        day = self.not_before.date().toPython()
        assert isinstance(day, dt.date)

        def reflow_it(db: Session) -> list[MovedSession]:
            was = {
                s.session_id: s.starts_at
                for s in session_life.sessions_of_series(db, missed.series_id)
            }
            moved = session_life.reflow_series(
                db,
                missed.series_id,
                from_number=missed.number,
                actor=self.desk.actor,
                now=self.desk.now(),
                not_before=day,
            )
            return [
                MovedSession(
                    s.number or 0,
                    was[s.session_id],
                    s.starts_at,
                    s.chair_name,
                )
                for s in moved
            ]

        self._show_refusal("")
        moved = act_showing_refusal(
            self.desk, reflow_it, self._show_refusal, self, prefix="Not moved"
        )
        if moved is None:
            return False
        self.moved.set_rows(moved)
        self.moved_table.show()
        self.makeup_box.hide()  # its proposal is stale now that the course has moved
        self.reflow_controls.hide()
        table = self.moved_table
        rows = table.verticalHeader().defaultSectionSize() * len(moved)
        header = table.horizontalHeader().sizeHint().height()
        table.setMinimumHeight(rows + header + 2 * table.frameWidth() + 2)
        self.reflow_text.setText(
            f"Moved {len(moved)} session{'s' if len(moved) != 1 else ''} later:"
        )
        count = f"{len(moved)} session{'s' if len(moved) != 1 else ''}"
        self.desk.announce(f"{count} moved later for {missed.patient_name}")
        self._finish(
            MakeupChoice.REFLOWED,
            "The rest of the course moved later. Tell the patient the new times; "
            "a schedule letter lists them.",
        )
        self.resize(self.width(), self.minimumSizeHint().height())
        return True

    def _finish(self, choice: MakeupChoice, text: str) -> None:
        self.choice = choice
        self.outcome.setText(text)
        self.outcome.show()
        self.book_button.setEnabled(False)
        self.find_button.setEnabled(False)
        self.near.setEnabled(False)
        self.slot_table.setEnabled(False)
        self.reflow_button.setEnabled(False)
        self.not_before.setEnabled(False)
        self.not_now_button.setText("&Close")
        self.not_now_button.setDefault(True)
        self.not_now_button.setFocus()

    @classmethod
    def ask(cls, desk: Desk, session_id: int, parent: QWidget | None = None) -> MakeupChoice:
        """Ask what to do about a missed session; what was done. Tests replace this."""
        dialog = cls(desk, session_id, parent)
        dialog.exec()
        return dialog.choice
