"""One session opened from Today or the calendar: its details, moving it, cancelling it, letters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.enums import LetterKind, SessionStatus
from scheduler.domain.when import time_range_on
from scheduler.errors import ServiceError
from scheduler.services import course_rules, session_life
from scheduler.services.booking import BookingRefused
from scheduler.ui.desk import Desk
from scheduler.ui.letters_screen import show_letter
from scheduler.ui.qt_dates import DATE_TIME_FORMAT, show_us_style, to_qdatetime
from scheduler.ui.session_models import (
    SessionLike,
    SlotLike,
    SlotModel,
    day_and_clock,
    escort_text,
)
from scheduler.ui.tables import pick_one_table

T = TypeVar("T")
LIVE_STATUSES = (SessionStatus.BOOKED, SessionStatus.CONFIRMED)


def act_showing_refusal(
    desk: Desk,
    action: Callable[[Session], T],
    show: Callable[[str], None],
    parent: QWidget | None,
    *,
    prefix: str = "Not booked",
) -> T | None:
    """``desk.act``, but a refusal is shown by ``show`` (a label where the user is looking).

    Busy databases and unexpected errors still go through the desk's usual messages.
    """

    def shown(exc: ServiceError) -> bool:
        show(refusal_text(exc, prefix))
        return True

    return desk.act(action, parent, on_refusal=shown)


def refusal_text(exc: ServiceError, prefix: str = "Not booked") -> str:
    """A refusal in words; a booking refused for several reasons lists each."""
    if isinstance(exc, BookingRefused) and len(exc.reasons) > 1:
        return f"{prefix}:\n" + "\n".join(f"• {reason}" for reason in exc.reasons)
    return f"{prefix}: {exc}"


class ReasonDialog(QDialog):
    """Asks for a reason in words (a cancellation, an override); OK stays off while it is empty."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(80)
        self.prompt.setBuddy(self.text)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        self.text.textChanged.connect(
            lambda: self.ok_button.setEnabled(bool(self.text.toPlainText().strip()))
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.text)
        layout.addWidget(self.buttons)
        self.resize(420, 220)

    def reason(self) -> str:
        return self.text.toPlainText().strip()

    @classmethod
    def ask(cls, title: str, prompt: str, parent: QWidget | None = None) -> str | None:
        """The reason typed, or None when the user backed out. Tests replace this."""
        dialog = cls(title, prompt, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.reason():
            return None
        return dialog.reason()


def cancel_session(desk: Desk, view: SessionLike, parent: QWidget | None) -> bool:
    """Ask why, then cancel one session. Whether it was cancelled.

    When that leaves its course short, the desk is asked at once what to do about it (make it
    up, move the rest later, or not now).
    """
    when = day_and_clock(view.starts_at, desk.zone)
    reason = ReasonDialog.ask(
        "Cancel session",
        f"Why is {view.patient_name}'s session on {when} cancelled?",
        parent,
    )
    if reason is None:
        return False
    done = desk.act(
        lambda db: session_life.cancel(
            db, view.session_id, reason=reason, actor=desk.actor, now=desk.now()
        ),
        parent,
    )
    if done is None:
        return False
    desk.announce(f"Session cancelled for {view.patient_name}")
    offer_makeup(desk, view.session_id, parent)
    offer_to_waitlist(desk, view, parent)
    return True


def offer_to_waitlist(desk: Desk, view: SessionLike, parent: QWidget | None) -> None:
    """Offer the chair a cancellation freed to the waitlist patients who fit it, if any."""
    if view.chair_id is None or view.starts_at <= desk.now():
        return
    # Imported here: the offer books through this module's refusal helper.
    from scheduler.ui.waitlist_offer import WaitlistOfferDialog

    WaitlistOfferDialog.offer(
        desk, view.chair_id, view.chair_name, view.starts_at, parent,
        why=f"{view.patient_name}'s session is cancelled. ", only_if_anyone_fits=True,
    )  # fmt: skip


def mark_no_show(desk: Desk, view: SessionLike, parent: QWidget | None) -> bool:
    """Mark one session a no-show, then offer a make-up when its course is now short."""
    done = desk.act(
        lambda db: session_life.mark_no_show(db, view.session_id, actor=desk.actor, now=desk.now()),
        parent,
    )
    if done is None:
        return False
    desk.announce(f"{view.patient_name} marked as a no-show")
    offer_makeup(desk, view.session_id, parent)
    return True


def offer_makeup(desk: Desk, session_id: int, parent: QWidget | None) -> bool:
    """Ask about a missed session of a short course; whether anything was written."""
    # Imported here: the make-up dialog itself uses this module's refusal helper.
    from scheduler.ui.makeup_dialog import MakeupChoice
    from scheduler.ui.makeup_dialog import offer_makeup as ask

    return ask(desk, session_id, parent) not in (None, MakeupChoice.NOT_NOW)


class SessionDialog(QDialog):
    """A session's details with Reschedule (from the next free slots), Cancel… and its letters."""

    def __init__(self, desk: Desk, view: SessionLike, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.view = view
        self.changed_anything = False
        self.setWindowTitle(f"Session — {view.patient_name}")
        self.details = QFormLayout()
        self._labels: dict[str, QLabel] = {}
        for key, label in (
            ("patient", "Patient"),
            ("therapy", "Therapy"),
            ("when", "When"),
            ("chair", "Chair / room"),
            ("status", "Status"),
            ("driver", "Driver"),
        ):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self._labels[key] = value
            self.details.addRow(f"{label}:", value)

        self.move_box = QGroupBox("Move to another slot")
        self.near = QDateTimeEdit()
        self.near.setCalendarPopup(True)
        show_us_style(self.near, DATE_TIME_FORMAT)
        self.find_button = QPushButton("&Find free slots")
        self.slots = SlotModel(desk.zone, self)
        self.slot_table = pick_one_table(self.slots, min_height=150)
        self.move_button = QPushButton("&Move here")
        self.move_button.setEnabled(False)
        # A refused move is said here, under the slots, as the series dialog does.
        self.message = QLabel()
        self.message.setObjectName("refusal")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b03a2e;")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        near_row = QHBoxLayout()
        near_row.addWidget(QLabel("Near"))
        near_row.addWidget(self.near, 1)
        near_row.addWidget(self.find_button)
        move_layout = QVBoxLayout(self.move_box)
        move_layout.addLayout(near_row)
        move_layout.addWidget(self.slot_table)
        move_layout.addWidget(self.message)
        move_layout.addWidget(self.move_button, 0, Qt.AlignmentFlag.AlignRight)

        self.cancel_button = QPushButton("&Cancel session…")
        self.no_show_button = QPushButton("&No-show")
        self.makeup_button = QPushButton("Make &up…")
        self.makeup_button.setToolTip("Book a make-up for this missed session, or move the rest")
        self.prep_button = QPushButton("&Prep letter")
        self.aftercare_button = QPushButton("&Aftercare letter")
        actions = QHBoxLayout()
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.no_show_button)
        actions.addWidget(self.makeup_button)
        actions.addStretch(1)
        actions.addWidget(self.prep_button)
        actions.addWidget(self.aftercare_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.details)
        layout.addWidget(self.move_box, 1)
        layout.addLayout(actions)
        layout.addWidget(close)

        self.find_button.clicked.connect(self.find_slots)
        self.slot_table.selectionModel().selectionChanged.connect(
            lambda *_: self.move_button.setEnabled(self.chosen_slot() is not None)
        )
        self.slot_table.doubleClicked.connect(lambda *_: self.move_to_chosen())
        self.move_button.clicked.connect(self.move_to_chosen)
        self.cancel_button.clicked.connect(self.cancel_session)
        self.no_show_button.clicked.connect(self.mark_no_show)
        self.makeup_button.clicked.connect(self.make_up)
        self.prep_button.clicked.connect(
            lambda: show_letter(desk, self.view, LetterKind.PREP, self)
        )
        self.aftercare_button.clicked.connect(
            lambda: show_letter(desk, self.view, LetterKind.AFTERCARE, self)
        )
        self.near.setDateTime(to_qdatetime(view.starts_at, desk.zone))
        self._show_view()
        self.resize(560, 560)

    def _show_view(self) -> None:
        view, zone = self.view, self.desk.zone
        therapy = view.therapy_name + (f", {view.progress}" if view.progress else "")
        self._labels["patient"].setText(f"{view.patient_name} (chart {view.chart_number})")
        self._labels["therapy"].setText(therapy)
        self._labels["when"].setText(
            time_range_on(view.starts_at.astimezone(zone), view.ends_at.astimezone(zone))
        )
        self._labels["chair"].setText(view.chair_name or "—")
        self._labels["status"].setText(view.status.label)
        self._labels["driver"].setText(
            escort_text(view)
            if view.escort_name or view.no_escort_reason or not view.needs_escort
            else view.driver_name or "None on file — ask the patient"
        )
        live = view.status in LIVE_STATUSES
        self.move_box.setEnabled(live)
        self.cancel_button.setEnabled(live)
        self.no_show_button.setEnabled(live and view.starts_at <= self.desk.now())
        self.no_show_button.setToolTip(
            "" if view.starts_at <= self.desk.now() else "Only once the session's start has passed"
        )
        missed = view.status in (SessionStatus.CANCELLED, SessionStatus.NO_SHOW)
        self.makeup_button.setVisible(missed and self._course_short())
        self.aftercare_button.setVisible(view.has_aftercare)

    def find_slots(self) -> None:
        """Offer the next free slots for this therapy near the chosen time."""
        near = self.near.dateTime().toPython()
        assert isinstance(near, dt.datetime)
        near_utc = near.replace(tzinfo=self.desk.zone).astimezone(dt.UTC)
        view = self.view
        slots = self.desk.read(
            lambda db: course_rules.free_slots(
                db, view.session_id, near=near_utc, count=10, now=self.desk.now()
            )
        )
        self.slots.set_rows(slots)
        self.show_problem("")
        if slots:
            self.slot_table.selectRow(0)
            self.slot_table.setFocus()

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def chosen_slot(self) -> SlotLike | None:
        rows = self.slot_table.selectionModel().selectedRows()
        return self.slots.row_at(rows[0].row()) if rows else None

    def move_to_chosen(self) -> bool:
        slot = self.chosen_slot()
        if slot is None:
            return False
        moved = act_showing_refusal(
            self.desk,
            lambda db: session_life.reschedule(
                db,
                self.view.session_id,
                starts_at=slot.starts_at,
                chair_id=slot.chair_id,
                actor=self.desk.actor,
                now=self.desk.now(),
            ),
            self.show_problem,
            self,
            prefix="Not moved",
        )
        if moved is None:
            return False
        when = day_and_clock(moved.starts_at, self.desk.zone)
        self.desk.announce(f"Session moved for {self.view.patient_name} to {when}")
        self.desk.highlight(self.view.session_id, slot.starts_at)
        self.changed_anything = True
        self.accept()
        return True

    def _course_short(self) -> bool:
        from scheduler.ui.makeup_dialog import missed_session

        session_id = self.view.session_id
        found = self.desk.read(lambda db: missed_session(db, session_id, now=self.desk.now()))
        return found is not None

    def cancel_session(self) -> bool:
        if not cancel_session(self.desk, self.view, self):
            return False
        self.changed_anything = True
        self.accept()
        return True

    def mark_no_show(self) -> bool:
        if not mark_no_show(self.desk, self.view, self):
            return False
        self.changed_anything = True
        self.accept()
        return True

    def make_up(self) -> bool:
        """The make-up question again, for a course left short earlier ("Not now")."""
        if not offer_makeup(self.desk, self.view.session_id, self):
            return False
        self.changed_anything = True
        self.accept()
        return True

    @classmethod
    def open_session(cls, desk: Desk, view: SessionLike, parent: QWidget | None = None) -> bool:
        """Show a session; whether anything about it was changed. Tests replace this."""
        dialog = cls(desk, view, parent)
        dialog.exec()
        return dialog.changed_anything
