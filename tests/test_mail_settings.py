"""The mail server in Settings: the password goes to the credential store and nowhere else;
unencrypted mail only on loopback; consent to email is recorded with its day."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from sqlalchemy import select, text

from scheduler.domain.enums import MailSecurity
from scheduler.domain.patients import PatientDetails
from scheduler.errors import ServiceError, ValidationFailed
from scheduler.services.mail_password import NO_STORE
from scheduler.services.mail_settings import MailServer, mail_server, save_mail_server
from scheduler.services.patients import patient_chart, save_patient
from scheduler.store import Database
from scheduler.store.models import AuditEntry
from tests.conftest import ACTOR, NOW

SECRET = "s3cret-Ünïcode-pass"
SERVER = MailServer(
    "smtp.harbor.example", 587, MailSecurity.STARTTLS, "desk", "desk@harbor.example"
)


class MemoryKeyring(KeyringBackend):
    """A credential store that keeps passwords in this process only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.kept.pop((service, username), None)


@pytest.fixture
def store() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(before)


@pytest.fixture
def no_store() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(before)


def test_the_password_goes_to_the_credential_store_never_to_the_database(
    db: Database, store: MemoryKeyring
) -> None:
    with db.transaction() as s:
        saved = save_mail_server(s, SERVER, password=SECRET, actor=ACTOR, now=NOW)
    assert saved.password_kept
    assert list(store.kept.values()) == [SECRET]
    with db.reading() as s:
        assert mail_server(s).host == "smtp.harbor.example"
        settings_row = s.execute(text("SELECT * FROM clinic_settings")).one()
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "mail.update")).all()
    assert SECRET not in repr(tuple(settings_row))
    assert len(entries) == 1
    assert SECRET not in json.dumps([e.before for e in entries] + [e.after for e in entries])


def test_without_a_credential_store_the_password_is_refused_in_one_sentence_and_nothing_saved(
    db: Database, no_store: None
) -> None:
    with db.transaction() as s:
        assert not mail_server(s).store_available
    with pytest.raises(ServiceError) as refused, db.transaction() as s:
        save_mail_server(s, SERVER, password=SECRET, actor=ACTOR, now=NOW)
    assert str(refused.value) == NO_STORE
    with db.reading() as s:
        assert mail_server(s).host == ""


@pytest.mark.parametrize(
    ("server", "field"),
    [
        (MailServer("smtp.harbor.example", 25, MailSecurity.NONE, "", "desk@harbor.example"),
         "security"),
        (MailServer("", 587, MailSecurity.STARTTLS, "", "desk@harbor.example"), "host"),
        (MailServer("smtp.harbor.example", 0, MailSecurity.TLS, "", "desk@harbor.example"),
         "port"),
        (MailServer("smtp.harbor.example", 587, MailSecurity.TLS, "", "desk"), "from_address"),
    ],
)  # fmt: skip
def test_unencrypted_mail_only_to_this_computer_and_the_fields_are_checked(
    db: Database, server: MailServer, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused, db.transaction() as s:
        save_mail_server(s, server, password=None, actor=ACTOR, now=NOW)
    assert [p.field for p in refused.value.problems] == [field]


def test_loopback_may_go_unencrypted(db: Database) -> None:
    for host in ("127.0.0.1", "localhost", "::1"):
        loopback = MailServer(host, 1025, MailSecurity.NONE, "", "desk@harbor.example")
        with db.transaction() as s:
            assert save_mail_server(s, loopback, password=None, actor=ACTOR, now=NOW).host == host


def test_consent_to_email_is_recorded_with_the_clinic_s_day_and_withdrawn_with_it(
    db: Database,
) -> None:
    details = PatientDetails("Dana", "Kowalski", dt.date(1984, 3, 9), email="dana@example.org",
                             email_consent=True)  # fmt: skip
    with db.transaction() as s:
        patient_id = save_patient(s, None, details, actor=ACTOR, now=NOW).patient_id
    with db.reading() as s:
        chart = patient_chart(s, patient_id)
    assert chart.details.email_consent
    assert chart.email_consent_on == NOW.date()
    later = NOW + dt.timedelta(days=3)
    with db.transaction() as s:
        save_patient(s, patient_id, details, actor=ACTOR, now=later)  # kept: still the first day
        assert patient_chart(s, patient_id).email_consent_on == NOW.date()
        withdrawn = PatientDetails("Dana", "Kowalski", dt.date(1984, 3, 9),
                                   email="dana@example.org")  # fmt: skip
        save_patient(s, patient_id, withdrawn, actor=ACTOR, now=later)
    with db.reading() as s:
        assert patient_chart(s, patient_id).email_consent_on is None
        updates = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "patient.update").order_by(AuditEntry.id)
        ).all()
    assert updates[-1].before is not None
    assert updates[-1].after is not None
    assert updates[-1].before["email_consent_on"] == NOW.date().isoformat()
    assert updates[-1].after["email_consent_on"] is None
