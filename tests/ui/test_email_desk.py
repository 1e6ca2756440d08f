"""Email at the desk: the Letters screen emails a day's prep letters and saves a calendar
file, the day's list shows "Emailed", and Settings → Email keeps the password out of the
database (or says in one sentence that this computer cannot keep it)."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import keyring
import pytest
from icalendar import Calendar
from keyring.backends import fail
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from scheduler.domain.enums import MailSecurity
from scheduler.services import mail, mail_settings
from scheduler.services.mail_password import NO_STORE
from scheduler.services.mail_settings import MailServer, save_mail_server
from scheduler.store import Database
from scheduler.store.models import Patient
from scheduler.ui.letters_screen import STOPPING_TEXT, LettersScreen, email_schedule_letter
from scheduler.ui.session_models import DaySessionsModel
from scheduler.ui.settings.email import EmailTab
from scheduler.ui.waiting import WAITING_TEXT
from tests.conftest import ACTOR, NOW
from tests.mail_server import Mailbox, mail_server
from tests.test_mail_lock import Meanwhile, book_a_new_patient
from tests.test_mail_settings import MemoryKeyring, store
from tests.ui.conftest import TestDesk
from tests.ui.test_desk_waiting import hold_lock
from tests.ui.test_letters_screen import TOMORROW, screen, sessions

# Fixtures shared with the Letters screen's tests (Zoë and Ben tomorrow, Cleo today) and the
# mail settings' (a credential store in memory).
__all__ = ["screen", "sessions", "store"]

T = TypeVar("T")
# Tests that email take ``qtbot`` even without a screen: the desk shows a note while it sends.
ADDRESSES = {"Zoë": "zoe@example.org", "Ben": "ben@example.org", "Cleo": "cleo@example.org"}


@pytest.fixture
def smtp(db: Database, sessions: dict[str, int]) -> Iterator[Mailbox]:
    """A loopback mail server in Settings; Zoë and Ben agreed to email, Cleo did not."""
    with mail_server() as (box, port):
        with db.transaction() as s:
            server = MailServer("127.0.0.1", port, MailSecurity.NONE, "", "desk@harbor.example")
            save_mail_server(s, server, password=None, actor=ACTOR, now=NOW)
            for patient in s.scalars(select(Patient)):
                patient.email = ADDRESSES[patient.first_name]
                if patient.first_name != "Cleo":
                    patient.email_consent_on = dt.date(2026, 11, 2)
        yield box


def _prep_column(screen: LettersScreen) -> list[str]:
    model = screen.model
    return [model.index(r, DaySessionsModel.COL_PREP).data() for r in range(model.rowCount())]


def test_email_prep_letters_sends_the_consenting_patients_and_names_a_failure(
    screen: LettersScreen, desk: TestDesk, smtp: Mailbox, qtbot: QtBot, tmp_path: Path
) -> None:
    assert screen.day == TOMORROW
    smtp.refuse.add("ben@example.org")
    said: list[str] = []
    desk.announced.connect(said.append)
    assert screen.email_button.isEnabled()
    qtbot.mouseClick(screen.email_button, Qt.MouseButton.LeftButton)
    assert [rcpt for rcpt, _ in smtp.received] == [["zoe@example.org"]]
    assert screen.mail_note.isVisible()
    assert screen.mail_note.text() == (
        "Could not email Ben Łukasiewicz-Núñez: the server refused the address."
    )
    assert said == [
        "Prep letters for Tuesday, November 17 emailed to 1 patient; 1 could not be emailed."
    ]
    assert _prep_column(screen) == ["Emailed", "Not printed"]
    assert screen.summary.text() == "2 sessions · 0 prep letters printed · 1 emailed"
    screen.grab().save(str(tmp_path / "letters-emailed.png"))


def test_save_calendar_file_writes_the_selected_patient_s_sessions(
    screen: LettersScreen, desk: TestDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    smtp: Mailbox,
) -> None:  # fmt: skip
    target = tmp_path / "zoe"
    monkeypatch.setattr(LettersScreen, "ask_calendar_path", lambda *a: str(target))
    screen.table.selectRow(0)
    assert screen.calendar_button.isEnabled()
    saved = screen.save_calendar()
    assert saved == tmp_path / "zoe.ics"
    (event,) = Calendar.from_ical(saved.read_bytes()).walk("VEVENT")
    assert event.decoded("dtstart").date() == TOMORROW
    assert desk.refusals == []


def test_booking_news_says_the_schedule_letter_was_emailed(
    desk: TestDesk, smtp: Mailbox, db: Database, qtbot: QtBot
) -> None:
    with db.reading() as s:
        zoe = s.scalars(select(Patient).where(Patient.first_name == "Zoë")).one().id
        cleo = s.scalars(select(Patient).where(Patient.first_name == "Cleo")).one().id
    assert email_schedule_letter(desk, zoe, None) == "; schedule letter emailed"
    assert email_schedule_letter(desk, cleo, None) == ""  # no consent: nothing sent or said
    assert [rcpt for rcpt, _ in smtp.received] == [["zoe@example.org"]]


def test_the_email_tab_saves_the_server_and_puts_the_password_in_the_store(
    qtbot: QtBot, desk: TestDesk, store: MemoryKeyring, tmp_path: Path
) -> None:
    tab = EmailTab(desk)
    qtbot.addWidget(tab)
    tab.load()
    tab.host.setText("smtp.harbor.example")
    tab.user.setText("desk")
    tab.password.setText("s3cret")
    tab.from_address.setText("desk@harbor.example")
    assert tab.save()
    assert list(store.kept.values()) == ["s3cret"]
    assert tab.password.text() == ""
    assert "kept" in tab.password.placeholderText()
    server = desk.read(mail_settings.mail_server)
    assert (server.host, server.port, server.security) == (
        "smtp.harbor.example", 587, MailSecurity.STARTTLS,
    )  # fmt: skip
    tab.resize(700, 520)
    tab.show()
    qtbot.waitExposed(tab)
    tab.grab().save(str(tmp_path / "email-tab.png"))


def test_without_a_credential_store_the_tab_says_so_in_one_sentence(
    qtbot: QtBot, desk: TestDesk
) -> None:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        tab = EmailTab(desk)
        qtbot.addWidget(tab)
        tab.load()
        assert tab.store_note.text() == NO_STORE
        assert not tab.store_note.isHidden()
        assert not tab.password.isEnabled()
    finally:
        keyring.set_keyring(before)


def test_the_front_desk_can_write_while_the_letters_screen_emails(
    screen: LettersScreen, desk: TestDesk, smtp: Mailbox, db: Database
) -> None:
    meanwhile = Meanwhile(smtp, book_a_new_patient(db))
    done = screen.email_prep_letters()
    meanwhile.join()
    assert meanwhile.error is None, f"the other workstation could not write: {meanwhile.error}"
    assert done is not None
    assert done.sent == 2
    assert _prep_column(screen) == ["Emailed", "Emailed"]


def test_the_front_desk_can_write_while_a_schedule_letter_is_emailed(
    desk: TestDesk, smtp: Mailbox, db: Database, qtbot: QtBot
) -> None:
    with db.reading() as s:
        zoe = s.scalars(select(Patient).where(Patient.first_name == "Zoë")).one().id
    meanwhile = Meanwhile(smtp, book_a_new_patient(db))
    assert email_schedule_letter(desk, zoe, None) == "; schedule letter emailed"
    meanwhile.join()
    assert meanwhile.error is None, f"the other workstation could not write: {meanwhile.error}"
    assert [rcpt for rcpt, _ in smtp.received] == [["zoe@example.org"]]


DAMAGED = "The clinic's database file is damaged; restore the last backup."
NOTHING_SAVED = "Nothing was saved"  # the busy database's sentence: untrue once letters went


def test_letters_emailed_but_not_recorded_are_said_so_nobody_sends_them_again(
    screen: LettersScreen, desk: TestDesk, smtp: Mailbox, db: Database, tmp_path: Path
) -> None:
    said: list[str] = []
    desk.announced.connect(said.append)
    # While the server takes the letters, the desk finds it may write no more.
    meanwhile = Meanwhile(smtp, lambda: desk.stop_writing(DAMAGED))
    assert screen.email_prep_letters() is None
    meanwhile.join()
    assert len(smtp.received) == 2
    assert desk.refusals == [DAMAGED]
    assert not any(NOTHING_SAVED in r for r in desk.refusals)
    assert screen.mail_note.text() == (
        "2 prep letters emailed but not recorded; do not send them again."
    )
    assert said == []
    screen.grab().save(str(tmp_path / "letters-unrecorded.png"))


def test_a_schedule_letter_emailed_but_not_recorded_says_so_in_the_booking_news(
    desk: TestDesk, smtp: Mailbox, db: Database, qtbot: QtBot
) -> None:
    with db.reading() as s:
        zoe = s.scalars(select(Patient).where(Patient.first_name == "Zoë")).one().id
    meanwhile = Meanwhile(smtp, lambda: desk.stop_writing(DAMAGED))
    news = email_schedule_letter(desk, zoe, None)
    meanwhile.join()
    assert news == "; schedule letter emailed but not recorded (do not send it again)"
    assert len(smtp.received) == 1
    assert not any(NOTHING_SAVED in r for r in desk.refusals)


# --- the window answers while the mail server talks ----------------------------------------


def _note(text_starts: str) -> QProgressDialog | None:
    """The progress note on screen whose text starts so, if one is showing."""
    notes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)]
    return next((n for n in notes if n.isVisible() and n.labelText().startswith(text_starts)), None)


class Heartbeat:
    """A timer ticking every 50 ms: gaps between ticks show whether the window froze."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(50)
        self.timer.timeout.connect(lambda: self.ticks.append(time.monotonic()))
        self.timer.start()

    def longest_gap(self) -> float:
        self.timer.stop()
        assert self.ticks  # none at all: the window was frozen the whole time
        return max((b - a for a, b in itertools.pairwise(self.ticks)), default=0.0)


def when_shown(text_starts: str, then: Callable[[QProgressDialog], None]) -> QTimer:
    """Once the note is showing and the server has a message: ``then(note)`` (polled)."""
    done: list[bool] = []
    poll = QTimer()
    poll.setInterval(50)

    def look() -> None:
        note = _note(text_starts)
        if note is not None and not done:
            done.append(True)
            poll.stop()
            then(note)

    poll.timeout.connect(look)
    poll.start()
    return poll


def save_with_note(window: QWidget, note: QProgressDialog, path: Path) -> None:
    """The window with the note over its middle, as the user sees them, saved as PNG."""
    picture = window.grab()
    painter = QPainter(picture)
    shown = note.grab()
    painter.drawPixmap(
        (picture.width() - shown.width()) // 2, (picture.height() - shown.height()) // 2, shown
    )
    painter.end()
    picture.save(str(path))


@pytest.fixture
def quick_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A mail server that stalls gives up in seconds, so a frozen desk fails fast."""
    monkeypatch.setattr(mail, "TIMEOUT_SECONDS", 3)


@pytest.fixture
def said(desk: TestDesk) -> list[str]:
    """What the desk announces in the status bar during the test."""
    news: list[str] = []
    desk.announced.connect(news.append)
    return news


def test_the_desk_answers_while_the_prep_letters_are_emailed(
    screen: LettersScreen, desk: TestDesk, smtp: Mailbox, said: list[str], qtbot: QtBot,
    tmp_path: Path, quick_timeout: None,
) -> None:  # fmt: skip
    window = screen.window()
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)
    smtp.hold()
    seen: list[str] = []

    def look_then_release(note: QProgressDialog) -> None:
        assert smtp.arrived.wait(5)
        seen.append(note.labelText())
        save_with_note(window, note, tmp_path / "letters-emailing.png")
        smtp.release()

    beat = Heartbeat()
    poll = when_shown("Emailing", look_then_release)
    done = screen.email_prep_letters()
    poll.stop()
    assert beat.longest_gap() < 1.0  # the window kept painting and answering
    assert seen == ["Emailing 2 prep letters…"]
    assert done is not None
    assert done.sent == 2
    assert _note("Emailing") is None
    assert len(smtp.received) == 2
    assert _prep_column(screen) == ["Emailed", "Emailed"]
    assert said == ["Prep letters for Tuesday, November 17 emailed to 2 patients."]
    assert desk.refusals == []


def test_cancel_stops_after_the_letter_on_its_way_and_records_the_rest_as_not_sent(
    screen: LettersScreen, smtp: Mailbox, said: list[str], qtbot: QtBot, tmp_path: Path,
    quick_timeout: None,
) -> None:  # fmt: skip
    smtp.hold()
    stopping: list[str] = []

    def cancel_then_release(note: QProgressDialog) -> None:
        assert smtp.arrived.wait(5)
        button = next(b for b in note.findChildren(QPushButton) if b.text() == "Cancel")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        stopping.append(note.labelText())
        save_with_note(screen.window(), note, tmp_path / "letters-stopping.png")
        smtp.release()

    poll = when_shown("Emailing", cancel_then_release)
    done = screen.email_prep_letters()
    poll.stop()
    assert stopping == [STOPPING_TEXT]
    # Zoë's letter was with the server when Cancel was pressed: it went. Ben's never left.
    assert [rcpt for rcpt, _ in smtp.received] == [["zoe@example.org"]]
    assert done is not None
    assert [(o.sent, o.reason) for o in done.outcomes] == [(True, ""), (False, mail.CANCELLED)]
    assert screen.mail_note.text() == "Could not email Ben Łukasiewicz-Núñez: not sent (cancelled)."
    assert _prep_column(screen) == ["Emailed", "Not printed"]
    assert said == [
        "Prep letters for Tuesday, November 17 emailed to 1 patient; 1 could not be emailed."
    ]


def test_the_desk_answers_while_a_schedule_letter_is_emailed(
    desk: TestDesk, smtp: Mailbox, db: Database, qtbot: QtBot, quick_timeout: None
) -> None:
    with db.reading() as s:
        zoe = s.scalars(select(Patient).where(Patient.first_name == "Zoë")).one().id
    smtp.hold()
    seen: list[str] = []

    def look_then_release(note: QProgressDialog) -> None:
        assert smtp.arrived.wait(5)
        seen.append(note.labelText())
        smtp.release()

    beat = Heartbeat()
    poll = when_shown("Emailing", look_then_release)
    news = email_schedule_letter(desk, zoe, None)
    poll.stop()
    assert beat.longest_gap() < 1.0
    assert seen == ["Emailing the schedule letter…"]
    assert news == "; schedule letter emailed"
    assert [rcpt for rcpt, _ in smtp.received] == [["zoe@example.org"]]


# --- the database stays busy after the letters went -----------------------------------------


def while_the_database_stays_busy(db_path: Path, qtbot: QtBot, send: Callable[[], T]) -> T:
    """``send()`` while another workstation keeps saving and the user gives up the wait."""

    def cancel(note: QProgressDialog) -> None:
        button = next(b for b in note.findChildren(QPushButton) if b.text() == "Cancel")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    other = hold_lock(db_path)
    poll = when_shown(WAITING_TEXT, cancel)
    try:
        return send()
    finally:
        poll.stop()
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.sqlite_only
def test_letters_emailed_while_the_database_stays_busy_are_told_in_one_true_sentence(
    screen: LettersScreen, desk: TestDesk, smtp: Mailbox, db_path: Path, qtbot: QtBot
) -> None:
    said: list[str] = []
    desk.announced.connect(said.append)
    assert while_the_database_stays_busy(db_path, qtbot, screen.email_prep_letters) is None
    assert len(smtp.received) == 2
    assert desk.refusals == []  # no "Nothing was saved": the letters did go
    assert screen.mail_note.text() == (
        "2 prep letters emailed but not recorded; do not send them again."
    )
    assert said == []


@pytest.mark.sqlite_only
def test_letters_not_emailed_while_the_database_stays_busy_are_not_said_to_have_gone(
    screen: LettersScreen, desk: TestDesk, smtp: Mailbox, db_path: Path, qtbot: QtBot
) -> None:
    smtp.refuse.update(ADDRESSES.values())
    assert while_the_database_stays_busy(db_path, qtbot, screen.email_prep_letters) is None
    assert smtp.received == []
    assert desk.refusals == []
    assert screen.mail_note.text() == (
        "Nothing was emailed, and that could not be recorded. "
        "Could not email Zoë Łukasiewicz-Núñez: the server refused the address. "
        "Could not email Ben Łukasiewicz-Núñez: the server refused the address."
    )


@pytest.mark.sqlite_only
def test_a_schedule_letter_emailed_while_the_database_stays_busy_says_only_that(
    desk: TestDesk, smtp: Mailbox, db: Database, db_path: Path, qtbot: QtBot
) -> None:
    with db.reading() as s:
        zoe = s.scalars(select(Patient).where(Patient.first_name == "Zoë")).one().id
    news = while_the_database_stays_busy(
        db_path, qtbot, lambda: email_schedule_letter(desk, zoe, None)
    )
    assert news == "; schedule letter emailed but not recorded (do not send it again)"
    assert len(smtp.received) == 1
    assert desk.refusals == []
