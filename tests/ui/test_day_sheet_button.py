"""Print day sheet: on Today for the day shown, on Letters for the date chosen, previewed first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from scheduler.domain.access import Actor
from scheduler.domain.enums import StaffRole
from scheduler.services.booking import book_single
from scheduler.store import Database
from scheduler.ui.letters_screen import LettersScreen
from scheduler.ui.pdf_preview import PdfPreviewDialog
from scheduler.ui.today_screen import TodayScreen
from tests.conftest import ACTOR, NOW
from tests.factories import IV_SINGLE, add_chairs, at, make_patient, protocol_id
from tests.letter_fixtures import pdf_text, squashed
from tests.ui.conftest import TestDesk

TODAY = dt.date(2026, 11, 16)


@pytest.fixture(autouse=True)
def booked(db: Database) -> None:
    """Zoë at 11:00 today (no driver on file), Ben at 10:00 tomorrow."""
    with db.transaction() as s:
        add_chairs(s, 2)
        single = protocol_id(s, IV_SINGLE)
        for name, day, hour in (("Zoë", TODAY, 11), ("Ben", TODAY + dt.timedelta(days=1), 10)):
            book_single(
                s, patient_id=make_patient(s, first_name=name, last_name="Okafor"),
                protocol_id=single, starts_at=at(day, hour), chair_id=None, actor=ACTOR,
                now=NOW,
            )  # fmt: skip


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the preview window would have shown (it is modal: tests look, not click)."""
    seen: list[dict[str, Any]] = []

    def show(cls: object, /, pdf: bytes, title: str, file_name: str, parent: object = None,
             **kw: object) -> None:  # fmt: skip
        seen.append({"pdf": pdf, "title": title, "file_name": file_name, **kw})

    monkeypatch.setattr(PdfPreviewDialog, "show_pdf", classmethod(show))
    return seen


def test_today_previews_the_days_sheet(
    qtbot: QtBot, desk: TestDesk, shown: list[dict[str, Any]]
) -> None:
    screen = TodayScreen(desk)
    qtbot.addWidget(screen)
    screen.show()
    button = screen.day_sheet_button
    assert button.isEnabled()
    assert button.text() == "Print da&y sheet…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    (preview,) = shown
    assert preview["title"] == "Day sheet: Monday, November 16, 2026"
    assert preview["file_name"] == "day-sheet-2026-11-16.pdf"
    text = squashed(pdf_text(preview["pdf"]))
    assert "Zoë Okafor" in text
    assert "None on file" in text
    assert "Ben Okafor" not in text  # tomorrow's
    assert desk.refusals == []


def test_the_preview_window_shows_the_sheet_with_print_and_save(
    qtbot: QtBot, desk: TestDesk, shown: list[dict[str, Any]]
) -> None:
    screen = TodayScreen(desk)
    qtbot.addWidget(screen)
    qtbot.mouseClick(screen.day_sheet_button, Qt.MouseButton.LeftButton)
    dialog = PdfPreviewDialog(shown[0]["pdf"], shown[0]["title"], shown[0]["file_name"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.preview.page_count() == 1
    assert dialog.preview.print_button.isEnabled()
    assert dialog.preview.save_button.isEnabled()
    assert dialog.preview.page_image(0).width() > dialog.preview.page_image(0).height()
    assert dialog.width() > dialog.height()  # a landscape sheet gets a wide window


def test_letters_prints_the_sheet_of_the_date_chosen(
    qtbot: QtBot, desk: TestDesk, shown: list[dict[str, Any]]
) -> None:
    screen = LettersScreen(desk)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.mouseClick(screen.day_sheet_button, Qt.MouseButton.LeftButton)  # tomorrow by default
    screen.show_date(TODAY)
    qtbot.mouseClick(screen.day_sheet_button, Qt.MouseButton.LeftButton)
    assert [p["file_name"] for p in shown] == [
        "day-sheet-2026-11-17.pdf",
        "day-sheet-2026-11-16.pdf",
    ]
    assert "Ben Okafor" in pdf_text(shown[0]["pdf"])


def test_greyed_out_for_a_role_that_may_not_print(
    qtbot: QtBot, db: Database, shown: list[dict[str, Any]]
) -> None:
    desk = TestDesk(db)
    desk.sign_in(Actor(None, "alex", "Alex Morgan", frozenset({StaffRole.ADMINISTRATOR})))
    screen = TodayScreen(desk)
    qtbot.addWidget(screen)
    assert not screen.day_sheet_button.isEnabled()
    desk.sign_in(Actor(None, "maria", "Maria Santos", frozenset({StaffRole.NURSE})))
    assert screen.day_sheet_button.isEnabled()
