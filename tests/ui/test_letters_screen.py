"""Letters: tomorrow's prep letters previewed in the desk, printed and saved, and recorded."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from scheduler.domain.enums import ChairKind, LetterKind
from scheduler.services.booking import book_single
from scheduler.store import Database
from scheduler.store.models import Letter
from scheduler.ui.letters_screen import LettersScreen
from scheduler.ui.pdf_preview import PdfPreview
from scheduler.ui.session_models import DaySessionsModel
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import CONSULTATION, IV_SINGLE, add_chairs, make_patient, protocol_id
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)
TODAY = NOW.astimezone(ZONE).date()
TOMORROW = TODAY + dt.timedelta(days=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE).astimezone(dt.UTC)


@pytest.fixture
def sessions(db: Database) -> dict[str, int]:
    """Zoë tomorrow at 9:15 with a driver, Ben tomorrow at 13:00, Cleo today at 15:00."""
    with db.transaction() as s:
        add_chairs(s, 2)
        single = protocol_id(s, IV_SINGLE)
        ids = {}
        for key, first, day, hour, minute in (
            ("zoe", "Zoë", TOMORROW, 9, 15),
            ("ben", "Ben", TOMORROW, 13, 0),
            ("cleo", "Cleo", TODAY, 15, 0),
        ):
            patient = make_patient(s, first_name=first, last_name="Łukasiewicz-Núñez",
                                   driver_name="Sam Lee")  # fmt: skip
            session = book_single(
                s, patient_id=patient, protocol_id=single, starts_at=at(day, hour, minute),
                chair_id=None, actor=ACTOR, now=NOW,
            )  # fmt: skip
            s.flush()
            ids[key] = session.id
        return ids


@pytest.fixture
def screen(qtbot: QtBot, desk: TestDesk, sessions: dict[str, int]) -> LettersScreen:
    widget = LettersScreen(desk)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def letters_recorded(db: Database) -> list[tuple[str, int | None]]:
    with db.reading() as s:
        return [(x.kind, x.session_id) for x in s.scalars(select(Letter).order_by(Letter.id))]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_tomorrow_is_shown_by_default(screen: LettersScreen, qtmodeltester: object) -> None:
    qtmodeltester.check(screen.model)  # type: ignore[attr-defined]
    assert screen.day == TOMORROW
    assert screen.model.rowCount() == 2
    assert screen.summary.text() == "2 sessions · 0 prep letters printed"
    assert screen.preview.page_count() == 0


def test_choosing_a_session_previews_its_prep_letter_on_white(
    qtbot: QtBot, screen: LettersScreen, db: Database, sessions: dict[str, int]
) -> None:
    first_row = screen.table.visualRect(screen.model.index(0, 1)).center()  # Zoë at 9:15
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=first_row)
    assert screen.preview.page_count() >= 1
    assert "Prep letter — Zoë Łukasiewicz-Núñez" in screen.preview.title.text()
    text = pdf_text(screen.preview.pdf)
    assert "Zoë" in text
    assert "9:15 AM" in text
    page = screen.preview.page_image(0)
    assert page.pixelColor(3, 3) == QColor("white")  # painted on paper, not transparent
    assert letters_recorded(db) == []  # a look is not a print


def test_save_as_pdf_writes_the_letter_and_records_it(
    qtbot: QtBot,
    screen: LettersScreen,
    db: Database,
    sessions: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "zoe-prep"
    monkeypatch.setattr(
        PdfPreview, "ask_save_path", classmethod(lambda cls, parent, suggested: str(target))
    )
    assert screen.preview_session(sessions["zoe"], LetterKind.PREP)
    with qtbot.waitSignal(screen.preview.saved) as saved:
        qtbot.mouseClick(screen.preview.save_button, Qt.MouseButton.LeftButton)
    written = Path(saved.args[0])
    assert written == tmp_path / "zoe-prep.pdf"
    assert "Zoë Łukasiewicz-Núñez" in pdf_text(written.read_bytes())
    assert letters_recorded(db) == [("prep", sessions["zoe"])]


def test_print_sends_the_pages_to_the_printer_and_records_it(
    qtbot: QtBot,
    screen: LettersScreen,
    db: Database,
    sessions: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "printed.pdf"

    def printer(cls: object, parent: object) -> QPrinter:
        chosen = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        chosen.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        chosen.setOutputFileName(str(out))
        return chosen

    monkeypatch.setattr(PdfPreview, "ask_printer", classmethod(printer))
    screen.preview_session(sessions["ben"], LetterKind.PREP)
    with qtbot.waitSignal(screen.preview.printed):
        qtbot.mouseClick(screen.preview.print_button, Qt.MouseButton.LeftButton)
    assert out.stat().st_size > 1000
    assert letters_recorded(db) == [("prep", sessions["ben"])]


def test_the_whole_days_prep_letters_and_todays_aftercare(
    qtbot: QtBot, screen: LettersScreen, db: Database
) -> None:
    qtbot.mouseClick(screen.prep_button, Qt.MouseButton.LeftButton)
    text = pdf_text(screen.preview.pdf)
    assert text.count("Preparing for your") == 2
    qtbot.mouseClick(screen.aftercare_button, Qt.MouseButton.LeftButton)
    assert "Cleo" in pdf_text(screen.preview.pdf)
    assert letters_recorded(db) == []


def test_a_patients_schedule_letter(
    qtbot: QtBot, screen: LettersScreen, sessions: dict[str, int]
) -> None:
    assert not screen.schedule_button.isEnabled()
    screen.table.selectRow(1)  # Ben
    qtbot.mouseClick(screen.schedule_button, Qt.MouseButton.LeftButton)
    assert screen.preview.title.text().startswith("Schedule letter — Ben")
    assert "Ben" in pdf_text(screen.preview.pdf)


def test_moving_to_another_date(qtbot: QtBot, screen: LettersScreen) -> None:
    qtbot.mouseClick(screen.prev_button, Qt.MouseButton.LeftButton)
    assert screen.day == TODAY
    assert screen.model.rowCount() == 1
    screen.show_date(TODAY + dt.timedelta(days=5))
    assert screen.model.rowCount() == 0
    assert not screen.prep_button.isEnabled()


def _book_today(db: Database, first_name: str, protocol: str, hour: int) -> int:
    """A session today at ``hour`` for a new patient; returns its id."""
    with db.transaction() as s:
        if protocol == CONSULTATION:
            add_chairs(s, 1, kind=ChairKind.OFFICE)
        patient = make_patient(s, first_name=first_name, last_name="Moreau")
        session = book_single(
            s, patient_id=patient, protocol_id=protocol_id(s, protocol), starts_at=at(TODAY, hour),
            chair_id=None, actor=ACTOR, now=NOW,
        )  # fmt: skip
        s.flush()
        return session.id


def test_a_consultation_offers_no_aftercare_letter(
    qtbot: QtBot, db: Database, desk: TestDesk, screen: LettersScreen
) -> None:
    consultation = _book_today(db, "Dana", CONSULTATION, 11)
    screen.show_date(TODAY)
    row = screen.model.index_of_session(consultation)
    assert row is not None
    aftercare = screen.model.index(row, DaySessionsModel.COL_AFTERCARE).data()
    assert aftercare == "None for this visit"
    screen.table.selectRow(row)
    # Today's session would show its aftercare letter; a consultation has none: its prep letter.
    assert screen.preview.title.text().startswith("Prep letter — Dana Moreau")
    assert desk.refusals == []


def test_a_name_no_font_can_print_is_warned_about_above_the_preview(
    qtbot: QtBot, db: Database, screen: LettersScreen, sessions: dict[str, int]
) -> None:
    session = _book_today(db, "Ra\U00013000", IV_SINGLE, 11)
    screen.show_date(TODAY)
    assert screen.preview_session(session, LetterKind.PREP)
    assert screen.preview.warning.isVisible()
    assert "has characters no installed font can print (\U00013000)" in (
        screen.preview.warning.text()
    )
    screen.preview_session(sessions["cleo"], LetterKind.PREP)
    assert "no installed font" not in screen.preview.warning.text()
