"""Email at the desk: the Letters screen emails a day's prep letters and saves a calendar
file, the day's list shows "Emailed", and Settings → Email keeps the password out of the
database (or says in one sentence that this computer cannot keep it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from icalendar import Calendar
from keyring.backends import fail
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from scheduler.domain.enums import MailSecurity
from scheduler.services import mail_settings
from scheduler.services.mail_password import NO_STORE
from scheduler.services.mail_settings import MailServer, save_mail_server
from scheduler.store import Database
from scheduler.store.models import Patient
from scheduler.ui.letters_screen import LettersScreen, email_schedule_letter
from scheduler.ui.session_models import DaySessionsModel
from scheduler.ui.settings.email import EmailTab
from tests.conftest import ACTOR, NOW
from tests.mail_server import Mailbox, mail_server
from tests.test_mail_lock import Meanwhile, book_a_new_patient
from tests.test_mail_settings import MemoryKeyring, store
from tests.ui.conftest import TestDesk
from tests.ui.test_letters_screen import TOMORROW, screen, sessions

# Fixtures shared with the Letters screen's tests (Zoë and Ben tomorrow, Cleo today) and the
# mail settings' (a credential store in memory).
__all__ = ["screen", "sessions", "store"]

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
    desk: TestDesk, smtp: Mailbox, db: Database
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
    desk: TestDesk, smtp: Mailbox, db: Database
) -> None:
    with db.reading() as s:
        zoe = s.scalars(select(Patient).where(Patient.first_name == "Zoë")).one().id
    meanwhile = Meanwhile(smtp, book_a_new_patient(db))
    assert email_schedule_letter(desk, zoe, None) == "; schedule letter emailed"
    meanwhile.join()
    assert meanwhile.error is None, f"the other workstation could not write: {meanwhile.error}"
    assert [rcpt for rcpt, _ in smtp.received] == [["zoe@example.org"]]


DAMAGED = "The clinic's database file is damaged; restore the last backup."


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
    assert screen.mail_note.text() == (
        "2 prep letters emailed but not recorded; do not send them again."
    )
    assert said == []
    screen.grab().save(str(tmp_path / "letters-unrecorded.png"))


def test_a_schedule_letter_emailed_but_not_recorded_says_so_in_the_booking_news(
    desk: TestDesk, smtp: Mailbox, db: Database
) -> None:
    with db.reading() as s:
        zoe = s.scalars(select(Patient).where(Patient.first_name == "Zoë")).one().id
    meanwhile = Meanwhile(smtp, lambda: desk.stop_writing(DAMAGED))
    news = email_schedule_letter(desk, zoe, None)
    meanwhile.join()
    assert news == "; schedule letter emailed but not recorded (do not send it again)"
    assert len(smtp.received) == 1
