"""Letters on a Saturday: it opens on Monday, says why a day is empty, prints only what is new."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from scheduler.services.booking import book_single
from scheduler.store import Database
from scheduler.ui.letters_screen import LettersScreen
from scheduler.ui.main_window import MainWindow
from scheduler.ui.pdf_preview import PdfPreview
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import IV_SINGLE, add_chairs, make_patient, protocol_id
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)
SATURDAY = dt.date(2026, 11, 21)
SUNDAY = SATURDAY + dt.timedelta(days=1)
MONDAY = SATURDAY + dt.timedelta(days=2)


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), ZONE).astimezone(dt.UTC)


def book(db: Database, first_name: str, day: dt.date, hour: int) -> int:
    """A single IV session for a new patient; returns its id."""
    with db.transaction() as s:
        patient = make_patient(s, first_name=first_name, last_name="Kowalski", driver_name="Sam")
        session = book_single(
            s, patient_id=patient, protocol_id=protocol_id(s, IV_SINGLE), starts_at=at(day, hour),
            chair_id=None, actor=ACTOR, now=NOW,
        )  # fmt: skip
        s.flush()
        return session.id


@pytest.fixture
def on_saturday(db: Database, desk: TestDesk) -> TestDesk:
    """A Saturday afternoon at the desk, with two sessions on Monday and none on Sunday."""
    with db.transaction() as s:
        add_chairs(s, 2)
    book(db, "Dana", MONDAY, 9)
    book(db, "Ezra", MONDAY, 13)
    desk.clock_now = at(SATURDAY, 15)
    return desk


@pytest.fixture
def screen(qtbot: QtBot, on_saturday: TestDesk) -> LettersScreen:
    widget = LettersScreen(on_saturday)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def print_to(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Print… goes to a PDF file instead of asking for a printer."""

    def printer(cls: object, parent: object) -> QPrinter:
        chosen = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        chosen.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        chosen.setOutputFileName(path)
        return chosen

    monkeypatch.setattr(PdfPreview, "ask_printer", classmethod(printer))


def test_on_a_saturday_letters_opens_on_monday(screen: LettersScreen) -> None:
    assert screen.day == MONDAY
    assert screen.model.rowCount() == 2
    assert not screen.hint_row.isVisibleTo(screen)
    assert screen.prep_button.isEnabled()
    assert screen.new_prep_button.isEnabled()


def test_an_empty_day_says_so_and_goes_to_the_next_with_sessions(
    qtbot: QtBot, screen: LettersScreen
) -> None:
    qtbot.mouseClick(screen.prev_button, Qt.MouseButton.LeftButton)
    assert screen.day == SUNDAY
    assert screen.model.rowCount() == 0
    assert screen.hint_row.isVisibleTo(screen)
    assert (
        screen.hint.text()
        == "No sessions on Sunday, November 22 (closed). Next: Monday, November 23"
    )
    assert screen.next_with_sessions.text() == "Go to Monday, November 23"
    assert not screen.new_prep_button.isEnabled()
    qtbot.mouseClick(screen.next_with_sessions, Qt.MouseButton.LeftButton)
    assert screen.day == MONDAY
    assert screen.model.rowCount() == 2
    assert not screen.hint_row.isVisibleTo(screen)


def test_with_nothing_booked_for_weeks_it_opens_tomorrow_and_says_so(
    qtbot: QtBot, db: Database, desk: TestDesk
) -> None:
    desk.clock_now = at(SATURDAY, 15)
    widget = LettersScreen(desk)
    qtbot.addWidget(widget)
    assert widget.day == SUNDAY
    assert widget.hint.text() == (
        "No sessions on Sunday, November 22 (closed). Nothing is booked in the 4 weeks after it."
    )
    assert not widget.next_with_sessions.isVisibleTo(widget)


def test_print_new_only_prints_each_letter_once_and_says_when_there_is_nothing_new(
    qtbot: QtBot,
    screen: LettersScreen,
    on_saturday: TestDesk,
    db: Database,
    qsettings: object,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = MainWindow(on_saturday, settings=qsettings)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    print_to(f"{tmp_path}/new.pdf", monkeypatch)
    assert screen.new_prep_button.text() == "Print &new only"
    assert screen.prep_button.text() == "Print &all prep letters"

    qtbot.mouseClick(screen.new_prep_button, Qt.MouseButton.LeftButton)
    assert screen.preview.page_count() == 2
    with qtbot.waitSignal(screen.preview.printed):
        qtbot.mouseClick(screen.preview.print_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage() == (
        "Prep letters printed for 2 patients (Monday, November 23)"
    )
    assert screen.summary.text() == "2 sessions · 2 prep letters printed"
    assert not screen.new_prep_button.isEnabled()  # nothing new left

    # Booked after the first run: a second "new only" prints that one alone.
    book(db, "Leah", MONDAY, 11)
    screen.refresh()
    qtbot.mouseClick(screen.new_prep_button, Qt.MouseButton.LeftButton)
    assert screen.preview.page_count() == 1
    with qtbot.waitSignal(screen.preview.printed):
        qtbot.mouseClick(screen.preview.print_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage() == (
        "Prep letter printed for Leah Kowalski (Monday, November 23)"
    )

    # And once more: nothing new, said in one sentence, nothing printed.
    assert screen.preview_new_prep() is False
    assert on_saturday.refusals == [
        "All 3 prep letters for Monday, November 23 have been printed already; "
        "nothing new to print."
    ]
