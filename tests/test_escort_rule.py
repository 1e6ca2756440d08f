"""The driver rule: a sedating session warns when no driver is on file, asks who takes the
patient home at check-in, and is completed only once someone (or a nurse's reason) is recorded."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from scheduler.domain.enums import LetterKind, Place, SessionStatus
from scheduler.domain.escort import Escort
from scheduler.errors import ServiceError
from scheduler.letters.pdf import PdfRenderer
from scheduler.letters.templates import load_templates
from scheduler.services import booking, letters, schedule
from scheduler.services import session_life as life
from scheduler.store import Database, migrations
from scheduler.store.models import AuditEntry
from tests.conftest import ACTOR, NOW
from tests.factories import (
    CONSULTATION,
    Clinic,
    make_patient,
    propose,
    protocol_id,
    set_up_test_clinic,
)
from tests.letter_fixtures import pdf_text, squashed

RIDE = Escort("Sam Tester", "(207) 555-0101")


@pytest.fixture
def c(db: Database) -> Clinic:
    return set_up_test_clinic(db)


def _first_session(db: Database, c: Clinic) -> int:
    with db.transaction() as s:
        return booking.book_series(s, propose(s, c), actor=ACTOR, now=NOW).sessions[0].id


def _starts(db: Database, session_id: int) -> dt.datetime:
    with db.reading() as s:
        return life.get_session(s, session_id).starts_at


def _audit(db: Database, session_id: int) -> list[tuple[str, str, dict[str, object] | None]]:
    with db.reading() as s:
        rows = s.execute(
            select(AuditEntry.action, AuditEntry.reason, AuditEntry.after)
            .where(AuditEntry.entity == "sessions", AuditEntry.entity_id == session_id)
            .order_by(AuditEntry.id)
        )
        return [(r.action, r.reason, r.after) for r in rows]


def test_a_ketamine_patient_with_no_driver_is_not_completed_without_a_word(
    db: Database, c: Clinic
) -> None:
    """Booked, confirmed, checked in and completed with "None on file" used to pass silently."""
    with db.reading() as s:
        warning = booking.escort_warning(s, patient_id=c.patient, protocol_id=c.iv, place=None)
    assert re.fullmatch(
        "Zoë Tester\\d+ has no driver on file, and IV ketamine infusion means someone must take "
        "them home: ask who will, and add them to the patient's details.",
        warning,
    )
    session_id = _first_session(db, c)
    starts = _starts(db, session_id)
    with db.transaction() as s:
        life.confirm(s, session_id, actor=ACTOR, now=NOW)
    with db.transaction() as s:
        life.check_in(s, session_id, actor=ACTOR, now=starts - dt.timedelta(minutes=10))
    with db.reading() as s:
        (view,) = schedule.sessions_between(s, starts, starts + dt.timedelta(minutes=1))
        assert (view.needs_escort, view.escort_name, view.escort_missing) == (True, "", True)
    with (
        pytest.raises(
            ServiceError,
            match=r"^Record who is taking Zoë Tester\d+ home \(or why no one is\) before "
            r"completing this session\.$",
        ),
        db.transaction() as s,
    ):
        life.complete(s, session_id, actor=ACTOR, now=starts + dt.timedelta(minutes=90))
    with db.reading() as s:
        assert life.get_session(s, session_id).status == SessionStatus.CHECKED_IN.value


def test_check_in_records_the_driver_in_the_same_audited_step(db: Database, c: Clinic) -> None:
    session_id = _first_session(db, c)
    starts = _starts(db, session_id)
    with db.transaction() as s:
        life.check_in(s, session_id, actor=ACTOR, now=starts, escort=RIDE)
    with db.transaction() as s:
        done = life.complete(s, session_id, actor=ACTOR, now=starts + dt.timedelta(minutes=90))
        assert done.status == SessionStatus.COMPLETED.value
    checked_in = [a for a in _audit(db, session_id) if a[0] == "session.checked_in"]
    (after,) = [a[2] for a in checked_in]
    assert after is not None
    assert (after["status"], after["escort_name"], after["escort_phone"]) == (
        "checked_in", "Sam Tester", "(207) 555-0101",
    )  # fmt: skip
    with db.reading() as s:
        (view,) = schedule.sessions_between(s, starts, starts + dt.timedelta(minutes=1))
        assert (view.escort_name, view.escort_missing) == ("Sam Tester", False)


def test_a_nurse_may_complete_with_a_reason_kept_in_the_audit_trail(
    db: Database, c: Clinic
) -> None:
    session_id = _first_session(db, c)
    starts = _starts(db, session_id)
    with db.transaction() as s:
        life.check_in(s, session_id, actor=ACTOR, now=starts)
    later = starts + dt.timedelta(minutes=90)
    with db.transaction() as s:
        life.complete(
            s, session_id, actor=ACTOR, now=later, no_escort_reason=" Stays for a ride service "
        )
    completed = [a for a in _audit(db, session_id) if a[0] == "session.completed"]
    assert [(a[1], (a[2] or {})["no_escort_reason"]) for a in completed] == [
        ("Goes home without a driver: Stays for a ride service", "Stays for a ride service")
    ]


def test_the_driver_can_be_recorded_when_completing(db: Database, c: Clinic) -> None:
    session_id = _first_session(db, c)
    starts = _starts(db, session_id)
    with db.transaction() as s:
        done = life.complete(
            s, session_id, actor=ACTOR, now=starts + dt.timedelta(minutes=90), escort=RIDE
        )
        assert done.status is SessionStatus.COMPLETED
        assert life.get_session(s, session_id).escort_name == "Sam Tester"


def step(s: Session, session_id: int, escort: Escort | None, reason: str, at: dt.datetime) -> None:
    """Complete with a nurse's reason, or check in with the driver typed."""
    if reason:
        life.complete(s, session_id, actor=ACTOR, now=at, no_escort_reason=reason)
    else:
        life.check_in(s, session_id, actor=ACTOR, now=at, escort=escort)


@pytest.mark.parametrize(
    ("escort", "reason", "message"),
    [
        (Escort("  ", "555 0101 22"), "", "Say who is taking the patient home"),
        (Escort("Sam", "call me"), "", "The driver's phone: “call me” may hold only digits"),
        (None, "   ", "Record who is taking Zoë Tester\\d+ home"),
    ],
)
def test_bad_driver_details_are_refused_and_nothing_is_written(
    db: Database, c: Clinic, escort: Escort | None, reason: str, message: str
) -> None:
    session_id = _first_session(db, c)
    starts = _starts(db, session_id)
    with pytest.raises(ServiceError, match=message), db.transaction() as s:
        step(s, session_id, escort, reason, starts)
    with db.reading() as s:
        session = life.get_session(s, session_id)
        assert (session.status, session.escort_name) == (SessionStatus.BOOKED.value, "")


def test_no_warning_with_a_driver_on_file_or_for_a_visit(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        driven = make_patient(s, first_name="Dee", driver_name="Sam Tester")
        consultation = protocol_id(s, CONSULTATION)
    with db.reading() as s:
        assert booking.escort_warning(s, patient_id=driven, protocol_id=c.iv, place=None) == ""
        assert (
            booking.escort_warning(s, patient_id=c.patient, protocol_id=consultation, place=None)
            == ""
        )
        # A home visit sends no one home: the nurse comes to the patient.
        assert (
            booking.escort_warning(s, patient_id=c.patient, protocol_id=c.iv, place=Place.HOME)
            == ""
        )


def test_a_visit_is_completed_without_a_driver(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        consultation = protocol_id(s, CONSULTATION)
        session = booking.book_single(
            s, patient_id=c.patient, protocol_id=consultation,
            starts_at=NOW + dt.timedelta(days=2), chair_id=None, place=Place.VIDEO, actor=ACTOR,
            now=NOW,
        )  # fmt: skip
        session_id, starts = session.id, session.starts_at
    with db.transaction() as s:
        done = life.complete(s, session_id, actor=ACTOR, now=starts + dt.timedelta(minutes=60))
        assert done.status == SessionStatus.COMPLETED.value


def test_the_prep_letter_names_the_driver_recorded_for_the_day(
    db: Database, c: Clinic, tmp_path: Path
) -> None:
    session_id = _first_session(db, c)
    starts = _starts(db, session_id)
    templates, renderer = load_templates(None), PdfRenderer()

    def prep_text(out: Path) -> str:
        with db.transaction() as s:
            batch = letters.session_letter(
                s, session_id, LetterKind.PREP, out_dir=out, templates=templates,
                renderer=renderer, actor=ACTOR, now=starts,
            )  # fmt: skip
        return squashed(pdf_text(batch.files[0].read_bytes()))

    assert "Please ask an adult to pick you up." in prep_text(tmp_path / "before")
    with db.transaction() as s:
        life.check_in(s, session_id, actor=ACTOR, now=starts, escort=RIDE)
    assert "Your driver on file is Sam Tester, phone (207) 555-0101." in prep_text(
        tmp_path / "after"
    )


def test_migration_0008_can_be_undone_and_redone_with_sessions_on_the_books(
    db: Database, c: Clinic
) -> None:
    session_id = _first_session(db, c)
    with db.transaction() as s:
        life.check_in(s, session_id, actor=ACTOR, now=_starts(db, session_id), escort=RIDE)
    with db.engine.begin() as conn:
        command.downgrade(migrations.alembic_config(conn), "0007")
        assert "escort_name" not in {col["name"] for col in inspect(conn).get_columns("sessions")}
        command.upgrade(migrations.alembic_config(conn), "head")
    with db.reading() as s:
        session = life.get_session(s, session_id)
        # The sessions on the books start again with nobody recorded.
        assert (session.status, session.escort_name, session.no_escort_reason) == (
            SessionStatus.CHECKED_IN.value, "", "",
        )  # fmt: skip
