"""Today: the front desk's list of the day's sessions, and what happens to each of them."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from PySide6.QtCore import QItemSelection, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.domain.enums import LetterKind, SessionStatus
from scheduler.domain.when import long_date
from scheduler.services import session_life
from scheduler.services.changes import Change
from scheduler.ui.day_sheet import day_sheet_button
from scheduler.ui.desk import Desk
from scheduler.ui.escort_dialog import EscortAnswer, EscortDialog
from scheduler.ui.letters_screen import day_sessions, show_letter
from scheduler.ui.session_dialog import SessionDialog, cancel_session, mark_no_show
from scheduler.ui.session_models import DaySessionsModel, SessionLike
from scheduler.ui.show_in_calendar import add_show_in_calendar

BOOKED, CONFIRMED = SessionStatus.BOOKED, SessionStatus.CONFIRMED
CHECKED_IN, COMPLETED = SessionStatus.CHECKED_IN, SessionStatus.COMPLETED

# The day's sessions, their patients, nurses and chairs, and which letters went out.
SHOWS = Change.SESSIONS | Change.PATIENTS | Change.LETTERS | Change.STAFF | Change.SETTINGS
SIZED_BY_ROWS = 100
# Which actions make sense in which status; the service has the last word.
ALLOWED: dict[str, tuple[SessionStatus, ...]] = {
    "confirm": (BOOKED,),
    "check_in": (BOOKED, CONFIRMED),
    "complete": (CHECKED_IN,),
    "no_show": (BOOKED, CONFIRMED),
    "cancel": (BOOKED, CONFIRMED),
    "aftercare": (CHECKED_IN, COMPLETED),
}
# The permission each of Today's buttons needs.
NEEDS = {
    "confirm": Permission.BOOK,
    "check_in": Permission.CHECK_IN,
    "complete": Permission.COMPLETE,
    "no_show": Permission.CANCEL,
    "cancel": Permission.CANCEL,
    "aftercare": Permission.PRINT,
}


class SessionStep(Protocol):
    """A service that moves one session on a step (``session_life.confirm`` and the like)."""

    def __call__(
        self, db: Session, session_id: int, *, actor: Actor, now: dt.datetime
    ) -> object: ...


class TodayScreen(QWidget):
    """The day's sessions by time, with confirm / check in / complete / no-show / cancel.

    A no-show or cancellation that leaves a course short asks at once what to do about it
    (``MakeupDialog``).

    Keys: Enter opens the selected session; Alt + the underlined letter runs an action.
    """

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
        self.table.setObjectName("today_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.show_in_calendar = add_show_in_calendar(
            desk, self.table, lambda n: self.model.row_at(n).view
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DaySessionsModel.COL_PATIENT, QHeaderView.ResizeMode.Stretch)
        # Columns are sized from the first 100 rows, not all of a busy day's 300: every row's
        # times, therapies and statuses are alike, and asking them all slowed the start.
        header.setResizeContentsPrecision(SIZED_BY_ROWS)
        self.empty = QLabel("No sessions today.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for key, text, handler in (
            ("open", "&Open…", self.open_selected),
            ("confirm", "Con&firm", lambda: self._life(session_life.confirm)),
            ("check_in", "Check &in", self.check_in_selected),
            ("complete", "Co&mplete", self.complete_selected),
            ("no_show", "&No-show", self.no_show_selected),
            ("cancel", "&Cancel…", self.cancel_selected),
            ("aftercare", "Print &aftercare…", self.print_aftercare),
        ):
            button = QPushButton(text)
            button.setObjectName(f"today_{key}")
            button.clicked.connect(handler)
            self.buttons[key] = button
            bar.addWidget(button)
            if key == "open":
                bar.addSpacing(16)
        bar.addStretch(1)
        self.day = desk.today()  # the day shown
        self.day_sheet_button = day_sheet_button(desk, lambda: self.day, self)
        bar.addWidget(self.day_sheet_button)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self.table.activated.connect(lambda index: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        desk.follow(SHOWS, self.refresh, self)
        desk.signed_in.connect(self._selection_changed)
        self.refresh()

    # -- data ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload today's sessions, keeping the selected one selected."""
        keep = self.selected_view()
        day = self.day = self.desk.today()
        self.title.setText(f"Today — {long_date(day)}")
        rows = day_sessions(self.desk, day)
        self.model.set_rows(rows)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        live = [r for r in rows if r.view.status.holds_slot]
        here = sum(1 for r in rows if r.view.status in (CHECKED_IN, COMPLETED))
        # Sessions still to happen that need a driver home and have none on file or recorded.
        unknown = sum(
            1
            for r in live
            if r.view.escort_missing and not r.view.driver_name and r.view.status != COMPLETED
        )
        self.summary.setText(
            f"{len(live)} session{'s' if len(live) != 1 else ''} · {here} checked in or done"
            + (f" · {unknown} with no driver home" if unknown else "")
        )
        if keep is not None:
            self.select_session(keep.session_id)
        elif rows:
            self.table.selectRow(0)
        self._selection_changed()

    def select_session(self, session_id: int) -> bool:
        row = self.model.index_of_session(session_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def selected_view(self) -> SessionLike | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(rows[0].row()).view

    def _selection_changed(self, *args: QItemSelection) -> None:
        view = self.selected_view()
        self.buttons["open"].setEnabled(view is not None)
        for key, statuses in ALLOWED.items():
            # What the signed-in user's roles may not do is greyed out (the services refuse it).
            allowed = self.desk.may(NEEDS[key])
            self.buttons[key].setEnabled(allowed and view is not None and view.status in statuses)
        # A consultation, follow-up or video call sends no one home with an aftercare letter.
        if view is not None and not view.has_aftercare:
            self.buttons["aftercare"].setEnabled(False)

    # -- actions ---------------------------------------------------------------------------

    def _life(self, step: SessionStep) -> None:
        view = self.selected_view()
        if view is None:
            return
        self.desk.act(
            lambda db: step(db, view.session_id, actor=self.desk.actor, now=self.desk.now()),
            self,
        )

    def check_in_selected(self) -> None:
        """Check the patient in, asking who takes them home when their session needs it."""
        view = self.selected_view()
        if view is None:
            return
        answer = self._ask_escort(view, completing=False) if view.needs_escort else None
        if view.needs_escort and answer is None:
            return
        escort = answer.escort if answer is not None else None
        self.desk.act(
            lambda db: session_life.check_in(
                db, view.session_id, actor=self.desk.actor, now=self.desk.now(), escort=escort
            ),
            self,
        )

    def complete_selected(self) -> None:
        """Complete the session; with no one recorded to take the patient home, ask first."""
        view = self.selected_view()
        if view is None:
            return
        answer = EscortAnswer(None)
        if view.escort_missing:
            asked = self._ask_escort(view, completing=True)
            if asked is None:
                return
            answer = asked
        self.desk.act(
            lambda db: session_life.complete(
                db, view.session_id, actor=self.desk.actor, now=self.desk.now(),
                escort=answer.escort, no_escort_reason=answer.no_escort_reason,
            ),
            self,
        )  # fmt: skip

    def _ask_escort(self, view: SessionLike, *, completing: bool) -> EscortAnswer | None:
        on_file = self.desk.read(lambda db: session_life.escort_on_file(db, view.session_id))
        return EscortDialog.ask(view.patient_name, on_file, completing=completing, parent=self)

    def no_show_selected(self) -> None:
        """The patient did not come; a course left short is offered a make-up."""
        view = self.selected_view()
        if view is not None:
            mark_no_show(self.desk, view, self)

    def cancel_selected(self) -> None:
        view = self.selected_view()
        if view is not None:
            cancel_session(self.desk, view, self)

    def print_aftercare(self) -> None:
        view = self.selected_view()
        if view is not None and view.has_aftercare:
            show_letter(self.desk, view, LetterKind.AFTERCARE, self)

    def print_current(self) -> None:
        """Ctrl+P: the selected session's aftercare letter."""
        self.print_aftercare()

    def open_selected(self, index: QModelIndex | None = None) -> None:
        view = self.selected_view()
        if view is not None:
            SessionDialog.open_session(self.desk, view, self)
