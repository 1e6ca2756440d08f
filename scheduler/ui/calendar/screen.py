"""The calendar screen: chairs and rooms on a time grid for a day, and the whole week at a glance.

Moving by a day costs a query (cached per day, a bounded number of days) and one paint; what
is read becomes grid content in ``loading``, and ``grid.TimeGrid`` paints it.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.when import date_span, long_date
from scheduler.services.changes import Change
from scheduler.services.clinic import clinic_view
from scheduler.ui.calendar.grid import TimeGrid
from scheduler.ui.calendar.loading import (
    ChairInfo,
    DayData,
    GridContent,
    day_content,
    load_days,
    week_content,
)
from scheduler.ui.calendar.moving import SessionMover, movable
from scheduler.ui.desk import Desk
from scheduler.ui.session_dialog import SessionDialog
from scheduler.ui.session_models import SessionLike
from scheduler.ui.single_session_dialog import SingleSessionDialog

# What the calendar shows: a change to any of these reloads it.
SHOWS = Change.SESSIONS | Change.PATIENTS | Change.STAFF | Change.CLOSURES | Change.SETTINGS

DAYS_KEPT = 62  # about two months of days moved through stay loaded; older ones are read again
# The strip saying why a drop was refused: the dialogs' refusal red, on a band that stands out.
REFUSAL_STRIP = (
    "QLabel { background: #fdecea; border: 1px solid #e0a39c; border-radius: 4px;"
    " padding: 6px 8px; color: #8c1d18; }"
)
HIGHLIGHT_MS = 6000  # how long a session just booked or moved stays outlined once seen


class CalendarScreen(QWidget):
    """Day and week views of the clinic's chairs, moved by keyboard or buttons.

    Keys: Left/Right a day (a week in the week view), PageUp/PageDown a week, T today,
    D day view, W week view. Clicking a session opens it; clicking a free place books there.
    Dragging a session moves it to another time, chair or day (Esc stops the drag); a move
    the rules refuse is explained in a strip above the grid. Ctrl+Z undoes the last move.
    A session just booked or moved (``Desk.highlight``) is shown on its day, outlined for a
    few seconds once the calendar is in view, or until the next click.
    """

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("calendar_screen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.day = desk.today()
        self.mode = "day"
        # Days already loaded, least recently shown first; bounded, as a desk stays open all week.
        self._days: OrderedDict[dt.date, DayData] = OrderedDict()
        self._chairs: list[ChairInfo] | None = None
        self._views: dict[int, SessionLike] = {}

        self.prev_button = QToolButton()
        self.prev_button.setText("◀")
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.today_button = QPushButton("&Today")
        self.today_button.setToolTip("Go to today (T)")
        self.day_button = QPushButton("&Day")
        self.day_button.setToolTip("Day view (D)")
        self.week_button = QPushButton("&Week")
        self.week_button.setToolTip("Week view (W)")
        for button in (self.day_button, self.week_button):
            button.setCheckable(True)
        self.day_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.day_button)
        group.addButton(self.week_button)
        for widget in (
            self.prev_button,
            self.next_button,
            self.today_button,
            self.day_button,
            self.week_button,
        ):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.title = QLabel()
        self.title.setObjectName("screen_title")
        font = self.title.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.title.setFont(font)
        self.note = QLabel()
        self.note.setObjectName("note")
        self.grid = TimeGrid(desk.zone)
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.grid)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Why a drop (or an undo) was refused, where the user is looking: not a pop-up.
        self.problem = QLabel()
        self.problem.setObjectName("refusal")
        self.problem.setStyleSheet(REFUSAL_STRIP)
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.hide()
        self.mover = SessionMover(desk, self.show_problem, self)
        self.undo_button = QPushButton("&Undo move")
        self.undo_button.setToolTip("Put the session last dragged back where it was (Ctrl+Z)")
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.undo_button.setEnabled(False)

        bar = QHBoxLayout()
        for widget in (self.prev_button, self.today_button, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.note)
        bar.addWidget(self.undo_button)
        bar.addSpacing(12)
        bar.addWidget(self.day_button)
        bar.addWidget(self.week_button)
        legend = QLabel(
            "Solid: treatment · light: observation · hatched: chair turnover · "
            "grey: closed. Click a free place to book, a session to open it; drag a session to "
            "move it (Ctrl+Z undoes)."
        )
        legend.setWordWrap(True)
        legend.setObjectName("note")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.problem)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(legend)

        self.prev_button.clicked.connect(lambda: self.move_by(-1))
        self.next_button.clicked.connect(lambda: self.move_by(1))
        self.today_button.clicked.connect(self.go_today)
        self.day_button.clicked.connect(lambda: self.show_day(self.day))
        self.week_button.clicked.connect(lambda: self.show_week(self.day))
        self.grid.session_clicked.connect(self.open_session)
        self.grid.slot_clicked.connect(self.book_at)
        self.grid.drag_started.connect(lambda _: self.show_problem(""))
        self.grid.drag_moved.connect(self._keep_in_view)
        self.grid.session_dropped.connect(self.move_dropped)
        self.mover.undoable.connect(self.undo_button.setEnabled)
        self.undo_button.clicked.connect(self.mover.undo)
        # Only while the calendar is in front: another screen may give Ctrl+Z its own undo.
        undo = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self, self.mover.undo)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._unhighlight = QTimer(self)
        self._unhighlight.setSingleShot(True)
        self._unhighlight.setInterval(HIGHLIGHT_MS)
        self._unhighlight.timeout.connect(lambda: self.grid.set_highlight(None))
        desk.follow(SHOWS, self.refresh, self)
        desk.highlighted.connect(self.highlight)
        desk.signed_in.connect(self._someone_else)
        if desk.highlight_wanted is not None:
            self.highlight(*desk.highlight_wanted)
        else:
            self._show()

    # -- navigation ------------------------------------------------------------------------

    def highlight(self, session_id: int, starts_at: dt.datetime) -> None:
        """Go to the day (or week) of a session and outline it."""
        self.day = starts_at.astimezone(self.desk.zone).date()
        self._show()
        self.grid.set_highlight(session_id)
        self._unhighlight.stop()
        if self.isVisible():
            self._unhighlight.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.grid.highlighted is not None and not self._unhighlight.isActive():
            self._unhighlight.start()

    def show_day(self, day: dt.date) -> None:
        self.day, self.mode = day, "day"
        self.day_button.setChecked(True)
        self._show()

    def show_week(self, day: dt.date) -> None:
        self.day, self.mode = day, "week"
        self.week_button.setChecked(True)
        self._show()

    def go_today(self) -> None:
        self.day = self.desk.today()
        self._show()

    def move_by(self, steps: int) -> None:
        """One step back or forward: a day in the day view, a week in the week view."""
        self.day += dt.timedelta(days=steps * (7 if self.mode == "week" else 1))
        self._show()

    def refresh(self) -> None:
        """Forget what was fetched (something changed) and redraw."""
        self._days.clear()
        self._chairs = None
        self._show()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if self.grid.dragging is not None:
            if key == Qt.Key.Key_Escape:
                self.grid.cancel_drag()
            return  # no moving through days under a session being dragged
        if key == Qt.Key.Key_Left:
            self.move_by(-1)
        elif key == Qt.Key.Key_Right:
            self.move_by(1)
        elif key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            week = 7 if key == Qt.Key.Key_PageDown else -7
            self.day += dt.timedelta(days=week)
            self._show()
        elif key == Qt.Key.Key_T:
            self.go_today()
        elif key == Qt.Key.Key_W:
            self.show_week(self.day)
        elif key == Qt.Key.Key_D:
            self.show_day(self.day)
        else:
            super().keyPressEvent(event)

    # -- content ---------------------------------------------------------------------------

    def _fetch(self, days: Sequence[dt.date]) -> list[DayData]:
        missing = [d for d in days if d not in self._days]
        if self._chairs is None:
            self.grid.slot_minutes = self.desk.read(clinic_view).slot_minutes
        if missing or self._chairs is None:
            chairs, fetched = load_days(self.desk, missing)
            self._chairs = chairs
            self._days.update((d.day, d) for d in fetched)
        for day in days:
            self._days.move_to_end(day)
        while len(self._days) > DAYS_KEPT:
            self._days.popitem(last=False)
        return [self._days[d] for d in days]

    def _show(self) -> None:
        if self.mode == "day":
            self._show_day()
        else:
            self._show_week()
        self.prev_button.setToolTip(
            "Previous week (Left)" if self.mode == "week" else "Previous day (Left)"
        )
        self.next_button.setToolTip(
            "Next week (Right)" if self.mode == "week" else "Next day (Right)"
        )

    def _show_day(self) -> None:
        day = self.day
        (data,) = self._fetch([day])
        self.title.setText(long_date(day))
        self._views = {v.session_id: v for v in data.sessions}
        live = len(data.sessions)
        if data.closure is not None:
            self.note.setText(f"Closed: {data.closure}")
        elif data.hours is None:
            self.note.setText("Closed all day")
        else:
            self.note.setText(f"{live} session{'s' if live != 1 else ''}")
        self._set(day_content(day, self._chairs or [], data, self.desk.zone))

    def _show_week(self) -> None:
        monday = self.day - dt.timedelta(days=self.day.weekday())
        days = [monday + dt.timedelta(days=n) for n in range(7)]
        data = self._fetch(days)
        sunday = days[-1]
        self.title.setText(f"Week of {date_span(monday, sunday)}")
        self._views = {v.session_id: v for d in data for v in d.sessions}
        total = len(self._views)
        self.note.setText(f"{total} session{'s' if total != 1 else ''} this week")
        self._set(week_content(data, self._chairs or [], self.desk.zone))

    def _set(self, content: GridContent) -> None:
        self.grid.set_content(
            content.columns,
            content.blocks,
            content.first_min,
            content.last_min,
            movable(self.desk, self._views.values()),
        )

    # -- clicks ----------------------------------------------------------------------------

    def open_session(self, session_id: int) -> None:
        view = self._views.get(session_id)
        if view is not None:
            SessionDialog.open_session(self.desk, view, self)

    def book_at(self, when: dt.datetime, chair_id: int | None) -> None:
        """A free place was clicked: book a session there (the dialog offers nearby slots)."""
        if self.mode == "week":
            self.show_day(when.astimezone(self.desk.zone).date())
            return
        SingleSessionDialog.ask(self.desk, None, near=when, chair_id=chair_id, parent=self)

    # -- moving ----------------------------------------------------------------------------

    def move_dropped(self, session_id: int, starts_at: dt.datetime, chair_id: int | None) -> None:
        """A session was dragged somewhere else: move it there if the rules allow (else it
        stays, and the strip says why)."""
        view = self._views.get(session_id)
        if view is not None:
            self.mover.move(view, starts_at, chair_id)

    def _someone_else(self) -> None:
        """Another staff member signed in: what they may drag, and no undo of another's move."""
        self.mover.forget()
        self.show_problem("")
        self._show()

    def show_problem(self, text: str) -> None:
        """Say why a move was refused in the strip above the grid ("" hides it)."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _keep_in_view(self, point: QPoint) -> None:
        """Scroll with a drag that reaches the edge of what is shown."""
        self.scroller.ensureVisible(point.x(), point.y(), 0, 24)
