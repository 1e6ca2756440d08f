"""A readable week: chairs named under each day, names as they fit, rich tooltips, the session
just booked outlined, and "Show in calendar" from a patient's course and from Today."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from scheduler.services.booking import book_series, book_single
from scheduler.services.schedule import sessions_on_day
from scheduler.store import Database
from scheduler.ui.calendar import CalendarScreen
from scheduler.ui.calendar.grid import (
    GUTTER_W,
    HIGHLIGHT,
    GridBlock,
    GridColumn,
    TimeGrid,
    fitting_chair_name,
    fitting_name,
    tooltip_of,
)
from scheduler.ui.main_window import CALENDAR, MainWindow
from scheduler.ui.qt_dates import to_qdatetime
from scheduler.ui.session_dialog import SessionDialog
from scheduler.ui.single_session_dialog import SingleSessionDialog
from scheduler.ui.today_screen import TodayScreen
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import Clinic, propose, set_up_test_clinic
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)
TODAY = NOW.astimezone(ZONE).date()  # Monday 16 November 2026
WED = dt.date(2026, 11, 18)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE).astimezone(dt.UTC)


@pytest.fixture
def clinic(db: Database) -> Clinic:
    return set_up_test_clinic(db)


@pytest.fixture
def booked(db: Database, clinic: Clinic) -> dict[str, int]:
    """Zoë's IV induction from Wed 18 Nov at 10:00 in a chair, and Ann today at 11:00."""
    with db.transaction() as s:
        series = book_series(s, propose(s, clinic), actor=ACTOR, now=NOW)
        ann = book_single(
            s, patient_id=clinic.other_patient, protocol_id=clinic.iv_single,
            starts_at=at(TODAY, 11), chair_id=clinic.chairs[1], actor=ACTOR, now=NOW,
        )  # fmt: skip
        s.flush()
        first = min(series.sessions, key=lambda x: x.starts_at)
        return {"first": first.id, "ann": ann.id}


@pytest.fixture
def screen(qtbot: QtBot, desk: TestDesk, booked: dict[str, int]) -> CalendarScreen:
    widget = CalendarScreen(desk)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def block_of(grid: TimeGrid, session_id: int) -> GridBlock:
    return next(b for b in grid.blocks if b.session_id == session_id)


def test_the_week_names_each_days_chairs_under_the_day(
    screen: CalendarScreen, clinic: Clinic
) -> None:
    screen.show_week(TODAY)
    columns = screen.grid.columns
    assert [[g.name for g in c.groups] for c in columns[:3]] == [["Chair 2"], [], ["Chair 1"]]
    assert screen.grid.chair_names_shown(0) == ["Chair 2"]
    # Ann today sits in Chair 2's share of Monday, which is the whole day: no one else is in.
    ann = next(b for b in screen.grid.blocks if b.column == 0)
    assert ann.share == (0.0, 1.0)
    # The sub-header row lies below the day titles and above the first hour.
    image = screen.grid.grab().toImage()
    assert image.pixelColor(screen.grid.point_of(at(TODAY, 7, 30), 1)) != QColor("#f4f4f4")


def test_chair_names_shorten_to_fit() -> None:
    metrics = QFontMetrics(TimeGrid(ZONE).font())
    assert fitting_chair_name("Chair 1", metrics, 200) == "Chair 1"
    assert fitting_chair_name("Chair 1", metrics, metrics.horizontalAdvance("C1")) == "C1"
    assert fitting_chair_name("Spravato room", metrics, metrics.horizontalAdvance("Spr")) == "Spr"
    assert fitting_chair_name("Home / video", metrics, metrics.horizontalAdvance("Home")) == "Home"


def test_a_blocks_label_is_the_full_name_when_wide_and_initials_when_narrow(
    qtbot: QtBot,
) -> None:
    grid = TimeGrid(ZONE)
    qtbot.addWidget(grid)
    block = GridBlock(1, 0, 600, 45, 45, 15, "#3b7dd8", ("Dana Kowalski", "IV", "10:00 AM"))
    grid.set_content([GridColumn("Chair 1", TODAY)], [block], 7 * 60, 19 * 60)
    grid.resize(800, 700)
    assert grid.label_of(block) == "Dana Kowalski"
    grid.resize(GUTTER_W + 30, 700)
    assert grid.label_of(block) == "DK"
    metrics = QFontMetrics(grid.font())
    assert fitting_name("Dana Kowalski", metrics, metrics.horizontalAdvance("Dana K.")) in (
        "Dana K.",
    )
    assert fitting_name("Dana Kowalski", metrics, 1) == ""


def test_every_block_has_a_rich_tooltip(qtbot: QtBot, screen: CalendarScreen) -> None:
    screen.show_week(WED)
    first = next(b for b in screen.grid.blocks if b.column == 2)
    text = tooltip_of(first)
    assert text.startswith("<qt><b>Zoë")
    for part in ("IV ketamine infusion, 1 of 6", "10:00", "Chair 1", "Booked", "Driver:"):
        assert part in text, part
    # Hovering shows it.
    point = screen.grid.block_rect(first).center().toPoint()
    QApplication.sendEvent(
        screen.grid, QHelpEvent(QEvent.Type.ToolTip, point, screen.grid.mapToGlobal(point))
    )
    assert "1 of 6" in QToolTip.text()


def test_the_session_just_booked_is_shown_outlined(
    qtbot: QtBot, desk: TestDesk, screen: CalendarScreen, clinic: Clinic
) -> None:
    screen.move_by(5)  # the calendar is elsewhere
    dialog = SingleSessionDialog(desk, clinic.patient, near=at(TODAY, 14), chair_id=None)
    qtbot.addWidget(dialog)
    dialog.protocol.setCurrentIndex(dialog.protocol.findText("IV ketamine single infusion"))
    slot = dialog.slots.row_at(0)
    dialog.table.selectRow(0)
    session_id = dialog.book()
    assert session_id is not None
    assert screen.day == slot.starts_at.astimezone(ZONE).date()
    assert screen.grid.highlighted == session_id
    rect = screen.grid.block_rect(block_of(screen.grid, session_id))
    image = screen.grid.grab().toImage()
    assert image.pixelColor(int(rect.left()), int(rect.center().y())) == HIGHLIGHT
    # The next click takes the outline away.
    qtbot.mouseClick(screen.grid, Qt.MouseButton.RightButton, pos=QPoint(5, 5))
    assert screen.grid.highlighted is None


def test_show_in_calendar_from_a_patients_course(
    qtbot: QtBot, clinic: Clinic, booked: dict[str, int], window: MainWindow
) -> None:
    window.open_on_patients(clinic.patient)
    patients = window.patients_screen()
    patients.sessions.selectRow(0)
    patients.show_in_calendar.trigger()
    assert window.current_index() == CALENDAR
    calendar = window.current_screen()
    assert isinstance(calendar, CalendarScreen)
    assert calendar.day == WED
    assert calendar.grid.highlighted == booked["first"]
    assert booked["first"] in {b.session_id for b in calendar.grid.blocks}


def test_show_in_calendar_from_today(
    qtbot: QtBot, booked: dict[str, int], window: MainWindow
) -> None:
    today = window.screen_at(0)
    assert isinstance(today, TodayScreen)
    assert today.select_session(booked["ann"])
    calendar = window.screen_at(CALENDAR)
    assert isinstance(calendar, CalendarScreen)
    calendar.move_by(9)
    today.show_in_calendar.trigger()
    assert window.current_screen() is calendar
    assert calendar.day == TODAY
    assert calendar.grid.highlighted == booked["ann"]


def test_the_session_just_moved_is_shown_outlined(
    qtbot: QtBot, desk: TestDesk, screen: CalendarScreen, booked: dict[str, int]
) -> None:
    (view,) = (
        v for v in desk.read(lambda s: sessions_on_day(s, TODAY)) if v.session_id == booked["ann"]
    )
    dialog = SessionDialog(desk, view)
    qtbot.addWidget(dialog)
    dialog.near.setDateTime(to_qdatetime(at(TODAY + dt.timedelta(days=1), 13), ZONE))
    dialog.find_slots()
    slot = dialog.chosen_slot()
    assert slot is not None
    assert dialog.move_to_chosen()
    assert screen.day == slot.starts_at.astimezone(ZONE).date() != TODAY
    assert screen.grid.highlighted == booked["ann"]
