"""Emailed letters, sent to a real SMTP server on loopback: who gets one, what it carries,
and a refused address that is recorded while the others still go."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.cli import main
from scheduler.domain.access import Actor
from scheduler.domain.enums import LetterKind, MailSecurity, StaffRole
from scheduler.errors import NotAllowed
from scheduler.letters.pdf import PdfRenderer
from scheduler.letters.templates import load_templates
from scheduler.services.mail import (
    CANCELLED,
    MailRun,
    emailed_kinds,
    prepare_prep_emails,
    prepare_schedule_email,
    record_mailing,
    send_mailing,
)
from scheduler.services.mail_settings import MailServer, save_mail_server
from scheduler.store import Database
from scheduler.store.models import LetterEmail, Patient
from tests.conftest import ACTOR, NOW
from tests.factories import NURSE_AMY
from tests.letter_fixtures import (
    PatientSpec,
    add_patient,
    add_printing_nurse,
    add_series,
    local_time,
)
from tests.mail_server import Mailbox, mail_server

DAY = dt.date(2026, 11, 24)  # a Tuesday
CLINIC_FROM = "desk@harbor.example"


@pytest.fixture
def smtp(db: Database) -> Iterator[tuple[Mailbox, int]]:
    """A loopback mail server, and the clinic's Settings pointing at it."""
    with mail_server() as (box, port):
        server = MailServer("127.0.0.1", port, MailSecurity.NONE, "", CLINIC_FROM)
        with db.transaction() as s:
            save_mail_server(s, server, password=None, actor=ACTOR, now=NOW)
        yield box, port


def _patient(s: Session, first: str, last: str, email: str, *, consent: bool) -> Patient:
    patient = add_patient(s, PatientSpec(first, last))
    patient.email = email
    patient.email_consent_on = dt.date(2026, 11, 2) if consent else None
    return patient


@pytest.fixture
def day(db: Database) -> dict[str, int]:
    """Three patients on DAY: Dana and Zoë agreed to email, Liam did not."""
    with db.transaction() as s:
        dana = _patient(s, "Dana", "Kowalski", "dana@example.org", consent=True)
        liam = _patient(s, "Liam", "O'Brien", "liam@example.org", consent=False)
        zoe = _patient(s, "Zoë", "Łukasiewicz-Núñez", "zoe@example.org", consent=True)
        ids = {}
        for patient, hour in ((dana, 9), (liam, 11), (zoe, 13)):
            (session,) = add_series(s, patient, "iv_ketamine", [local_time(DAY, hour)],
                                    planned_count=6)  # fmt: skip
            ids[patient.first_name] = session.id
        return ids


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        data = part.get_content()
        found[part.get_filename() or ""] = data if isinstance(data, bytes) else data.encode()
    return found


def _email_prep_letters(db: Database) -> MailRun:
    """A run's three steps as the desk and ``remind`` take them: read, send, record."""
    with db.reading() as s:
        mailing = prepare_prep_emails(s, DAY, templates=load_templates(None),
                                      renderer=PdfRenderer(), actor=ACTOR, now=NOW)  # fmt: skip
    outcomes = send_mailing(mailing)
    with db.transaction() as s:
        return record_mailing(s, mailing, outcomes, actor=ACTOR, now=NOW)


def _remind(db_path: Path | str, password: Path) -> int:
    return main(["remind", "--date", DAY.isoformat(), "--db", str(db_path),
                 "--user", "maria", "--password-file", str(password)])  # fmt: skip


def test_remind_emails_each_consenting_patient_their_prep_letter_and_calendar_file(
    db: Database,
    db_path: Path,
    tmp_path: Path,
    smtp: tuple[Mailbox, int],
    day: dict[str, int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    box, _port = smtp
    password = add_printing_nurse(db, db_path, tmp_path)
    assert _remind(db_path, password) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Emailed Dana Kowalski.",
        "Emailed Zoë Łukasiewicz-Núñez.",
        "Prep letters for Tuesday, November 24, 2026 emailed to 2 patients; "
        "1 without consent to email or an address.",
    ]
    assert [rcpt for rcpt, _ in box.received] == [["dana@example.org"], ["zoe@example.org"]]
    _, dana = box.received[0]
    # The subject names the day and time, never the therapy or a reason for treatment.
    assert dana["Subject"] == "Your appointment on Tue, Nov 24 at 9:00 AM"
    assert "ketamine" not in dana["Subject"].lower()
    assert CLINIC_FROM in dana["From"]
    body = dana.get_body(("plain",))
    assert body is not None
    assert "Dear Dana Kowalski," in body.get_content()
    files = _attachments(dana)
    assert sorted(files) == ["appointment-2026-11-24.ics", "appointment-2026-11-24.pdf"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(files[
        "appointment-2026-11-24.pdf"])).pages)  # fmt: skip
    assert "Dana" in text
    assert "Kowalski" in text
    (event,) = Calendar.from_ical(files["appointment-2026-11-24.ics"]).walk("VEVENT")
    starts = event.decoded("dtstart")
    assert (starts.date(), starts.hour, starts.minute) == (DAY, 9, 0)
    assert str(event["summary"]) == "IV ketamine infusion 1 of 6"
    with db.reading() as s:
        rows = s.scalars(select(LetterEmail).order_by(LetterEmail.id)).all()
        assert [(r.session_id, r.kind, r.sent, r.actor) for r in rows] == [
            (day["Dana"], LetterKind.PREP, True, "maria"),
            (day["Zoë"], LetterKind.PREP, True, "maria"),
        ]
        emailed = emailed_kinds(s, list(day.values()))
    assert emailed == {(day["Dana"], "prep"): True, (day["Zoë"], "prep"): True}


def test_a_refused_address_is_recorded_with_its_reason_and_the_others_still_go(
    db: Database,
    db_path: Path,
    tmp_path: Path,
    smtp: tuple[Mailbox, int],
    day: dict[str, int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    box, _port = smtp
    box.refuse.add("dana@example.org")
    password = add_printing_nurse(db, db_path, tmp_path)
    assert _remind(db_path, password) == 1
    captured = capsys.readouterr()
    assert captured.err == "Could not email Dana Kowalski: the server refused the address.\n"
    assert captured.out.splitlines()[0] == "Emailed Zoë Łukasiewicz-Núñez."
    assert [rcpt for rcpt, _ in box.received] == [["zoe@example.org"]]
    with db.reading() as s:
        rows = s.scalars(select(LetterEmail).order_by(LetterEmail.id)).all()
        assert [(r.session_id, r.sent, r.reason) for r in rows] == [
            (day["Dana"], False, "the server refused the address"),
            (day["Zoë"], True, ""),
        ]
        # A failed message does not count as emailed.
        assert emailed_kinds(s, [day["Dana"]]) == {}


def test_an_unreachable_server_fails_every_message_by_name_and_records_each(
    db: Database, day: dict[str, int]
) -> None:
    with mail_server() as (_box, port):
        pass  # the port is free again: nothing listens there
    server = MailServer("127.0.0.1", port, MailSecurity.NONE, "", CLINIC_FROM)
    with db.transaction() as s:
        save_mail_server(s, server, password=None, actor=ACTOR, now=NOW)
    done = _email_prep_letters(db)
    assert [o.sentence for o in done.failures] == [
        "Could not email Dana Kowalski: the mail server could not be reached.",
        "Could not email Zoë Łukasiewicz-Núñez: the mail server could not be reached.",
    ]
    with db.reading() as s:
        assert len(s.scalars(select(LetterEmail)).all()) == 2


def test_email_must_be_set_up_before_anything_is_tried(
    db: Database, db_path: Path, tmp_path: Path, day: dict[str, int],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    password = add_printing_nurse(db, db_path, tmp_path)
    assert _remind(db_path, password) == 2
    assert capsys.readouterr().err == (
        "error: Email is not set up: enter the mail server and the from-address in Settings, "
        "Email.\n"
    )


def test_the_schedule_letter_goes_to_a_consenting_patient_with_every_upcoming_session(
    db: Database, smtp: tuple[Mailbox, int], day: dict[str, int]
) -> None:
    box, _port = smtp
    with db.reading() as s:
        dana = s.scalars(select(Patient).where(Patient.first_name == "Dana")).one()
        liam = s.scalars(select(Patient).where(Patient.first_name == "Liam")).one()
        templates, renderer = load_templates(None), PdfRenderer()
        mailing = prepare_schedule_email(s, dana.id, templates=templates, renderer=renderer,
                                         actor=NURSE_AMY, now=NOW)  # fmt: skip
        assert prepare_schedule_email(s, liam.id, templates=templates, renderer=renderer,
                                      actor=ACTOR, now=NOW) is None  # fmt: skip
    assert mailing is not None
    outcomes = send_mailing(mailing)
    with db.transaction() as s:
        (sent,) = record_mailing(s, mailing, outcomes, actor=NURSE_AMY, now=NOW).outcomes
    assert sent.sentence == "Emailed Dana Kowalski."
    ((rcpt, message),) = box.received
    assert rcpt == ["dana@example.org"]
    assert message["Subject"] == "Your upcoming appointments"
    files = _attachments(message)
    assert sorted(files) == ["appointments.ics", "appointments.pdf"]
    assert len(Calendar.from_ical(files["appointments.ics"]).walk("VEVENT")) == 1
    with db.reading() as s:
        (row,) = s.scalars(select(LetterEmail)).all()
        assert (row.kind, row.session_id, row.sent) == (LetterKind.SCHEDULE, None, True)


def test_an_administrator_may_not_email_letters(db: Database, smtp: tuple[Mailbox, int]) -> None:
    admin = Actor(None, "alex", "Alex Morgan", frozenset({StaffRole.ADMINISTRATOR}))
    with db.reading() as s, pytest.raises(NotAllowed, match="may not email letters"):
        prepare_prep_emails(s, DAY, templates=load_templates(None), renderer=PdfRenderer(),
                            actor=admin, now=NOW)  # fmt: skip


def test_a_stopped_run_sends_no_more_and_records_the_rest_as_not_sent(
    db: Database, smtp: tuple[Mailbox, int], day: dict[str, int]
) -> None:
    box, _port = smtp
    with db.reading() as s:
        mailing = prepare_prep_emails(s, DAY, templates=load_templates(None),
                                      renderer=PdfRenderer(), actor=ACTOR, now=NOW)  # fmt: skip
    asked: list[int] = []

    def stopped() -> bool:  # Cancel pressed while the first letter was on its way
        asked.append(len(box.received))
        return len(box.received) >= 1

    outcomes = send_mailing(mailing, stopped=stopped)
    with db.transaction() as s:
        run = record_mailing(s, mailing, outcomes, actor=ACTOR, now=NOW)
    assert [rcpt for rcpt, _ in box.received] == [["dana@example.org"]]
    assert [(o.sent, o.reason) for o in run.outcomes] == [(True, ""), (False, CANCELLED)]
    (zoe,) = run.failures
    assert zoe.sentence == "Could not email Zoë Łukasiewicz-Núñez: not sent (cancelled)."
    with db.reading() as s:
        rows = {row.session_id: (row.sent, row.reason) for row in s.scalars(select(LetterEmail))}
    assert rows == {day["Dana"]: (True, ""), day["Zoë"]: (False, CANCELLED)}
