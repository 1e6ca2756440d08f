"""Today: the front desk's list of the day's sessions, and what happens to each of them."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from PySide6.QtCore import QDate, QItemSelection, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.domain.enums import LetterKind, SessionStatus
from scheduler.domain.when import long_date
from scheduler.services import session_life, waitlist
from scheduler.services.changes import Change
from scheduler.services.day_sheet import cautions_on_day
from scheduler.ui.csv_files import day_export_button
from scheduler.ui.day_sheet import day_sheet_button
from scheduler.ui.desk import Desk
from scheduler.ui.escort_dialog import EscortAnswer, EscortDialog
from scheduler.ui.letters_screen import day_sessions, show_letter
from scheduler.ui.qt_dates import show_us_style, to_qdate
from scheduler.ui.session_dialog import SessionDialog, cancel_session, mark_no_show
from scheduler.ui.session_models import DaySessionsModel, SessionLike, TodaySessionsModel
from scheduler.ui.show_in_calendar import add_show_in_calendar
from scheduler.ui.waitlist_offer import WaitlistOfferDialog

BOOKED, CONFIRMED = SessionStatus.BOOKED, SessionStatus.CONFIRMED
CHECKED_IN, COMPLETED = SessionStatus.CHECKED_IN, SessionStatus.COMPLETED

# The day's sessions, their patients, nurses and chairs, and which letters went out.
SHOWS = Change.SESSIONS | Change.PATIENTS | Change.LETTERS | Change.STAFF | Change.SETTINGS
SHOWS |= Change.WAITLIST  # how many waiting patients fit each freed slot
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
# What the services refuse on other days whatever the status: check in on the session's own
# day only; complete or mark a no-show only once it has started, so never on a day to come.
# (Earlier the same day they stay clickable and the service says why: a greyed button would
# wait for the next minute's tick after the start.)
ON_THE_DAY = ("check_in",)
ONCE_STARTED = ("complete", "no_show")
NOW_LINE = "#d32f2f"
MINUTE_MS = 60_000


class SessionStep(Protocol):
    """A service that moves one session on a step (``session_life.confirm`` and the like)."""

    def __call__(
        self, db: Session, session_id: int, *, actor: Actor, now: dt.datetime
    ) -> object: ...


class NowLineDelegate(QStyledItemDelegate):
    """Draws the current-time line across the list, above the first session still to start
    (below the last when every session has started)."""

    def __init__(self, model: TodaySessionsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        line = self.model.now_row()
        rect = option.rect
        if line is None or index.row() not in (line, line - 1):
            return
        if index.row() == line:
            y = rect.top() + 1
        elif line == self.model.rowCount():
            y = rect.bottom() - 1
        else:
            return
        painter.save()
        painter.setPen(QPen(QColor(NOW_LINE), 2))
        painter.drawLine(rect.left(), y, rect.right() + 1, y)
        painter.restore()


class TodayScreen(QWidget):
    """A day's sessions by time, with confirm / check in / complete / no-show / cancel.

    Opens on today; the arrows and the date field show any other day, Ctrl+T comes back.
    On today a red line marks the current time, and a patient not checked in ten minutes
    after the start shows "Late" (the clock is read again each minute).

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
        self.model = TodaySessionsModel(desk.zone, self)
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
        self.table.setItemDelegate(NowLineDelegate(self.model, self.table))
        self.show_in_calendar = add_show_in_calendar(
            desk, self.table, lambda n: self.model.row_at(n).view
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DaySessionsModel.COL_PATIENT, QHeaderView.ResizeMode.Stretch)
        # Columns are sized from the first 100 rows, not all of a busy day's 300: every row's
        # times, therapies and statuses are alike, and asking them all slowed the start.
        header.setResizeContentsPrecision(SIZED_BY_ROWS)
        # The nurse reads the cautions beside who drives the patient home.
        header.moveSection(TodaySessionsModel.COL_CAUTIONS, DaySessionsModel.COL_DRIVER + 1)
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
        self.day = self.today = desk.today()  # the day shown, and today as last read
        self.previous_day = QPushButton("◀")
        self.previous_day.setToolTip("The day before")
        self.previous_day.clicked.connect(lambda: self.show_day(self.day - dt.timedelta(days=1)))
        self.next_day = QPushButton("▶")
        self.next_day.setToolTip("The day after")
        self.next_day.clicked.connect(lambda: self.show_day(self.day + dt.timedelta(days=1)))
        for arrow in (self.previous_day, self.next_day):
            arrow.setFixedWidth(arrow.sizeHint().height() + 8)
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("today_date")
        self.date_edit.setCalendarPopup(True)
        show_us_style(self.date_edit)
        self.date_edit.setDate(to_qdate(self.day))
        self.date_edit.dateChanged.connect(self._date_picked)
        self.today_button = QPushButton("Today")
        self.today_button.setToolTip("Back to today (Ctrl+T)")
        self.today_button.clicked.connect(self.show_today)
        self.day_sheet_button = day_sheet_button(desk, lambda: self.day, self)
        bar.addWidget(self.day_sheet_button)
        self.day_export_button = day_export_button(desk, lambda: self.day, self)
        bar.addWidget(self.day_export_button)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        for widget in (self.previous_day, self.date_edit, self.next_day, self.today_button):
            top.addWidget(widget)
        top.addSpacing(16)
        top.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self.table.activated.connect(lambda index: self.open_selected())
        self.table.clicked.connect(self._cell_clicked)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        # Only while Today is in front: another screen may give Ctrl+T its own "today".
        back = QShortcut(QKeySequence("Ctrl+T"), self, self.show_today)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.clock = QTimer(self)
        self.clock.setInterval(MINUTE_MS)
        self.clock.timeout.connect(self.tick)
        self.clock.start()
        desk.follow(SHOWS, self.refresh, self)
        desk.signed_in.connect(self._selection_changed)
        self.refresh()

    # -- data ------------------------------------------------------------------------------

    def show_day(self, day: dt.date) -> None:
        """Show another day's sessions (the arrows, the date field)."""
        if day != self.day:
            self.day = day
            self.table.clearSelection()
            self.refresh()

    def show_today(self) -> None:
        """Ctrl+T: back to today."""
        self.show_day(self.desk.today())

    def _date_picked(self, date: QDate) -> None:
        self.show_day(dt.date(date.year(), date.month(), date.day()))

    def _clock_now(self) -> dt.datetime | None:
        """The desk's clock when the day shown is today; other days have no "now"."""
        return self.desk.now() if self.day == self.desk.today() else None

    def tick(self) -> None:
        """Each minute: patients turn late and the current-time line moves; a desk left on
        today at midnight moves on to the new today."""
        if self.desk.today() != self.today and self.day == self.today:
            self.show_day(self.desk.today())
            return
        now = self._clock_now()
        if now is None:
            self.model.now = None
        else:
            self.model.set_now(now)
        self.table.viewport().update()
        self._selection_changed()

    def refresh(self) -> None:
        """Reload the day's sessions, keeping the selected one selected."""
        keep = self.selected_view()
        day = self.day
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(to_qdate(day))
        self.date_edit.blockSignals(False)
        self.today = self.desk.today()  # the desk's today when the list was read
        is_today = day == self.today
        self.title.setText(f"Today — {long_date(day)}" if is_today else long_date(day))
        self.today_button.setEnabled(not is_today)
        rows = day_sessions(self.desk, day)
        cautions = self.desk.read(lambda db: cautions_on_day(db, day))
        waiting = self._waiting(day)
        self.model.set_day(rows, cautions, self.desk.now() if is_today else None, waiting)
        self._show_waitlist_column(any(waiting.values()))
        self.empty.setText(
            "No sessions today." if is_today else f"No sessions on {long_date(day)}."
        )
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

    def _show_waitlist_column(self, shown: bool) -> None:
        """The Waitlist column only while a freed slot has someone to offer it to; then the
        therapy shares its room with the patient's name (elided, whole in the tooltip), so
        names stay readable at 1366 pixels."""
        self.table.setColumnHidden(TodaySessionsModel.COL_WAITLIST, not shown)
        mode = QHeaderView.ResizeMode.Stretch if shown else QHeaderView.ResizeMode.ResizeToContents
        self.table.horizontalHeader().setSectionResizeMode(DaySessionsModel.COL_THERAPY, mode)

    def _waiting(self, day: dt.date) -> dict[int, int]:
        """How many waitlist patients fit each slot freed by a cancellation (days to come)."""
        if day < self.desk.today():
            return {}
        now = self.desk.now()
        return self.desk.read(lambda db: waitlist.freed_slot_counts(db, day, now=now))

    def _cell_clicked(self, index: QModelIndex) -> None:
        """A click on a freed slot's Waitlist cell offers the chair to those who fit."""
        if index.column() != TodaySessionsModel.COL_WAITLIST:
            return
        row = self.model.row_at(index.row())
        view, chair_id = row.view, row.view.chair_id
        if self.model.waiting(row) and chair_id is not None:
            WaitlistOfferDialog.offer(
                self.desk, chair_id, view.chair_name, view.starts_at, self,
                why=f"{view.patient_name}'s session was cancelled. ",
            )  # fmt: skip

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
        today = self.desk.today()
        for key, statuses in ALLOWED.items():
            # What the signed-in user's roles may not do is greyed out (the services refuse it).
            allowed = self.desk.may(NEEDS[key]) and view is not None and view.status in statuses
            if view is not None and key in ON_THE_DAY:
                allowed = allowed and self._local_day(view.starts_at) == today
            if view is not None and key in ONCE_STARTED:
                allowed = allowed and self._local_day(view.starts_at) <= today
            self.buttons[key].setEnabled(allowed)
        # A consultation, follow-up or video call sends no one home with an aftercare letter.
        if view is not None and not view.has_aftercare:
            self.buttons["aftercare"].setEnabled(False)

    def _local_day(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.desk.zone).date()

    # -- actions ---------------------------------------------------------------------------

    def _life(self, step: SessionStep) -> None:
        view = self.selected_view()
        if view is None:
            return
        if self.desk.act(
            lambda db: step(db, view.session_id, actor=self.desk.actor, now=self.desk.now()),
            self,
        ):
            self.desk.announce(f"Session confirmed for {view.patient_name}")

    def check_in_selected(self) -> None:
        """Check the patient in, asking who takes them home when their session needs it."""
        view = self.selected_view()
        if view is None:
            return
        answer = self._ask_escort(view, completing=False) if view.needs_escort else None
        if view.needs_escort and answer is None:
            return
        escort = answer.escort if answer is not None else None
        if self.desk.act(
            lambda db: session_life.check_in(
                db, view.session_id, actor=self.desk.actor, now=self.desk.now(), escort=escort
            ),
            self,
        ):
            self.desk.announce(f"{view.patient_name} checked in")

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
        if self.desk.act(
            lambda db: session_life.complete(
                db, view.session_id, actor=self.desk.actor, now=self.desk.now(),
                escort=answer.escort, no_escort_reason=answer.no_escort_reason,
            ),
            self,
        ):  # fmt: skip
            self.desk.announce(f"Session completed for {view.patient_name}")

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
