"""The calendar: chairs and rooms on a time grid for a day, and the whole week at a glance.

The grid is painted by hand (``TimeGrid``): the blocks are laid out once when a day is shown,
and ``paintEvent`` draws only what intersects the exposed rectangle, so moving by a day costs a
query (cached per day) and one paint.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.enums import Place, SessionStatus
from scheduler.domain.when import date_span, hour_label, long_date, short_day, time_range
from scheduler.services import schedule
from scheduler.services.changes import Change
from scheduler.ui.desk import Desk
from scheduler.ui.session_dialog import SessionDialog
from scheduler.ui.session_models import SessionLike
from scheduler.ui.single_session_dialog import SingleSessionDialog

SHOWS = Change.SESSIONS | Change.PATIENTS | Change.STAFF | Change.CLOSURES | Change.SETTINGS
HEADER_H = 34
TOP_PAD = 10  # room above the first hour, so its label is not cut by the header
BOTTOM_PAD = 10  # and below the last one
MIN_TEXT_W = 44  # narrower blocks (a busy week) carry no text; their tooltip tells
GUTTER_W = 64
MIN_PX_PER_MIN = 0.75
DEFAULT_SPAN = (dt.time(7, 0), dt.time(19, 0))
DAYS_KEPT = 62  # about two months of days moved through stay loaded; older ones are read again
CLOSED_FILL = QColor("#e6e6e6")
CLOSURE_FILL = QColor("#f1dcdc")
GRID_LINE = QColor("#d8d8d8")
HOUR_LINE = QColor("#b8b8b8")


@dataclass(frozen=True)
class GridColumn:
    """One column of the grid: a chair on a day (day view) or a whole day (week view)."""

    title: str
    day: dt.date
    chair_id: int | None = None  # the chair a click books; None in the week view
    hours: tuple[dt.time, dt.time] | None = None  # None: closed all day
    closure: str | None = None  # why the clinic is closed that day


@dataclass(frozen=True)
class GridBlock:
    """A session laid out on the grid, in minutes since midnight of its column's day."""

    session_id: int
    column: int
    start_min: float
    treatment_min: float
    observation_min: float
    buffer_min: float
    colour: str
    lines: tuple[str, ...]
    lane: int = 0
    lanes: int = 1
    faded: bool = False
    details: tuple[str, ...] = ()  # shown in the tooltip only


@dataclass
class _Layout:
    first_min: int = 7 * 60
    last_min: int = 19 * 60
    columns: list[GridColumn] = field(default_factory=list)
    blocks: list[GridBlock] = field(default_factory=list)


class TimeGrid(QWidget):
    """A custom-painted time grid: columns of chairs (or days), blocks for sessions.

    Signals:
        session_clicked(int): a session block was clicked; its session id.
        slot_clicked(object, object): an empty place was clicked: (aware UTC start, chair id or
            None), snapped to the slot grid.
    """

    session_clicked = Signal(int)
    slot_clicked = Signal(object, object)

    def __init__(self, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.slot_minutes = 15
        self._layout = _Layout()
        self.setMouseTracking(False)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._small = QFont(self.font())
        self._small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1.5))
        self._bold = QFont(self._small)
        self._bold.setBold(True)

    # -- content ---------------------------------------------------------------------------

    def set_content(
        self,
        columns: Sequence[GridColumn],
        blocks: Sequence[GridBlock],
        first_min: int,
        last_min: int,
    ) -> None:
        self._layout = _Layout(first_min, last_min, list(columns), list(blocks))
        self.updateGeometry()
        self.update()

    @property
    def columns(self) -> list[GridColumn]:
        return list(self._layout.columns)

    @property
    def blocks(self) -> list[GridBlock]:
        return list(self._layout.blocks)

    def sizeHint(self) -> QSize:
        minutes = self._layout.last_min - self._layout.first_min
        return QSize(
            GUTTER_W + 140 * max(1, len(self._layout.columns)),
            HEADER_H + TOP_PAD + BOTTOM_PAD + minutes,
        )

    def minimumSizeHint(self) -> QSize:
        minutes = self._layout.last_min - self._layout.first_min
        width = GUTTER_W + 90 * max(1, len(self._layout.columns))
        return QSize(width, HEADER_H + TOP_PAD + BOTTOM_PAD + int(minutes * MIN_PX_PER_MIN))

    # -- geometry --------------------------------------------------------------------------

    def _px_per_min(self) -> float:
        minutes = max(1, self._layout.last_min - self._layout.first_min)
        return max(MIN_PX_PER_MIN, (self.height() - HEADER_H - TOP_PAD - BOTTOM_PAD) / minutes)

    def _col_width(self) -> float:
        return (self.width() - GUTTER_W) / max(1, len(self._layout.columns))

    def y_of(self, minute: float) -> float:
        return HEADER_H + TOP_PAD + (minute - self._layout.first_min) * self._px_per_min()

    def minute_at(self, y: float) -> float:
        return self._layout.first_min + (y - HEADER_H - TOP_PAD) / self._px_per_min()

    def block_rect(self, block: GridBlock) -> QRectF:
        """Where a block is drawn: treatment, observation and buffer stacked from its start."""
        width = self._col_width()
        lane_w = (width - 6) / block.lanes
        x = GUTTER_W + block.column * width + 3 + block.lane * lane_w
        top = self.y_of(block.start_min)
        total = block.treatment_min + block.observation_min + block.buffer_min
        return QRectF(x, top, lane_w - 2, total * self._px_per_min())

    def point_of(self, when: dt.datetime, column: int) -> QPoint:
        """The pixel at a moment in a column (for tests that click as a user would)."""
        local = when.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        x = GUTTER_W + (column + 0.5) * self._col_width()
        return QPoint(int(x), int(self.y_of(minute) + 2))

    # -- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        exposed = event.rect()
        painter = QPainter(self)
        painter.fillRect(exposed, QColor("white"))
        lay = self._layout
        width = self._col_width()
        ppm = self._px_per_min()
        bottom = self.y_of(lay.last_min)
        # Closed hours and closure days, column by column.
        for number, column in enumerate(lay.columns):
            left = GUTTER_W + number * width
            col_rect = QRectF(left, HEADER_H, width, bottom - HEADER_H)
            if not col_rect.intersects(QRectF(exposed)):
                continue
            if column.closure is not None or column.hours is None:
                painter.fillRect(col_rect, CLOSURE_FILL if column.closure else CLOSED_FILL)
                continue
            opens = column.hours[0].hour * 60 + column.hours[0].minute
            closes = column.hours[1].hour * 60 + column.hours[1].minute
            if opens > lay.first_min:
                painter.fillRect(
                    QRectF(left, HEADER_H, width, self.y_of(opens) - HEADER_H), CLOSED_FILL
                )
            if closes < lay.last_min:
                painter.fillRect(
                    QRectF(left, self.y_of(closes), width, bottom - self.y_of(closes)),
                    CLOSED_FILL,
                )
        # Time lines and the gutter.
        painter.setFont(self._small)
        step = 30 if ppm * 30 >= 14 else 60
        minute = lay.first_min - lay.first_min % step
        while minute <= lay.last_min:
            y = self.y_of(minute)
            if exposed.top() - 20 <= y <= exposed.bottom() + 20 and minute >= lay.first_min:
                hour_mark = minute % 60 == 0
                painter.setPen(QPen(HOUR_LINE if hour_mark else GRID_LINE))
                painter.drawLine(GUTTER_W, int(y), self.width(), int(y))
                if hour_mark:
                    painter.setPen(QColor("#555555"))
                    label = hour_label(dt.time(minute // 60 % 24, 0))
                    painter.drawText(
                        QRect(0, int(y) - 8, GUTTER_W - 8, 16),
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                        label,
                    )
            minute += step
        # Column separators.
        painter.setPen(QPen(HOUR_LINE))
        for number in range(len(lay.columns) + 1):
            x = int(GUTTER_W + number * width)
            painter.drawLine(x, HEADER_H, x, int(bottom))
        # Session blocks.
        for block in lay.blocks:
            rect = self.block_rect(block)
            if rect.intersects(QRectF(exposed)):
                self._paint_block(painter, block, rect, ppm)
        # Header on top, so blocks never hide it.
        if exposed.top() < HEADER_H:
            self._paint_header(painter, width)
        painter.end()

    def _paint_header(self, painter: QPainter, width: float) -> None:
        painter.fillRect(QRect(0, 0, self.width(), HEADER_H), QColor("#f4f4f4"))
        painter.setPen(QPen(HOUR_LINE))
        painter.drawLine(0, HEADER_H - 1, self.width(), HEADER_H - 1)
        painter.setFont(self._bold)
        metrics = QFontMetrics(self._bold)
        for number, column in enumerate(self._layout.columns):
            rect = QRect(int(GUTTER_W + number * width) + 4, 0, int(width) - 8, HEADER_H)
            title = column.title if column.closure is None else f"{column.title} · closed"
            painter.setPen(QColor("#8a2f2f") if column.closure else QColor("#222222"))
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignCenter,
                metrics.elidedText(title, Qt.TextElideMode.ElideRight, rect.width()),
            )
        if self._layout.columns and self._layout.columns[0].closure:
            column = self._layout.columns[0]
            painter.setPen(QColor("#8a2f2f"))
            painter.drawText(
                QRect(GUTTER_W, HEADER_H + 8, self.width() - GUTTER_W, 20),
                Qt.AlignmentFlag.AlignCenter,
                f"Closed: {column.closure}" if all(c.closure for c in self._layout.columns) else "",
            )

    def _paint_block(self, painter: QPainter, block: GridBlock, rect: QRectF, ppm: float) -> None:
        base = QColor(block.colour)
        if block.faded:
            base.setAlpha(90)
        treat_h = block.treatment_min * ppm
        obs_h = block.observation_min * ppm
        buf_h = block.buffer_min * ppm
        treat = QRectF(rect.left(), rect.top(), rect.width(), treat_h)
        obs = QRectF(rect.left(), rect.top() + treat_h, rect.width(), obs_h)
        buf = QRectF(rect.left(), rect.top() + treat_h + obs_h, rect.width(), buf_h)
        painter.fillRect(treat, base)
        light = QColor(base)
        light = light.lighter(155)
        painter.fillRect(obs, light)
        painter.fillRect(buf, QBrush(QColor("#a0a0a0"), Qt.BrushStyle.BDiagPattern))
        painter.setPen(QPen(base.darker(140), 1))
        painter.drawRect(QRectF(rect.left(), rect.top(), rect.width(), treat_h + obs_h))
        # Text: as many lines as fit in the treatment and observation parts.
        painter.setPen(QColor("white") if not block.faded else QColor("#333333"))
        metrics = QFontMetrics(self._small)
        line_h = metrics.height()
        room = int((treat_h + obs_h - 4) // line_h)
        if rect.width() < MIN_TEXT_W:
            # A busy week: the patient's initials still tell blocks apart; the tooltip says all.
            initials = _initials(block.lines[0]) if block.lines else ""
            if initials and metrics.horizontalAdvance(initials) <= rect.width() - 2:
                painter.setFont(self._small)
                painter.drawText(
                    QRectF(rect.left(), rect.top() + 2, rect.width(), line_h),
                    Qt.AlignmentFlag.AlignHCenter,
                    initials,
                )
            return
        text_rect = QRectF(rect.left() + 4, rect.top() + 2, rect.width() - 8, line_h)
        for number, line in enumerate(block.lines[: max(1, room)]):
            painter.setFont(self._bold if number == 0 else self._small)
            if number > 0:
                painter.setPen(QColor("#1e1e1e"))
            shown = metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(text_rect.width()))
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft, shown)
            text_rect.translate(0, line_h)

    # -- mouse -----------------------------------------------------------------------------

    def block_at(self, point: QPoint) -> GridBlock | None:
        for block in reversed(self._layout.blocks):
            rect = self.block_rect(block)
            visible = QRectF(
                rect.left(),
                rect.top(),
                rect.width(),
                (block.treatment_min + block.observation_min) * self._px_per_min(),
            )
            if visible.contains(point.toPointF()):
                return block
        return None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            block = self.block_at(event.pos())
            if block is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), "\n".join(block.lines + block.details), self)
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        point = event.position().toPoint()
        block = self.block_at(point)
        if block is not None:
            self.session_clicked.emit(block.session_id)
            return
        if point.x() < GUTTER_W or point.y() < HEADER_H or not self._layout.columns:
            return
        number = int((point.x() - GUTTER_W) // self._col_width())
        if not 0 <= number < len(self._layout.columns):
            return
        column = self._layout.columns[number]
        minute = int(self.minute_at(point.y()))
        minute -= minute % self.slot_minutes
        local = dt.datetime.combine(column.day, dt.time(minute // 60, minute % 60), self.zone)
        self.slot_clicked.emit(local.astimezone(dt.UTC), column.chair_id)


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


@dataclass(frozen=True)
class ChairInfo:
    chair_id: int
    name: str


@dataclass(frozen=True)
class DayData:
    """What the calendar knows about one day: fetched once, kept until something changes."""

    day: dt.date
    sessions: tuple[SessionLike, ...]
    hours: tuple[dt.time, dt.time] | None
    closure: str | None


def load_days(desk: Desk, days: Sequence[dt.date]) -> tuple[list[ChairInfo], list[DayData]]:
    """The chairs and the given days' sessions, hours and closures, in one read.

    The sessions of all the days come from one query over their span (a week is one query, not
    seven), and the clinic's hours and closures are read once.
    """

    def load(db: Session) -> tuple[list[ChairInfo], list[DayData]]:
        chairs = [ChairInfo(c.chair_id, c.name) for c in schedule.chairs(db)]
        if not days:
            return chairs, []
        calendar = schedule.clinic_calendar(db, names=False)
        by_day: dict[dt.date, list[SessionLike]] = {day: [] for day in days}
        found = schedule.sessions_on_days(
            db, min(days), max(days), include_cancelled=False, zone=calendar.zone
        )
        for view in found:
            by_day.get(calendar.local_day(view.starts_at), []).append(view)
        result = [
            DayData(day, tuple(by_day[day]), calendar.hours_on(day), calendar.closures.get(day))
            for day in days
        ]
        return chairs, result

    return desk.read(load)


def _initials(name: str) -> str:
    """ "William Thompson" -> "WT": what a narrow week-view block has room for."""
    return "".join(word[0] for word in name.split()[:2] if word).upper()


def session_block(view: SessionLike, column: int, zone: ZoneInfo) -> GridBlock:
    local = view.starts_at.astimezone(zone)
    end = view.ends_at.astimezone(zone)
    times = time_range(local, end)
    therapy = view.therapy_name + (f" · {view.progress}" if view.progress else "")
    return GridBlock(
        session_id=view.session_id,
        column=column,
        start_min=local.hour * 60 + local.minute,
        treatment_min=view.treatment_minutes,
        observation_min=view.observation_minutes,
        buffer_min=view.buffer_minutes,
        colour=view.therapy_colour,
        lines=(view.patient_name, therapy, times),
        faded=view.status == SessionStatus.COMPLETED.value,
        details=(view.chair_name or Place(view.place).label, SessionStatus(view.status).label),
    )


def with_lanes(blocks: list[GridBlock]) -> list[GridBlock]:
    """Side by side where sessions overlap in one column (the week view's day columns)."""
    out: list[GridBlock] = []
    by_column: dict[int, list[GridBlock]] = {}
    for block in blocks:
        by_column.setdefault(block.column, []).append(block)
    for column_blocks in by_column.values():
        column_blocks.sort(key=lambda b: (b.start_min, b.session_id))
        clusters: list[list[tuple[GridBlock, int]]] = []
        widths: list[int] = []
        lane_ends: list[float] = []
        cluster_end = -1.0
        for block in column_blocks:
            end = block.start_min + block.treatment_min + block.observation_min + block.buffer_min
            if not clusters or block.start_min >= cluster_end:
                clusters.append([])
                widths.append(1)
                lane_ends = []
                cluster_end = end
            lane = next((n for n, e in enumerate(lane_ends) if e <= block.start_min), None)
            if lane is None:
                lane = len(lane_ends)
                lane_ends.append(end)
            else:
                lane_ends[lane] = end
            clusters[-1].append((block, lane))
            widths[-1] = max(widths[-1], len(lane_ends))
            cluster_end = max(cluster_end, end)
        for cluster, lanes in zip(clusters, widths, strict=True):
            out.extend(replace(b, lane=lane, lanes=lanes) for b, lane in cluster)
    return out


class CalendarScreen(QWidget):
    """Day and week views of the clinic's chairs, moved by keyboard or buttons.

    Keys: Left/Right a day (a week in the week view), PageUp/PageDown a week, T today,
    D day view, W week view. Clicking a session opens it; clicking a free place books there.
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

        bar = QHBoxLayout()
        for widget in (self.prev_button, self.today_button, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.note)
        bar.addSpacing(12)
        bar.addWidget(self.day_button)
        bar.addWidget(self.week_button)
        legend = QLabel(
            "Solid: treatment · light: observation · hatched: chair turnover · "
            "grey: closed. Click a free place to book, a session to open it."
        )
        legend.setObjectName("note")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(legend)

        self.prev_button.clicked.connect(lambda: self.move_by(-1))
        self.next_button.clicked.connect(lambda: self.move_by(1))
        self.today_button.clicked.connect(self.go_today)
        self.day_button.clicked.connect(lambda: self.show_day(self.day))
        self.week_button.clicked.connect(lambda: self.show_week(self.day))
        self.grid.session_clicked.connect(self.open_session)
        self.grid.slot_clicked.connect(self.book_at)
        desk.follow(SHOWS, self.refresh, self)
        self._show()

    # -- navigation ------------------------------------------------------------------------

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

    def _span(self, data: Sequence[DayData]) -> tuple[int, int]:
        first, last = _minutes(DEFAULT_SPAN[0]), _minutes(DEFAULT_SPAN[1])
        for item in data:
            if item.hours is not None:
                first = min(first, _minutes(item.hours[0]) - 60)
                last = max(last, _minutes(item.hours[1]) + 60)
        for block in self.grid.blocks:
            first = min(first, int(block.start_min) // 60 * 60)
            end = block.start_min + block.treatment_min + block.observation_min + block.buffer_min
            last = max(last, int(end + 59) // 60 * 60)
        return max(0, first), min(24 * 60, last)

    def _show_day(self) -> None:
        day = self.day
        (data,) = self._fetch([day])
        chairs = self._chairs or []
        self.title.setText(long_date(day))
        columns = [GridColumn(c.name, day, c.chair_id, data.hours, data.closure) for c in chairs]
        index = {c.chair_id: n for n, c in enumerate(chairs)}
        if any(v.chair_id not in index for v in data.sessions):
            columns.append(GridColumn("Home / video", day, None, data.hours, data.closure))
        if not columns:
            columns.append(GridColumn("No chairs set up", day, None, data.hours, data.closure))
        blocks = [
            session_block(
                v, index.get(v.chair_id, len(chairs)) if v.chair_id else len(chairs), self.desk.zone
            )
            for v in data.sessions
        ]
        self._views = {v.session_id: v for v in data.sessions}
        live = len(data.sessions)
        if data.closure is not None:
            self.note.setText(f"Closed: {data.closure}")
        elif data.hours is None:
            self.note.setText("Closed all day")
        else:
            self.note.setText(f"{live} session{'s' if live != 1 else ''}")
        self._set(columns, with_lanes(blocks), [data])

    def _show_week(self) -> None:
        monday = self.day - dt.timedelta(days=self.day.weekday())
        days = [monday + dt.timedelta(days=n) for n in range(7)]
        data = self._fetch(days)
        sunday = days[-1]
        self.title.setText(f"Week of {date_span(monday, sunday)}")
        columns = [GridColumn(short_day(d.day), d.day, None, d.hours, d.closure) for d in data]
        blocks = [
            session_block(v, number, self.desk.zone)
            for number, d in enumerate(data)
            for v in d.sessions
        ]
        self._views = {v.session_id: v for d in data for v in d.sessions}
        total = len(self._views)
        self.note.setText(f"{total} session{'s' if total != 1 else ''} this week")
        self._set(columns, with_lanes(blocks), data)

    def _set(
        self, columns: list[GridColumn], blocks: list[GridBlock], data: Sequence[DayData]
    ) -> None:
        self.grid.set_content(columns, blocks, 0, 24 * 60)
        first, last = self._span(data)
        self.grid.set_content(columns, blocks, first, last)

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
