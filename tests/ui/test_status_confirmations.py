"""Every print, booking and cancellation says in the status bar what it did."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from scheduler.domain.enums import LetterKind
from scheduler.services.booking import book_single
from scheduler.store import Database
from scheduler.ui import session_dialog
from scheduler.ui.letters_screen import show_letter
from scheduler.ui.main_window import MainWindow
from scheduler.ui.makeup_dialog import MakeupDialog
from scheduler.ui.pdf_preview import PdfPreviewDialog
from scheduler.ui.series_dialog import SeriesDialog
from scheduler.ui.today_screen import TodayScreen
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import IV_SINGLE, add_chairs, make_patient, protocol_id
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)
TODAY = NOW.astimezone(ZONE).date()


@pytest.fixture
def leah(db: Database) -> int:
    """Leah Thomas's session today at 11:00 AM."""
    with db.transaction() as s:
        add_chairs(s, 2)
        patient = make_patient(s, first_name="Leah", last_name="Thomas", driver_name="Sam Lee")
        session = book_single(
            s, patient_id=patient, protocol_id=protocol_id(s, IV_SINGLE),
            starts_at=dt.datetime.combine(TODAY, dt.time(11), ZONE).astimezone(dt.UTC),
            chair_id=None, actor=ACTOR, now=NOW,
        )  # fmt: skip
        s.flush()
        return session.id


def status(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def test_a_series_booked_with_its_schedule_letter_says_both(
    qtbot: QtBot, window: MainWindow, desk: TestDesk, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.transaction() as s:
        add_chairs(s, 2)
        patient = make_patient(s, first_name="Dana", last_name="Kowalski")
    monkeypatch.setattr(SeriesDialog, "offer_schedule_letter", classmethod(lambda cls, p: True))
    shown: list[str] = []
    monkeypatch.setattr(
        PdfPreviewDialog,
        "show_pdf",
        classmethod(lambda cls, pdf, title, *a, **k: shown.append(title)),
    )
    dialog = SeriesDialog(desk, patient)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert desk.refusals == []
    assert shown == ["Schedule letter"]
    assert status(window) == "6 sessions booked for Dana Kowalski; schedule letter printed"


def test_cancel_and_confirm_on_today_say_whose_session(
    qtbot: QtBot, window: MainWindow, desk: TestDesk, leah: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        session_dialog.ReasonDialog, "ask", classmethod(lambda cls, *a, **k: "Unwell")
    )
    monkeypatch.setattr(MakeupDialog, "ask", classmethod(lambda cls, *a, **k: None))
    today = TodayScreen(desk)
    qtbot.addWidget(today)
    today.select_session(leah)
    qtbot.mouseClick(today.buttons["confirm"], Qt.MouseButton.LeftButton)
    assert status(window) == "Session confirmed for Leah Thomas"
    qtbot.mouseClick(today.buttons["cancel"], Qt.MouseButton.LeftButton)
    assert status(window) == "Session cancelled for Leah Thomas"
    assert desk.refusals == []


def test_a_letter_printed_from_a_session_says_which_and_for_whom(
    qtbot: QtBot, window: MainWindow, desk: TestDesk, leah: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued: list[bytes | None] = []

    def show(cls: object, /, pdf: bytes, title: str, *args: object, **kw: object) -> None:
        issue = kw["issue"]
        assert callable(issue)
        issued.append(issue())  # what Print… does before it prints

    monkeypatch.setattr(PdfPreviewDialog, "show_pdf", classmethod(show))
    today = TodayScreen(desk)
    qtbot.addWidget(today)
    today.select_session(leah)
    view = today.selected_view()
    assert view is not None
    assert status(window) == ""
    assert show_letter(desk, view, LetterKind.AFTERCARE, today)
    assert issued
    assert issued[0]
    assert status(window) == "Aftercare letter printed for Leah Thomas (Monday, November 16)"
