"""Today for any day: the arrows, the date field and Ctrl+T, the late flag, the current-time
line and the Cautions column, driven as the desk would."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from pytestqt.qtbot import QtBot

from scheduler.domain.enums import FindingSeverity
from scheduler.services.booking import book_single
from scheduler.store import Database
from scheduler.ui.escort_dialog import EscortAnswer, EscortDialog
from scheduler.ui.session_models import TodaySessionsModel
from scheduler.ui.today_screen import NOW_LINE, TodayScreen
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import IV_SINGLE, add_chairs, add_finding, make_patient, protocol_id
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)
TODAY = NOW.astimezone(ZONE).date()  # Monday, November 16, 2026
TOMORROW = TODAY + dt.timedelta(days=1)
COLS = TodaySessionsModel


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE).astimezone(dt.UTC)


@pytest.fixture
def booked(db: Database) -> dict[str, int]:
    """Zoë at 11:00 and Ben at 1:00 PM today (Ben with two findings), Ada tomorrow at 10:00."""
    with db.transaction() as s:
        add_chairs(s, 2)
        zoe = make_patient(s, first_name="Zoë", last_name="Łukasiewicz", driver_name="Sam Lee")
        ben = make_patient(s, first_name="Ben", last_name="Okafor")
        ada = make_patient(s, first_name="Ada", last_name="Byrne")
        single = protocol_id(s, IV_SINGLE)
        ids = {
            name: book_single(
                s, patient_id=patient, protocol_id=single, starts_at=when, chair_id=None,
                actor=ACTOR, now=NOW,
            ).id
            for name, patient, when in (
                ("zoe", zoe, at(TODAY, 11)),
                ("ben", ben, at(TODAY, 13)),
                ("ada", ada, at(TOMORROW, 10)),
            )
        }  # fmt: skip
        # Found after booking: a contraindication still open, and a caution.
        pressure = add_finding(s, ben, "uncontrolled_hypertension")
        pressure.detail = "BP 170/105 at the last visit"
        benzo = add_finding(s, ben, "benzodiazepines", severity=FindingSeverity.CAUTION)
        benzo.detail = "Lorazepam 0.5 mg at night"
        s.flush()
        return ids


@pytest.fixture
def screen(qtbot: QtBot, desk: TestDesk, booked: dict[str, int]) -> TodayScreen:
    widget = TodayScreen(desk)
    qtbot.addWidget(widget)
    widget.resize(1366, 820)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def cell(screen: TodayScreen, row: int, column: int, role: int = 0) -> object:
    return screen.model.data(screen.model.index(row, column), role)


def test_arrows_date_field_and_ctrl_t_show_any_day(
    qtbot: QtBot, screen: TodayScreen, booked: dict[str, int]
) -> None:
    assert screen.title.text() == "Today — Monday, November 16, 2026"
    assert screen.model.rowCount() == 2
    assert not screen.today_button.isEnabled()

    qtbot.mouseClick(screen.next_day, Qt.MouseButton.LeftButton)
    assert screen.day == TOMORROW
    assert screen.title.text() == "Tuesday, November 17, 2026"
    assert screen.date_edit.text() == "Tue 11/17/2026"
    assert [r.view.session_id for r in screen.model.rows()] == [booked["ada"]]
    # Tomorrow's patient can be confirmed or cancelled, not checked in, completed or missed.
    assert screen.selected_view() is not None
    enabled = {key for key, button in screen.buttons.items() if button.isEnabled()}
    assert enabled == {"open", "confirm", "cancel"}
    assert screen.day_sheet_button.isEnabled()

    qtbot.mouseClick(screen.previous_day, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.previous_day, Qt.MouseButton.LeftButton)
    assert screen.title.text() == "Sunday, November 15, 2026"
    assert screen.empty.isVisible()
    assert not screen.table.isVisible()
    assert screen.empty.text() == "No sessions on Sunday, November 15, 2026."

    screen.date_edit.setDate(screen.date_edit.date().addDays(8))
    assert screen.day == dt.date(2026, 11, 23)
    assert screen.title.text() == "Monday, November 23, 2026"

    screen.table.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert screen.day == TODAY
    assert screen.title.text() == "Today — Monday, November 16, 2026"
    assert screen.date_edit.text() == "Mon 11/16/2026"
    assert screen.buttons["check_in"].isEnabled()


def test_late_flag_appears_as_the_clock_passes_ten_minutes_after_the_start(
    qtbot: QtBot, screen: TodayScreen, desk: TestDesk
) -> None:
    assert screen.clock.interval() == 60_000
    assert screen.clock.isActive()
    screen.clock.setInterval(20)  # the minute, shortened for the test
    desk.clock_now = at(TODAY, 11, 9)
    qtbot.wait(60)
    assert cell(screen, 0, COLS.COL_STATUS) == "Booked"

    desk.clock_now = at(TODAY, 11, 12)
    qtbot.waitUntil(lambda: cell(screen, 0, COLS.COL_STATUS) == "Late")
    tooltip = cell(screen, 0, COLS.COL_STATUS, Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "Not checked in, 12 minutes after the start"
    brush = cell(screen, 0, COLS.COL_STATUS, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush)
    assert brush.color() == QColor("#c62828")
    assert cell(screen, 1, COLS.COL_STATUS) == "Booked"  # Ben is not due until 1:00 PM

    # Another day has no clock: nobody there is late.
    screen.show_day(TOMORROW + dt.timedelta(days=6))
    screen.show_day(TODAY - dt.timedelta(days=7))
    assert screen.model.now is None


def test_checked_in_patient_is_no_longer_late(
    qtbot: QtBot,
    screen: TodayScreen,
    desk: TestDesk,
    booked: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk.clock_now = at(TODAY, 11, 20)
    screen.tick()
    assert cell(screen, 0, COLS.COL_STATUS) == "Late"
    screen.select_session(booked["zoe"])
    with qtbot.waitSignal(desk.changed):
        screen.buttons["confirm"].click()
    assert cell(screen, 0, COLS.COL_STATUS) == "Late"  # confirmed, still not here
    # Asked who takes Zoë home, the desk names her driver on file.
    monkeypatch.setattr(
        EscortDialog, "ask", classmethod(lambda cls, name, on_file, **kw: EscortAnswer(on_file))
    )
    with qtbot.waitSignal(desk.changed):
        screen.buttons["check_in"].click()
    assert cell(screen, 0, COLS.COL_STATUS) == "Checked in"


def test_patient_name_in_the_cell_chart_number_in_the_tooltip(screen: TodayScreen) -> None:
    assert cell(screen, 0, COLS.COL_PATIENT) == "Zoë Łukasiewicz"
    tooltip = cell(screen, 0, COLS.COL_PATIENT, Qt.ItemDataRole.ToolTipRole)
    assert tooltip == f"Zoë Łukasiewicz, chart {screen.model.row_at(0).view.chart_number}"


def test_cautions_column_short_in_the_cell_full_in_the_tooltip(screen: TodayScreen) -> None:
    header = screen.table.horizontalHeader()
    assert screen.model.headerData(COLS.COL_CAUTIONS, Qt.Orientation.Horizontal) == "Cautions"
    assert header.visualIndex(COLS.COL_CAUTIONS) == header.visualIndex(COLS.COL_DRIVER) + 1
    assert cell(screen, 0, COLS.COL_CAUTIONS) == ""  # Zoë has none
    short = cell(screen, 1, COLS.COL_CAUTIONS)
    assert short == "Uncontrolled high… (+1)"
    assert cell(screen, 1, COLS.COL_CAUTIONS, Qt.ItemDataRole.ToolTipRole) == (
        "Contraindication (NOT cleared): Uncontrolled high blood pressure: "
        "BP 170/105 at the last visit\n"
        "Takes benzodiazepines: Lorazepam 0.5 mg at night"
    )
    brush = cell(screen, 1, COLS.COL_CAUTIONS, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush)
    assert brush.color() == QColor("#c62828")


@pytest.mark.parametrize(("hour", "line_row"), [(9, 0), (11, 0), (12, 1), (13, 1), (15, 2)])
def test_now_line_sits_above_the_first_session_still_to_start(
    screen: TodayScreen, desk: TestDesk, hour: int, line_row: int
) -> None:
    desk.clock_now = at(TODAY, hour)
    screen.tick()
    assert screen.model.now_row() == line_row
    # The line is drawn where the model says: red across the row's top (the last row's bottom).
    image = screen.table.viewport().grab().toImage()
    last = screen.model.rowCount() - 1
    row = min(line_row, last)
    top = screen.table.rowViewportPosition(row)
    bottom = top + screen.table.rowHeight(row)
    edge = range(top, top + 4) if line_row <= last else range(bottom - 4, bottom)
    x = screen.table.columnViewportPosition(COLS.COL_PATIENT) + 40
    assert NOW_LINE in {image.pixelColor(x, y).name() for y in edge}
    other = 1 if line_row == 0 else 0
    middle = screen.table.rowViewportPosition(other) + screen.table.rowHeight(other) // 2
    assert image.pixelColor(x, middle).name() != NOW_LINE


def test_no_now_line_on_another_day(screen: TodayScreen) -> None:
    screen.show_day(TOMORROW)
    assert screen.model.now_row() is None


def test_a_desk_left_on_today_moves_on_at_midnight(screen: TodayScreen, desk: TestDesk) -> None:
    desk.clock_now = at(TOMORROW, 0, 1)
    screen.tick()
    assert screen.day == TOMORROW
    assert screen.title.text() == "Today — Tuesday, November 17, 2026"
    # A desk looking at another day stays there.
    screen.show_day(TODAY + dt.timedelta(days=7))
    desk.clock_now = at(TOMORROW + dt.timedelta(days=1), 0, 1)
    screen.tick()
    assert screen.day == TODAY + dt.timedelta(days=7)
