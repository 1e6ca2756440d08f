"""The calendar: day and week grids, moving by keyboard, clicking sessions and free places."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from scheduler.services.booking import book_single
from scheduler.services.changes import EVERYTHING
from scheduler.store import Database
from scheduler.store.models import TreatmentSession
from scheduler.ui.calendar import CalendarScreen
from scheduler.ui.calendar.grid import CLOSED_FILL, CLOSURE_FILL, GridBlock
from scheduler.ui.calendar.loading import with_lanes
from scheduler.ui.calendar.screen import DAYS_KEPT
from scheduler.ui.desk import Desk
from scheduler.ui.session_dialog import SessionDialog
from scheduler.ui.single_session_dialog import SingleSessionDialog
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import IV_SINGLE, add_chairs, add_closure, make_patient, protocol_id
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)
TODAY = NOW.astimezone(ZONE).date()  # Monday 16 November 2026


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE).astimezone(dt.UTC)


@pytest.fixture
def clinic(db: Database) -> dict[str, int]:
    """Two chairs, Zoë booked at 11:00 today in chair 1, Thanksgiving closed."""
    with db.transaction() as s:
        first, second = add_chairs(s, 2)
        zoe = make_patient(s, first_name="Zoë", last_name="Nguyễn")
        session = book_single(
            s, patient_id=zoe, protocol_id=protocol_id(s, IV_SINGLE), starts_at=at(TODAY, 11),
            chair_id=first, actor=ACTOR, now=NOW,
        )  # fmt: skip
        add_closure(s, dt.date(2026, 11, 26), "Thanksgiving")
        s.flush()
        return {"chair1": first, "chair2": second, "zoe": zoe, "session": session.id}


@pytest.fixture
def screen(qtbot: QtBot, desk: TestDesk, clinic: dict[str, int]) -> CalendarScreen:
    widget = CalendarScreen(desk)
    qtbot.addWidget(widget)
    widget.resize(1000, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_day_view_has_chairs_as_columns_and_the_session_as_a_block(
    screen: CalendarScreen,
) -> None:
    grid = screen.grid
    assert [c.title for c in grid.columns] == ["Chair 1", "Chair 2"]
    assert screen.title.text() == "Monday, November 16, 2026"
    (block,) = grid.blocks
    assert (block.column, block.start_min) == (0, 11 * 60)
    assert (block.treatment_min, block.observation_min, block.buffer_min) == (45, 45, 15)
    assert block.lines[0] == "Zoë Nguyễn"
    # What the user sees: the treatment part in the therapy's colour, closed hours shaded.
    image = screen.grid.grab().toImage()
    inside = grid.point_of(at(TODAY, 11, 20), 0)
    assert image.pixelColor(inside.x() - 40, inside.y()) == QColor("#3b7dd8")
    early = grid.point_of(at(TODAY, 7, 30), 1)
    assert image.pixelColor(early) == CLOSED_FILL
    open_time = grid.point_of(at(TODAY, 9, 40), 1)
    assert image.pixelColor(open_time) == QColor("white")


def test_keyboard_moves_between_days_and_weeks(qtbot: QtBot, screen: CalendarScreen) -> None:
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Right)
    assert screen.day == TODAY + dt.timedelta(days=1)
    assert screen.grid.blocks == []
    qtbot.keyClick(screen, Qt.Key.Key_PageDown)
    assert screen.day == TODAY + dt.timedelta(days=8)
    qtbot.keyClick(screen, Qt.Key.Key_T)
    assert screen.day == TODAY
    qtbot.keyClick(screen, Qt.Key.Key_W)
    assert screen.mode == "week"
    assert [c.title for c in screen.grid.columns][:2] == ["Mon, Nov 16", "Tue, Nov 17"]
    assert len(screen.grid.blocks) == 1
    qtbot.keyClick(screen, Qt.Key.Key_Right)
    assert screen.day == TODAY + dt.timedelta(days=7)
    thursday = screen.grid.columns[3]
    assert (thursday.title, thursday.closure) == ("Thu, Nov 26", "Thanksgiving")
    qtbot.keyClick(screen, Qt.Key.Key_Left)
    qtbot.keyClick(screen, Qt.Key.Key_D)
    assert (screen.mode, screen.day) == ("day", TODAY)
    qtbot.mouseClick(screen.next_button, Qt.MouseButton.LeftButton)
    assert screen.day == TODAY + dt.timedelta(days=1)
    qtbot.mouseClick(screen.today_button, Qt.MouseButton.LeftButton)
    assert screen.day == TODAY


def test_closure_day_is_shaded_and_named(screen: CalendarScreen) -> None:
    screen.show_day(dt.date(2026, 11, 26))
    assert screen.note.text() == "Closed: Thanksgiving"
    image = screen.grid.grab().toImage()
    noon = screen.grid.point_of(at(dt.date(2026, 11, 26), 12), 0)
    assert image.pixelColor(noon) == CLOSURE_FILL
    screen.show_day(dt.date(2026, 11, 22))  # a Sunday: closed all day, no reason
    assert screen.note.text() == "Closed all day"


def test_clicking_a_session_opens_it(
    qtbot: QtBot,
    screen: CalendarScreen,
    clinic: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[int] = []
    monkeypatch.setattr(
        SessionDialog,
        "open_session",
        classmethod(lambda cls, desk, view, parent=None: opened.append(view.session_id)),
    )
    point = screen.grid.point_of(at(TODAY, 11, 10), 0)
    qtbot.mouseClick(screen.grid, Qt.MouseButton.LeftButton, pos=point)
    assert opened == [clinic["session"]]


def test_clicking_a_free_place_books_there(
    qtbot: QtBot,
    screen: CalendarScreen,
    clinic: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[int | None, dt.datetime | None, int | None]] = []

    def ask(
        cls: type[SingleSessionDialog], /, desk: Desk, patient_id: int | None, **kw: object
    ) -> None:
        asked.append((patient_id, kw["near"], kw["chair_id"]))  # type: ignore[arg-type]

    monkeypatch.setattr(SingleSessionDialog, "ask", classmethod(ask))
    point = screen.grid.point_of(at(TODAY, 14, 0), 1)
    qtbot.mouseClick(screen.grid, Qt.MouseButton.LeftButton, pos=point)
    assert asked == [(None, at(TODAY, 14, 0), clinic["chair2"])]


def test_the_calendar_redraws_when_something_changes(
    screen: CalendarScreen, db: Database, desk: TestDesk, clinic: dict[str, int]
) -> None:
    with db.transaction() as s:
        book_single(
            s, patient_id=clinic["zoe"], protocol_id=protocol_id(s, IV_SINGLE),
            starts_at=at(TODAY, 15), chair_id=clinic["chair2"], actor=ACTOR, now=NOW,
        )  # fmt: skip
    assert len(screen.grid.blocks) == 1  # cached until told
    desk.changed.emit(EVERYTHING)
    assert len(screen.grid.blocks) == 2


def test_booking_from_a_free_place_finds_the_patient_and_books(
    qtbot: QtBot, desk: TestDesk, db: Database, clinic: dict[str, int]
) -> None:
    dialog = SingleSessionDialog(desk, None, near=at(TODAY, 14), chair_id=clinic["chair2"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.patient_search, "zoe")
    assert "Zoë Nguyễn" in dialog.patient_choice.currentText()
    dialog.protocol.setCurrentIndex(dialog.protocol.findText(IV_SINGLE))
    first = dialog.slots.row_at(0)
    assert first.starts_at == at(TODAY, 14)
    assert first.chair_id == clinic["chair2"]
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert dialog.session_id is not None
    with db.reading() as s:
        row = s.scalar(select(TreatmentSession).where(TreatmentSession.id == dialog.session_id))
        assert row is not None
        assert (row.patient_id, row.chair_id) == (clinic["zoe"], clinic["chair2"])
        assert row.starts_at == at(TODAY, 14)


def test_overlapping_sessions_sit_side_by_side() -> None:
    def block(sid: int, start: int) -> GridBlock:
        return GridBlock(sid, 0, start, 45, 45, 15, "#000000", ("x",))

    laid = {b.session_id: (b.lane, b.lanes) for b in with_lanes([block(1, 600), block(2, 630),
                                                                   block(3, 900)])}  # fmt: skip
    assert laid == {1: (0, 2), 2: (1, 2), 3: (0, 1)}


def test_days_moved_through_are_not_all_kept(screen: CalendarScreen) -> None:
    # A desk stays open for days: the loaded days are a bounded cache, not a growing one.
    for _ in range(3 * DAYS_KEPT):
        screen.move_by(1)
    assert len(screen._days) == DAYS_KEPT
    screen.go_today()
    assert screen.title.text() == "Monday, November 16, 2026"
    assert [b.lines[0] for b in screen.grid.blocks] == ["Zoë Nguyễn"]
