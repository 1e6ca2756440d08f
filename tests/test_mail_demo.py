"""The demo clinic through ``remind``: a consenting patient's prep letter and calendar file
arrive at a mail server on loopback, and those who did not agree get nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from scheduler.cli import main
from scheduler.domain.enums import MailSecurity
from scheduler.services.demo import build_demo_clinic
from scheduler.services.mail_settings import MailServer, save_mail_server
from scheduler.store import open_database
from scheduler.store.models import LetterEmail, Patient
from tests.conftest import ACTOR, NOW
from tests.letter_fixtures import pdf_text
from tests.mail_server import mail_server

TODAY = dt.date(2026, 11, 16)
DAY = dt.date(2026, 11, 17)


@pytest.mark.sqlite_only
def test_remind_sends_the_demo_clinic_s_consenting_patients_their_letters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.sqlite3"
    database = open_database(str(path), now=NOW)
    try:
        with database.transaction() as db:
            build_demo_clinic(db, today=TODAY, now=NOW)
            consenting = {
                p.email for p in db.scalars(select(Patient)) if p.email_consent and p.email
            }
            refusing = {p.email for p in db.scalars(select(Patient)) if not p.email_consent}
        assert consenting  # the demo shows patients who agreed, and others who did not
        assert refusing - {""}
        with mail_server() as (box, port):
            with database.transaction() as db:
                server = MailServer("localhost", port, MailSecurity.NONE, "", "desk@demo.example")
                save_mail_server(db, server, password=None, actor=ACTOR, now=NOW)
            password = tmp_path / "password"
            password.write_text("demo-nurse\n", encoding="utf-8")
            args = ["remind", "--date", DAY.isoformat(), "--db", str(path),
                    "--user", "maria", "--password-file", str(password)]  # fmt: skip
            assert main(args) == 0
        with database.reading() as db:
            rows = db.scalars(select(LetterEmail)).all()
    finally:
        database.close()
    assert box.received
    assert len(rows) == len(box.received)
    recipients = {address for rcpt, _ in box.received for address in rcpt}
    assert recipients <= consenting
    assert not recipients & (refusing - consenting)
    _, message = box.received[0]
    parts = {p.get_filename(): p.get_content() for p in message.iter_attachments()}
    pdf = next(v for k, v in parts.items() if k and k.endswith(".pdf"))
    ics = next(v for k, v in parts.items() if k and k.endswith(".ics"))
    assert "Riverside" in pdf_text(pdf)
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("dtstart").date() == DAY
    assert "emailed to" in capsys.readouterr().out
