"""Emailing letters: a day's prep letters, and the schedule letter when a course is booked.

Only patients who agreed to email (``Patient.email_consent_on``) and have an address get
one. Each message is short plain text whose subject names the day and time, never a
therapy or a reason for treatment; the letter goes as a PDF attachment with the calendar
file beside it. Every message sent, and every one that could not be, is recorded per
session (``LetterEmail``) with the reason in words; one failure never stops the rest.
Nothing here logs a message body, an address or the password.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.domain.enums import LetterKind, MailSecurity
from scheduler.domain.letters import (
    ClinicFacts,
    LetterRenderer,
    TemplateSet,
    prep_letter,
    schedule_letter,
)
from scheduler.domain.when import clock_time, day_and_date, short_day
from scheduler.errors import ServiceError
from scheduler.letters.calendar_file import CONTENT_TYPE
from scheduler.services import audit
from scheduler.services.access import require
from scheduler.services.calendar_files import patient_calendar, sessions_calendar
from scheduler.services.clinic import get_settings
from scheduler.services.letter_facts import clinic_facts, patient_facts, session_facts
from scheduler.services.letters import live_sessions_on, upcoming_sessions
from scheduler.services.mail_password import stored_password
from scheduler.services.patients import get_patient
from scheduler.services.schedule import SessionIds
from scheduler.store.models import ClinicSettings, LetterEmail, Patient, TreatmentSession

# How long the desk waits for the mail server before giving up on it.
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class MailOutcome:
    """One letter emailed to one patient, or why it could not be."""

    patient_name: str
    sent: bool
    reason: str = ""  # in words, e.g. "the server refused the address"

    @property
    def sentence(self) -> str:
        if self.sent:
            return f"Emailed {self.patient_name}."
        return f"Could not email {self.patient_name}: {self.reason}."


@dataclass(frozen=True)
class MailRun:
    """What one emailing run did: each patient's outcome, and how many were left out."""

    kind: LetterKind
    outcomes: tuple[MailOutcome, ...]
    left_out: int = 0  # sessions whose patient has not agreed to email or has no address

    @property
    def sent(self) -> int:
        return sum(1 for o in self.outcomes if o.sent)

    @property
    def failures(self) -> tuple[MailOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.sent)

    def news(self, span: str) -> str:
        """The run in one sentence for the status bar or the terminal."""
        sent = self.sent
        text = f"{self.kind.capitalize()} letters for {span} emailed to {sent} patient"
        text += "" if sent == 1 else "s"
        if self.failures:
            text += f"; {len(self.failures)} could not be emailed"
        if self.left_out:
            text += f"; {self.left_out} without consent to email or an address"
        return text + "."


@dataclass(frozen=True)
class _Message:
    """A message ready to go, and what to record when it went (or did not)."""

    patient: Patient
    session_id: int | None
    message: EmailMessage


# --- the mail server ----------------------------------------------------------------------


class _NoStartTls(smtplib.SMTPException):
    """The server does not offer STARTTLS, which Settings asks for."""


def _refused(exc: Exception) -> str:
    """The words for why the mail server or the network refused."""
    if isinstance(exc, _NoStartTls):
        return "the mail server does not offer STARTTLS; choose TLS in Settings, Email"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "the server refused the address"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "the server refused the clinic's from-address"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "the mail server did not accept the user name and password"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # Raised while sending only for an address with letters beyond ASCII (SMTPUTF8).
        return "the mail server cannot take an address with accented letters"
    if isinstance(exc, ssl.SSLError):
        return "no secure connection could be made to the mail server"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the mail server answered {exc.smtp_code}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "the mail server did not answer in time"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the mail server closed the connection"
    return "the mail server could not be reached"


def _connect(settings: ClinicSettings, password: str) -> smtplib.SMTP:
    """An open, signed-in connection to the clinic's mail server."""
    host, port = settings.smtp_host, settings.smtp_port
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if settings.smtp_security is MailSecurity.TLS:
        server = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
    try:
        if settings.smtp_security is MailSecurity.STARTTLS:
            try:
                server.starttls(context=context)
            except smtplib.SMTPNotSupportedError as exc:
                raise _NoStartTls() from exc
        if settings.smtp_user:
            server.login(settings.smtp_user, password)
    except BaseException:
        server.close()
        raise
    return server


def _ready(settings: ClinicSettings) -> str:
    """The password to sign in with ("" for none); refuses, in one sentence, a run that
    cannot send anything."""
    if not (settings.smtp_host and settings.smtp_from):
        raise ServiceError(
            "Email is not set up: enter the mail server and the from-address in Settings, Email."
        )
    if not settings.smtp_user:
        return ""
    password = stored_password(settings.smtp_user, settings.smtp_host)
    if password is None:
        raise ServiceError(
            "No password for the mail server is kept on this computer; enter it in Settings, Email."
        )
    return password


def _send_all(
    settings: ClinicSettings, password: str, messages: Sequence[_Message]
) -> list[MailOutcome]:
    """Send each message over one connection; a failure is that patient's, never the run's."""
    if not messages:
        return []
    try:
        server = _connect(settings, password)
    except (OSError, smtplib.SMTPException) as exc:
        reason = _refused(exc)
        return [MailOutcome(m.patient.display_name, False, reason) for m in messages]
    outcomes = []
    try:
        for item in messages:
            try:
                server.send_message(item.message)
            except (OSError, smtplib.SMTPException) as exc:
                outcomes.append(MailOutcome(item.patient.display_name, False, _refused(exc)))
            else:
                outcomes.append(MailOutcome(item.patient.display_name, True))
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return outcomes


# --- the messages -------------------------------------------------------------------------


def _message(
    settings: ClinicSettings,
    clinic: ClinicFacts,
    patient: Patient,
    subject: str,
    lines: Sequence[str],
    now: dt.datetime,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((settings.name, settings.smtp_from))
    message["To"] = formataddr((patient.display_name, patient.email))
    if settings.email:
        message["Reply-To"] = settings.email
    message["Subject"] = subject
    message["Date"] = format_datetime(now.astimezone(dt.UTC))
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2])
    call = f"To change or cancel, please call us at {settings.phone}." if settings.phone else ""
    body = [f"Dear {patient.display_name},", "", *lines, "", *([call, ""] if call else [])]
    message.set_content("\n".join([*body, clinic.signature, ""]))
    return message


def _attach(message: EmailMessage, pdf: bytes, name: str, ics: bytes | None) -> None:
    """The letter as ``name``.pdf and the calendar file as ``name``.ics."""
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{name}.pdf")
    if ics is not None:
        maintype, subtype = CONTENT_TYPE.split("/")
        message.add_attachment(ics, maintype=maintype, subtype=subtype, filename=f"{name}.ics")


def may_email(patient: Patient) -> bool:
    """Whether letters may be emailed to the patient: consent given and an address on file."""
    return patient.email_consent and bool(patient.email)


def _record(
    db: Session,
    kind: LetterKind,
    messages: Sequence[_Message],
    outcomes: Sequence[MailOutcome],
    *,
    actor: Actor,
    now: dt.datetime,
) -> None:
    """A ``LetterEmail`` row and its audit entry for each message, sent or not."""
    for item, outcome in zip(messages, outcomes, strict=True):
        row = LetterEmail(
            kind=kind,
            patient_id=item.patient.id,
            session_id=item.session_id,
            sent=outcome.sent,
            reason=outcome.reason,
            at=now,
            actor=actor.sign_in,
        )
        db.add(row)
        action = "letter.email" if outcome.sent else "letter.email_failed"
        audit.record(db, actor=actor.sign_in, now=now, action=action, row=row, before=None)
    db.flush()


# --- the runs -----------------------------------------------------------------------------


def email_prep_letters(
    db: Session,
    day: dt.date,
    *,
    templates: TemplateSet,
    renderer: LetterRenderer,
    actor: Actor,
    now: dt.datetime,
) -> MailRun:
    """Email each consenting patient of ``day`` their prep letter and the session's .ics."""
    require(actor, Permission.EMAIL)
    settings = get_settings(db)
    password = _ready(settings)
    clinic, _notes = clinic_facts(settings)
    today = now.astimezone(clinic.zone).date()
    everyone = live_sessions_on(db, day, day, clinic.zone)
    sessions = [s for s in everyone if may_email(s.patient)]
    messages = [
        _prep_message(s, settings, clinic, templates, renderer, today, now) for s in sessions
    ]
    # Sent before anything is written: a run's rows and audit entries go in together after.
    outcomes = _send_all(settings, password, messages)
    _record(db, LetterKind.PREP, messages, outcomes, actor=actor, now=now)
    return MailRun(LetterKind.PREP, tuple(outcomes), left_out=len(everyone) - len(sessions))


def _prep_message(
    session: TreatmentSession,
    settings: ClinicSettings,
    clinic: ClinicFacts,
    templates: TemplateSet,
    renderer: LetterRenderer,
    today: dt.date,
    now: dt.datetime,
) -> _Message:
    patient = session.patient
    content = prep_letter(
        clinic, patient_facts(patient, session), session_facts(session), templates, today=today
    )
    pdf = renderer.render(
        [content], title=content.title, author=settings.name, paper_size=settings.paper_size
    )
    starts = session.starts_at.astimezone(clinic.zone)
    when = f"{day_and_date(starts.date())} at {clock_time(starts)}"
    message = _message(
        settings,
        clinic,
        patient,
        f"Your appointment on {short_day(starts.date())} at {clock_time(starts)}",
        [
            f"Your letter for your appointment on {when} is attached. Please read it before "
            "you come. The calendar file puts the appointment in your phone's calendar.",
        ],
        now,
    )
    _attach(message, pdf, f"appointment-{starts:%Y-%m-%d}",
            sessions_calendar(clinic, [session], now=now))  # fmt: skip
    return _Message(patient, session.id, message)


def email_schedule_letter(
    db: Session,
    patient_id: int,
    *,
    templates: TemplateSet,
    renderer: LetterRenderer,
    actor: Actor,
    now: dt.datetime,
) -> MailOutcome | None:
    """Email a consenting patient their schedule letter and .ics; None when not emailed.

    Called after a booking has been committed, in its own transaction: a failure here is
    recorded and told, and never touches the booking.
    """
    require(actor, Permission.EMAIL)
    patient = get_patient(db, patient_id)
    sessions = upcoming_sessions(db, patient.id, now)
    if not may_email(patient) or not sessions:
        return None
    settings = get_settings(db)
    password = _ready(settings)
    clinic, _notes = clinic_facts(settings)
    content = schedule_letter(
        clinic, patient_facts(patient), [session_facts(s) for s in sessions], templates,
        today=now.astimezone(clinic.zone).date(),
    )  # fmt: skip
    pdf = renderer.render(
        [content], title=content.title, author=settings.name, paper_size=settings.paper_size
    )
    count = len(sessions)
    message = _message(
        settings,
        clinic,
        patient,
        "Your upcoming appointments",
        [
            f"The letter attached lists your {count} upcoming appointment"
            f"{'s' if count != 1 else ''}. The calendar file puts them in your phone's calendar.",
        ],
        now,
    )
    _attach(message, pdf, "appointments", patient_calendar(db, clinic, patient.id, now=now))
    item = _Message(patient, None, message)
    (outcome,) = _send_all(settings, password, [item])
    _record(db, LetterKind.SCHEDULE, [item], [outcome], actor=actor, now=now)
    return outcome


def emailed_kinds(db: Session, session_ids: SessionIds) -> dict[tuple[int, str], bool]:
    """Which letters have been emailed for these sessions, keyed by (session id, kind)."""
    if not isinstance(session_ids, Select) and not session_ids:
        return {}
    rows = db.execute(
        select(LetterEmail.session_id, LetterEmail.kind)
        .where(LetterEmail.session_id.in_(session_ids), LetterEmail.sent.is_(True))
        .distinct()
    )
    return {(session_id, kind): True for session_id, kind in rows if session_id is not None}
