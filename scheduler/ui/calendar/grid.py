"""The calendar's time grid: a hand-painted widget of columns (chairs or days) and session blocks.

The blocks are laid out once when a day is shown, and ``paintEvent`` draws only what intersects
the exposed rectangle, so moving by a day costs one paint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QToolTip, QWidget

from scheduler.domain.when import hour_label
from scheduler.ui.calendar.dragging import DropPlace, drop_label, drop_place, snapped

HEADER_H = 34
CHAIRS_H = 18  # the row naming each day's chairs under the week view's day titles
TOP_PAD = 10  # room above the first hour, so its label is not cut by the header
BOTTOM_PAD = 10  # and below the last one
MIN_TEXT_W = 44  # narrower blocks (a busy week) carry only the patient's name as it fits
HIGHLIGHT = QColor("#e8a200")  # the outline of the session just booked, moved or looked for
GUTTER_W = 64
MIN_PX_PER_MIN = 0.75
CLOSED_FILL = QColor("#e6e6e6")
CLOSURE_FILL = QColor("#f1dcdc")
GRID_LINE = QColor("#d8d8d8")
HOUR_LINE = QColor("#b8b8b8")


@dataclass(frozen=True)
class GridGroup:
    """A chair's share of a week-view day column, as a fraction of the column's width."""

    name: str
    left: float
    width: float
    chair_id: int | None = None  # None: the visits at home and by video (or a retired chair)


@dataclass(frozen=True)
class GridColumn:
    """One column of the grid: a chair on a day (day view) or a whole day (week view)."""

    title: str
    day: dt.date
    chair_id: int | None = None  # the chair a click books; None in the week view
    hours: tuple[dt.time, dt.time] | None = None  # None: closed all day
    closure: str | None = None  # why the clinic is closed that day
    groups: tuple[GridGroup, ...] = ()  # the week view: the day's chairs, named under the title
    whole_day: bool = False  # the week view: the column is a day of every chair


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
    share: tuple[float, float] = (0.0, 1.0)  # left and width in the column: the chair's group
    tooltip: str = ""  # rich text (HTML); the lines and details when empty
    chair_id: int | None = None  # the chair it takes; None for a visit at home or by video
    chair_name: str = ""  # the chair's name, or the kind of visit

    @property
    def end_min(self) -> float:
        """When the chair is free again: treatment, observation and turnover after the start."""
        return self.start_min + self.treatment_min + self.observation_min + self.buffer_min


@dataclass
class _Layout:
    first_min: int = 7 * 60
    last_min: int = 19 * 60
    columns: list[GridColumn] = field(default_factory=list)
    blocks: list[GridBlock] = field(default_factory=list)


class TimeGrid(QWidget):
    """A custom-painted time grid: columns of chairs (or days), blocks for sessions.

    A session that may move (``set_content``'s ``movable``) can be dragged: a ghost shows where
    it would land, snapped to ``slot_minutes``; letting go outside the grid, or
    ``cancel_drag`` (Esc), moves nothing.

    Signals:
        session_clicked(int): a session block was clicked; its session id.
        slot_clicked(object, object): an empty place was clicked: (aware UTC start, chair id or
            None), snapped to the slot grid.
        drag_started(int): a session's block began to be dragged; its session id.
        drag_moved(QPoint): the pointer moved during a drag (to keep it in view).
        session_dropped(int, object, object): a dragged session was let go somewhere else: its
            id, the aware UTC start and the chair id (None: a visit at home or by video).
    """

    session_clicked = Signal(int)
    slot_clicked = Signal(object, object)
    drag_started = Signal(int)
    drag_moved = Signal(QPoint)
    session_dropped = Signal(int, object, object)

    def __init__(self, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.slot_minutes = 15
        self._layout = _Layout()
        self.highlighted: int | None = None
        self._movable: frozenset[int] = frozenset()
        self._press: _Press | None = None
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
        movable: Collection[int] = (),
    ) -> None:
        """Show new columns and blocks; those of ``movable`` sessions can be dragged.

        A drag under way goes on if its session is still shown, else it stops.
        """
        self._layout = _Layout(first_min, last_min, list(columns), list(blocks))
        self._movable = frozenset(movable)
        press = self._press
        if press is not None:
            same = [b for b in blocks if b.session_id == press.block.session_id]
            if same and same[0].session_id in self._movable:
                press.block, press.place = same[0], None
            else:
                self.cancel_drag()
        self.updateGeometry()
        self.update()

    @property
    def columns(self) -> list[GridColumn]:
        return list(self._layout.columns)

    @property
    def blocks(self) -> list[GridBlock]:
        return list(self._layout.blocks)

    @property
    def movable(self) -> frozenset[int]:
        """The sessions whose blocks can be dragged."""
        return self._movable

    def sizeHint(self) -> QSize:
        minutes = self._layout.last_min - self._layout.first_min
        return QSize(
            GUTTER_W + 140 * max(1, len(self._layout.columns)),
            self._header_h() + TOP_PAD + BOTTOM_PAD + minutes,
        )

    def minimumSizeHint(self) -> QSize:
        minutes = self._layout.last_min - self._layout.first_min
        width = GUTTER_W + 90 * max(1, len(self._layout.columns))
        return QSize(width, self._header_h() + TOP_PAD + BOTTOM_PAD + int(minutes * MIN_PX_PER_MIN))

    # -- geometry --------------------------------------------------------------------------

    def _header_h(self) -> int:
        """The header: day or chair titles, and the week's row of chair names under them."""
        grouped = any(column.groups for column in self._layout.columns)
        return HEADER_H + (CHAIRS_H if grouped else 0)

    def _px_per_min(self) -> float:
        minutes = max(1, self._layout.last_min - self._layout.first_min)
        room = self.height() - self._header_h() - TOP_PAD - BOTTOM_PAD
        return max(MIN_PX_PER_MIN, room / minutes)

    def _col_width(self) -> float:
        return (self.width() - GUTTER_W) / max(1, len(self._layout.columns))

    def y_of(self, minute: float) -> float:
        return self._header_h() + TOP_PAD + (minute - self._layout.first_min) * self._px_per_min()

    def minute_at(self, y: float) -> float:
        return self._layout.first_min + (y - self._header_h() - TOP_PAD) / self._px_per_min()

    def block_rect(self, block: GridBlock) -> QRectF:
        """Where a block is drawn: treatment, observation and buffer stacked from its start."""
        column_w = self._col_width()
        share_left, share_w = block.share
        width = column_w * share_w
        pad = 3 if share_w >= 1 else 1  # a chair's share of a week day is narrow already
        lane_w = (width - 2 * pad) / block.lanes
        x = GUTTER_W + block.column * column_w + column_w * share_left + pad + block.lane * lane_w
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
        header_h = self._header_h()
        # Closed hours and closure days, column by column.
        for number, column in enumerate(lay.columns):
            left = GUTTER_W + number * width
            col_rect = QRectF(left, header_h, width, bottom - header_h)
            if not col_rect.intersects(QRectF(exposed)):
                continue
            if column.closure is not None or column.hours is None:
                painter.fillRect(col_rect, CLOSURE_FILL if column.closure else CLOSED_FILL)
                continue
            opens = column.hours[0].hour * 60 + column.hours[0].minute
            closes = column.hours[1].hour * 60 + column.hours[1].minute
            if opens > lay.first_min:
                painter.fillRect(
                    QRectF(left, header_h, width, self.y_of(opens) - header_h), CLOSED_FILL
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
            painter.drawLine(x, int(header_h), x, int(bottom))
        # Session blocks; one being dragged stays in place, faded, under its ghost.
        dragged = self.dragging
        for block in lay.blocks:
            rect = self.block_rect(block)
            if rect.intersects(QRectF(exposed)):
                behind = block.session_id == dragged
                self._paint_block(painter, block, rect, ppm, left_behind=behind)
        if self._press is not None and self._press.place is not None:
            self._paint_ghost(painter, self._press.block, self._press.place)
        # Header on top, so blocks never hide it.
        if exposed.top() < header_h:
            self._paint_header(painter, width)
        painter.end()

    def _paint_header(self, painter: QPainter, width: float) -> None:
        header_h = int(self._header_h())
        painter.fillRect(QRect(0, 0, self.width(), header_h), QColor("#f4f4f4"))
        painter.setPen(QPen(HOUR_LINE))
        painter.drawLine(0, header_h - 1, self.width(), header_h - 1)
        metrics = QFontMetrics(self._bold)
        for number, column in enumerate(self._layout.columns):
            rect = QRect(int(GUTTER_W + number * width) + 4, 0, int(width) - 8, HEADER_H)
            title = column.title if column.closure is None else f"{column.title} · closed"
            painter.setFont(self._bold)  # the chair names below are in the small font
            painter.setPen(QColor("#8a2f2f") if column.closure else QColor("#222222"))
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignCenter,
                metrics.elidedText(title, Qt.TextElideMode.ElideRight, rect.width()),
            )
            self._paint_chair_names(painter, column, GUTTER_W + number * width, width)
        if self._layout.columns and self._layout.columns[0].closure:
            column = self._layout.columns[0]
            painter.setFont(self._bold)
            painter.setPen(QColor("#8a2f2f"))
            painter.drawText(
                QRect(GUTTER_W, header_h + 8, self.width() - GUTTER_W, 20),
                Qt.AlignmentFlag.AlignCenter,
                f"Closed: {column.closure}" if all(c.closure for c in self._layout.columns) else "",
            )

    def _paint_chair_names(
        self, painter: QPainter, column: GridColumn, left: float, width: float
    ) -> None:
        """The week view's row under a day's title: each chair's name over its lanes."""
        painter.setFont(self._small)
        painter.setPen(QColor("#444444"))
        metrics = QFontMetrics(self._small)
        for group in column.groups:
            rect = QRectF(left + group.left * width, HEADER_H - 2, group.width * width, CHAIRS_H)
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignCenter,
                fitting_chair_name(group.name, metrics, int(rect.width()) - 2),
            )
        for group in column.groups[1:]:
            x = int(left + group.left * width)
            painter.setPen(QPen(GRID_LINE))
            painter.drawLine(x, HEADER_H, x, HEADER_H + CHAIRS_H - 4)

    def chair_names_shown(self, column: int) -> list[str]:
        """The chair names under a week-view day's title as drawn now (abbreviated to fit)."""
        metrics = QFontMetrics(self._small)
        width = self._col_width()
        return [
            fitting_chair_name(g.name, metrics, int(g.width * width) - 2)
            for g in self._layout.columns[column].groups
        ]

    def _paint_block(
        self, painter: QPainter, block: GridBlock, rect: QRectF, ppm: float, *, left_behind: bool
    ) -> None:
        faded = block.faded or left_behind
        base = QColor(block.colour)
        if faded:
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
        if block.session_id == self.highlighted:
            painter.setPen(QPen(HIGHLIGHT, 3))
            painter.drawRect(QRectF(rect.left(), rect.top(), rect.width(), treat_h + obs_h))
        # Text: the patient's name as it fits, then as many lines as fit below it.
        painter.setPen(QColor("white") if not faded else QColor("#333333"))
        line_h = QFontMetrics(self._small).height()
        room = int((treat_h + obs_h - 4) // line_h)
        narrow = rect.width() < MIN_TEXT_W
        inset = 1 if narrow else 4
        text_rect = QRectF(rect.left() + inset, rect.top() + 2, rect.width() - 2 * inset, line_h)
        painter.setFont(self._small if narrow else self._bold)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft, self.label_of(block))
        if narrow:
            return  # a busy week: the name tells blocks apart; the tooltip says the rest
        painter.setFont(self._small)
        painter.setPen(QColor("#1e1e1e"))
        metrics = QFontMetrics(self._small)
        for line in block.lines[1 : max(1, room)]:
            text_rect.translate(0, line_h)
            shown = metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(text_rect.width()))
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft, shown)

    def label_of(self, block: GridBlock) -> str:
        """The patient's name on a block as wide as it is drawn now: as much of it as fits."""
        width = self.block_rect(block).width()
        narrow = width < MIN_TEXT_W  # drawn in the small plain font, with less margin
        room = width - (2 if narrow else 8)
        name = block.lines[0] if block.lines else ""
        return fitting_name(name, QFontMetrics(self._small if narrow else self._bold), int(room))

    def set_highlight(self, session_id: int | None) -> None:
        """Outline one session's block (the one just booked, moved or looked for), or none."""
        self.highlighted = session_id
        self.update()

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
                QToolTip.showText(event.globalPos(), tooltip_of(block), self)
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.highlighted is not None:
            self.set_highlight(None)  # seen: the outline goes with the next click
        if self._press is not None:
            self.cancel_drag()  # another button during a drag: the drag is off
            return
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        point = event.position().toPoint()
        block = self.block_at(point)
        if block is not None:
            # A click opens the session on release; moving first drags it instead.
            self._press = _Press(block, point)
            return
        number = self._column_at(point)
        if number is None:
            return
        column = self._layout.columns[number]
        minute = int(self.minute_at(point.y()))
        minute -= minute % self.slot_minutes
        local = dt.datetime.combine(column.day, dt.time(minute // 60, minute % 60), self.zone)
        self.slot_clicked.emit(local.astimezone(dt.UTC), column.chair_id)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        press = self._press
        if press is None:
            super().mouseMoveEvent(event)
            return
        point = event.position().toPoint()
        if not press.dragging:
            if press.block.session_id not in self._movable:
                return
            if (point - press.at).manhattanLength() < QApplication.startDragDistance():
                return
            press.dragging = True
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            self.drag_started.emit(press.block.session_id)
        press.place = self._drop_place(press, point)
        self.drag_moved.emit(point)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press = self._press
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self._press = None
        if not press.dragging:
            if (event.position().toPoint() - press.at).manhattanLength() < (
                QApplication.startDragDistance()
            ):
                self.session_clicked.emit(press.block.session_id)
            return
        self.unsetCursor()
        self.update()
        place = press.place
        if place is None or place.is_where(press.block):
            return  # let go outside the grid, or where it was: nothing moves
        column = self._layout.columns[place.column]
        clock = dt.time(place.start_min // 60 % 24, place.start_min % 60)
        local = dt.datetime.combine(column.day, clock, self.zone)
        self.session_dropped.emit(press.block.session_id, local.astimezone(dt.UTC), place.chair_id)

    @property
    def dragging(self) -> int | None:
        """The session being dragged now, if any."""
        press = self._press
        return press.block.session_id if press is not None and press.dragging else None

    @property
    def drop_target(self) -> DropPlace | None:
        """Where the session being dragged would land now (None: nowhere, it would go back)."""
        return self._press.place if self._press is not None else None

    def cancel_drag(self) -> None:
        """Stop a drag (Esc, another button, the day redrawn from under it): nothing moves."""
        if self._press is None:
            return
        self._press = None
        self.unsetCursor()
        self.update()

    def _column_at(self, point: QPoint) -> int | None:
        """The column under a point of the time grid (not the header or the hours)."""
        if point.x() < GUTTER_W or not self._layout.columns:
            return None
        if not self._header_h() <= point.y() <= self.y_of(self._layout.last_min):
            return None
        number = int((point.x() - GUTTER_W) // self._col_width())
        return number if 0 <= number < len(self._layout.columns) else None

    def _drop_place(self, press: _Press, point: QPoint) -> DropPlace | None:
        """Where the dragged block would land with the pointer here: its top moved as far as
        the pointer, snapped to the clinic's slots; None outside the grid."""
        if not self.rect().contains(point):
            return None
        number = self._column_at(point)
        if number is None:
            return None
        lay = self._layout
        moved = (point.y() - press.at.y()) / self._px_per_min()
        start = snapped(
            press.block.start_min + moved, self.slot_minutes, lay.first_min, lay.last_min
        )
        width = self._col_width()
        across = (point.x() - GUTTER_W - number * width) / width
        return drop_place(press.block, lay.columns, number, across, start)

    def place_rect(self, block: GridBlock, place: DropPlace) -> QRectF:
        """Where the ghost of a dragged block is drawn: its treatment and observation."""
        column_w = self._col_width()
        share_left, share_w = place.share
        pad = 3 if share_w >= 1 else 1
        left = GUTTER_W + place.column * column_w + column_w * share_left + pad
        height = (block.treatment_min + block.observation_min) * self._px_per_min()
        return QRectF(left, self.y_of(place.start_min), column_w * share_w - 2 * pad - 2, height)

    def _paint_ghost(self, painter: QPainter, block: GridBlock, place: DropPlace) -> None:
        """The dragged session where it would land: an outline and a tag with the time and chair."""
        rect = self.place_rect(block, place)
        fill = QColor(block.colour)
        fill.setAlpha(70)
        painter.fillRect(rect, fill)
        painter.setPen(QPen(QColor(block.colour).darker(150), 2, Qt.PenStyle.DashLine))
        painter.drawRect(rect)
        label = drop_label(place, self._layout.columns)
        metrics = QFontMetrics(self._bold)
        tag = QRectF(0, 0, metrics.horizontalAdvance(label) + 10, metrics.height() + 4)
        # Above the ghost, inside the widget, readable however narrow the ghost is.
        tag.moveTo(
            max(GUTTER_W, min(rect.left(), self.width() - tag.width() - 2)),
            max(float(self._header_h()), rect.top() - tag.height() - 2),
        )
        painter.fillRect(tag, QColor("#1d3552"))
        painter.setFont(self._bold)
        painter.setPen(QColor("white"))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, label)


@dataclass
class _Press:
    """A block pressed with the left button: clicked on release, or dragged once moved."""

    block: GridBlock
    at: QPoint
    dragging: bool = False
    place: DropPlace | None = None


def tooltip_of(block: GridBlock) -> str:
    """What hovering a block shows: its rich tooltip, or its lines when it has none."""
    return block.tooltip or "\n".join(block.lines + block.details)


def fitting_name(name: str, metrics: QFontMetrics, width: int) -> str:
    """A patient's name in ``width`` pixels: in full, else "Dana K.", else "DK", else nothing."""
    words = name.split()
    choices = [name]
    if len(words) > 1:
        choices.append(f"{words[0]} {words[-1][0]}.")
    choices.append("".join(word[0] for word in words[:1] + words[1:][-1:]).upper())
    return next((c for c in choices if metrics.horizontalAdvance(c) <= width), "")


def fitting_chair_name(name: str, metrics: QFontMetrics, width: int) -> str:
    """A chair's name in ``width`` pixels: in full, else "C1" for "Chair 1", "Spr" for
    "Spravato room" ("Home" for "Home / video"), else its first letter."""
    words = name.split()
    if not words:
        return ""
    numbered = len(words) > 1 and words[-1].isdigit()
    short = words[0][0] + words[-1] if numbered else words[0][: 4 if len(words[0]) == 4 else 3]
    choices = [name, short, short[:1]]
    return next((c for c in choices if metrics.horizontalAdvance(c) <= width), "")
