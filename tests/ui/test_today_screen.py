"""Today: the front desk's list of the day's sessions, driven as the desk would."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from scheduler.domain.enums import ChairKind, SessionStatus
from scheduler.services.booking import book_single
from scheduler.services.changes import EVERYTHING
from scheduler.store import Database
from scheduler.store.models import TreatmentSession
from scheduler.ui import session_dialog
from scheduler.ui.escort_dialog import EscortAnswer, EscortDialog
from scheduler.ui.makeup_dialog import MakeupDialog
from scheduler.ui.session_models import DaySessionsModel
from scheduler.ui.today_screen import TodayScreen
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import CONSULTATION, IV_SINGLE, add_chairs, make_patient, protocol_id
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE).astimezone(dt.UTC)


@pytest.fixture
def booked(db: Database) -> dict[str, int]:
    """Two sessions today (11:00 and 13:00 in the clinic), one of them with a driver on file."""
    today = NOW.astimezone(ZONE).date()
    with db.transaction() as s:
        add_chairs(s, 2)
        zoe = make_patient(s, first_name="Zoë", last_name="Łukasiewicz", driver_name="Sam Lee")
        ben = make_patient(s, first_name="Ben", last_name="Okafor")
        single = protocol_id(s, IV_SINGLE)
        first = book_single(
            s, patient_id=zoe, protocol_id=single, starts_at=at(today, 11), chair_id=None,
            actor=ACTOR, now=NOW,
        )  # fmt: skip
        second = book_single(
            s, patient_id=ben, protocol_id=single, starts_at=at(today, 13), chair_id=None,
            actor=ACTOR, now=NOW,
        )  # fmt: skip
        s.flush()
        return {"zoe": first.id, "ben": second.id}


@pytest.fixture
def screen(qtbot: QtBot, desk: TestDesk, booked: dict[str, int]) -> TodayScreen:
    widget = TodayScreen(desk)
    qtbot.addWidget(widget)
    widget.resize(1100, 500)
    widget.show()
    return widget


def status_of(db: Database, session_id: int) -> tuple[str, str]:
    with db.reading() as s:
        row = s.get(TreatmentSession, session_id)
        assert row is not None
        return row.status, row.status_reason


def test_lists_todays_sessions_by_time(screen: TodayScreen, qtmodeltester: object) -> None:
    model = screen.model
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.rowCount() == 2

    def cell(row: int, col: int) -> Any:  # whatever the model holds for the role
        return model.data(model.index(row, col))

    assert screen.title.text() == "Today — Monday, November 16, 2026"
    assert cell(0, DaySessionsModel.COL_TIME) == "11:00 AM–12:30 PM"
    assert cell(0, DaySessionsModel.COL_PATIENT).startswith("Zoë Łukasiewicz")
    assert cell(0, DaySessionsModel.COL_DRIVER) == "Sam Lee"
    assert cell(1, DaySessionsModel.COL_DRIVER) == "None on file"
    assert cell(0, DaySessionsModel.COL_STATUS) == "Booked"
    assert cell(0, DaySessionsModel.COL_PREP) == "Not printed"


def test_cancel_from_today_asks_why_and_cancels(
    qtbot: QtBot,
    screen: TodayScreen,
    db: Database,
    booked: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def answer(cls: object, title: str, prompt: str, parent: object = None) -> str:
        asked.append(prompt)
        return "Patient has the flu"

    monkeypatch.setattr(session_dialog.ReasonDialog, "ask", classmethod(answer))
    offered: list[int] = []
    monkeypatch.setattr(
        MakeupDialog, "ask", classmethod(lambda cls, desk, sid, parent=None: offered.append(sid))
    )
    screen.select_session(booked["ben"])
    with qtbot.waitSignal(screen.desk.changed):
        qtbot.mouseClick(screen.buttons["cancel"], Qt.MouseButton.LeftButton)
    assert "Ben Okafor" in asked[0]
    assert status_of(db, booked["ben"]) == (SessionStatus.CANCELLED.value, "Patient has the flu")
    assert status_of(db, booked["zoe"])[0] == SessionStatus.BOOKED.value
    # The list refreshed itself and kept the cancelled session selected, now cancel-less.
    row = screen.model.index_of_session(booked["ben"])
    assert row is not None
    status = screen.model.data(screen.model.index(row, DaySessionsModel.COL_STATUS))
    assert status == "Cancelled"
    assert not screen.buttons["cancel"].isEnabled()
    # A single session is no course to fall short of: no make-up question.
    assert offered == []


def test_backing_out_of_the_reason_cancels_nothing(
    qtbot: QtBot,
    screen: TodayScreen,
    db: Database,
    booked: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(session_dialog.ReasonDialog, "ask", classmethod(lambda cls, *a, **k: None))
    screen.select_session(booked["zoe"])
    qtbot.mouseClick(screen.buttons["cancel"], Qt.MouseButton.LeftButton)
    assert status_of(db, booked["zoe"])[0] == SessionStatus.BOOKED.value


def test_confirm_check_in_and_complete_by_buttons(
    qtbot: QtBot,
    screen: TodayScreen,
    db: Database,
    desk: TestDesk,
    booked: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Asked at check-in who takes Zoë home, the desk names her driver on file.
    monkeypatch.setattr(
        EscortDialog, "ask", classmethod(lambda cls, name, on_file, **kw: EscortAnswer(on_file))
    )
    screen.select_session(booked["zoe"])
    assert not screen.buttons["complete"].isEnabled()
    for key, expected in (
        ("confirm", SessionStatus.CONFIRMED),
        ("check_in", SessionStatus.CHECKED_IN),
        ("complete", SessionStatus.COMPLETED),
    ):
        if key == "complete":
            # After the session started.
            monkeypatch.setattr(desk, "now", lambda: at(NOW.astimezone(ZONE).date(), 12, 40))
        with qtbot.waitSignal(desk.changed):
            qtbot.mouseClick(screen.buttons[key], Qt.MouseButton.LeftButton)
        assert status_of(db, booked["zoe"])[0] == expected.value
    assert screen.buttons["aftercare"].isEnabled()
    assert not screen.buttons["no_show"].isEnabled()


def test_no_show_by_keyboard(
    qtbot: QtBot,
    screen: TodayScreen,
    db: Database,
    desk: TestDesk,
    booked: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Keyboard: arrow down the list to Ben, then the no-show button (focused) and Space.
    later = at(NOW.astimezone(ZONE).date(), 13, 30)  # after Ben's 13:00 start
    monkeypatch.setattr(desk, "now", lambda: later)
    screen.table.setFocus()
    screen.table.selectRow(0)
    qtbot.keyClick(screen.table, Qt.Key.Key_Down)
    assert screen.selected_view() is not None
    assert screen.selected_view().session_id == booked["ben"]  # type: ignore[union-attr]
    button = screen.buttons["no_show"]
    button.setFocus()
    with qtbot.waitSignal(desk.changed):
        qtbot.keyClick(button, Qt.Key.Key_Space)
    assert status_of(db, booked["ben"])[0] == SessionStatus.NO_SHOW.value


def test_enter_opens_the_session(
    qtbot: QtBot, screen: TodayScreen, booked: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int] = []
    monkeypatch.setattr(
        session_dialog.SessionDialog,
        "open_session",
        classmethod(lambda cls, desk, view, parent=None: opened.append(view.session_id)),
    )
    screen.select_session(booked["ben"])
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert opened == [booked["ben"]]


def test_a_change_elsewhere_refreshes_the_list(
    screen: TodayScreen, db: Database, desk: TestDesk
) -> None:
    today = NOW.astimezone(ZONE).date()

    def book(s: object) -> None:
        with db.transaction() as tx:
            patient = make_patient(tx, first_name="Cleo")
            book_single(
                tx, patient_id=patient, protocol_id=protocol_id(tx, IV_SINGLE),
                starts_at=at(today, 15), chair_id=None, actor=ACTOR, now=NOW,
            )  # fmt: skip

    book(None)
    assert screen.model.rowCount() == 2
    desk.changed.emit(EVERYTHING)
    assert screen.model.rowCount() == 3


def test_a_checked_in_consultation_offers_no_aftercare(
    qtbot: QtBot, screen: TodayScreen, db: Database, desk: TestDesk
) -> None:
    today = NOW.astimezone(ZONE).date()
    with db.transaction() as s:
        add_chairs(s, 1, kind=ChairKind.OFFICE)
        dana = make_patient(s, first_name="Dana", last_name="Moreau")
        visit = book_single(
            s, patient_id=dana, protocol_id=protocol_id(s, CONSULTATION), starts_at=at(today, 10),
            chair_id=None, actor=ACTOR, now=NOW,
        )  # fmt: skip
        s.flush()
        visit.status = SessionStatus.CHECKED_IN
        visit_id = visit.id
    screen.refresh()
    screen.select_session(visit_id)
    assert screen.buttons["check_in"].isEnabled() is False
    assert not screen.buttons["aftercare"].isEnabled()
    row = screen.model.index_of_session(visit_id)
    assert row is not None
    cell = screen.model.index(row, DaySessionsModel.COL_AFTERCARE).data()
    assert cell == "None for this visit"
    screen.print_aftercare()  # the shortcut does nothing either
    assert desk.refusals == []
