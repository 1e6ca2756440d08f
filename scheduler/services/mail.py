"""Emailing letters: a day's prep letters, and the schedule letter when a course is booked.

Only patients who agreed to email (``Patient.email_consent_on``) and have an address get
one. Each message is short plain text whose subject names the day and time, never a
therapy or a reason for treatment; the letter goes as a PDF attachment with the calendar
file beside it. Every message sent, and every one that could not be, is recorded per
session (``LetterEmail``) with the reason in words; one failure never stops the rest.
Nothing here logs a message body, an address or the password.

A run is three steps, so that no write lock is held while the mail server talks (a slow or
unreachable server would keep every other workstation from saving for as long as it took):
``prepare_*`` reads (permission, Settings, the password, the sessions, the messages built)
into a ``Mailing``; ``send_mailing`` sends it with no database at all; ``record_mailing`` writes
each message's ``LetterEmail`` row and audit entry in one short transaction. Only the last may
be retried when the database is busy: a retry records again, it never sends again.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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

_Built = tuple[Patient, int | None, EmailMessage]  # a message with its patient and session id

# How long the desk waits for the mail server before giving up on it.
TIMEOUT_SECONDS = 20
# Why a message was not sent when the user stopped the run before it left.
CANCELLED = "not sent (cancelled)"


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
class Outgoing:
    """A message ready to go, and what to record when it went (or did not)."""

    patient_id: int
    patient_name: str
    session_id: int | None  # None for a schedule letter (every upcoming session)
    message: EmailMessage


@dataclass(frozen=True)
class Outbox:
    """The clinic's mail server as Settings had it when the run was prepared."""

    host: str
    port: int
    security: MailSecurity
    user: str
    password: str = field(repr=False)  # "" when the server takes mail without signing in


@dataclass(frozen=True)
class Mailing:
    """An emailing run read and built, ready to send with no database open.

    Plain values only: nothing in it needs the session it was read in.
    """

    kind: LetterKind
    outbox: Outbox
    messages: tuple[Outgoing, ...]
    left_out: int = 0  # sessions whose patient has not agreed to email or has no address


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


def _connect(outbox: Outbox) -> smtplib.SMTP:
    """An open, signed-in connection to the clinic's mail server."""
    host, port = outbox.host, outbox.port
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if outbox.security is MailSecurity.TLS:
        server = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
    try:
        if outbox.security is MailSecurity.STARTTLS:
            try:
                server.starttls(context=context)
            except smtplib.SMTPNotSupportedError as exc:
                raise _NoStartTls() from exc
        if outbox.user:
            server.login(outbox.user, outbox.password)
    except BaseException:
        server.close()
        raise
    return server


def _ready(settings: ClinicSettings) -> Outbox:
    """The mail server and the password to sign in with ("" for none); refuses, in one
    sentence, a run that cannot send anything."""
    if not (settings.smtp_host and settings.smtp_from):
        raise ServiceError(
            "Email is not set up: enter the mail server and the from-address in Settings, Email."
        )
    password: str | None = ""
    if settings.smtp_user:
        password = stored_password(settings.smtp_user, settings.smtp_host)
    if password is None:
        raise ServiceError(
            "No password for the mail server is kept on this computer; enter it in Settings, Email."
        )
    return Outbox(
        settings.smtp_host, settings.smtp_port, settings.smtp_security, settings.smtp_user,
        password,
    )  # fmt: skip


def send_mailing(
    mailing: Mailing, stopped: Callable[[], bool] = lambda: False
) -> tuple[MailOutcome, ...]:
    """Send each message over one connection; a failure is that patient's, never the run's.

    Touches no database: call it between the read that prepared the run and the transaction
    that records it, so that the mail server's pace never holds the clinic's write lock.
    ``stopped`` is asked before each message (the desk's Cancel): a message already handed to
    the server has gone; those not sent yet are told (and recorded) as ``CANCELLED``.
    """
    messages = mailing.messages
    if not messages:
        return ()
    try:
        server = _connect(mailing.outbox)
    except (OSError, smtplib.SMTPException) as exc:
        reason = _refused(exc)
        return tuple(MailOutcome(m.patient_name, False, reason) for m in messages)
    outcomes = []
    try:
        for item in messages:
            if stopped():
                outcomes.append(MailOutcome(item.patient_name, False, CANCELLED))
                continue
            try:
                server.send_message(item.message)
            except (OSError, smtplib.SMTPException) as exc:
                outcomes.append(MailOutcome(item.patient_name, False, _refused(exc)))
            else:
                outcomes.append(MailOutcome(item.patient_name, True))
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return tuple(outcomes)


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


def record_mailing(
    db: Session,
    mailing: Mailing,
    outcomes: Sequence[MailOutcome],
    *,
    actor: Actor,
    now: dt.datetime,
) -> MailRun:
    """Record a sent run: a ``LetterEmail`` row and its audit entry for each message, sent or
    not. Safe to retry when the database was busy (the messages are not sent again)."""
    require(actor, Permission.EMAIL)
    for item, outcome in zip(mailing.messages, outcomes, strict=True):
        row = LetterEmail(
            kind=mailing.kind,
            patient_id=item.patient_id,
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
    return MailRun(mailing.kind, tuple(outcomes), left_out=mailing.left_out)


def _mailing(kind: LetterKind, outbox: Outbox, built: Sequence[_Built], left_out: int) -> Mailing:
    messages = tuple(
        Outgoing(patient.id, patient.display_name, session_id, message)
        for patient, session_id, message in built
    )
    return Mailing(kind, outbox, messages, left_out)


# --- the runs -----------------------------------------------------------------------------


def prepare_prep_emails(
    db: Session,
    day: dt.date,
    *,
    templates: TemplateSet,
    renderer: LetterRenderer,
    actor: Actor,
    now: dt.datetime,
) -> Mailing:
    """Each consenting patient of ``day``'s prep letter and the session's .ics, built from a
    read (``Database.reading()``) and ready for ``send_mailing``."""
    require(actor, Permission.EMAIL)
    settings = get_settings(db)
    outbox = _ready(settings)
    clinic, _notes = clinic_facts(settings)
    today = now.astimezone(clinic.zone).date()
    everyone = live_sessions_on(db, day, day, clinic.zone)
    sessions = [s for s in everyone if may_email(s.patient)]
    built = [_prep_message(s, settings, clinic, templates, renderer, today, now) for s in sessions]
    return _mailing(LetterKind.PREP, outbox, built, len(everyone) - len(sessions))


def _prep_message(
    session: TreatmentSession,
    settings: ClinicSettings,
    clinic: ClinicFacts,
    templates: TemplateSet,
    renderer: LetterRenderer,
    today: dt.date,
    now: dt.datetime,
) -> _Built:
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
    return patient, session.id, message


def prepare_schedule_email(
    db: Session,
    patient_id: int,
    *,
    templates: TemplateSet,
    renderer: LetterRenderer,
    actor: Actor,
    now: dt.datetime,
) -> Mailing | None:
    """A consenting patient's schedule letter and .ics built from a read, ready for
    ``send_mailing``; None when the patient is not to be emailed or has nothing upcoming.

    Prepared after a booking has been committed: a failure in the send is recorded and told
    in a transaction of its own, and never touches the booking.
    """
    require(actor, Permission.EMAIL)
    patient = get_patient(db, patient_id)
    sessions = upcoming_sessions(db, patient.id, now)
    if not may_email(patient) or not sessions:
        return None
    settings = get_settings(db)
    outbox = _ready(settings)
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
    return _mailing(LetterKind.SCHEDULE, outbox, [(patient, None, message)], 0)


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
