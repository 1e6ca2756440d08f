"""Each patient's last completed session, kept by the database: right after every change.

The booster-due list starts from ``patient_last_sessions``; these tests change sessions the
ways a clinic does (complete, undo a completion, cancel what was booked ahead, move, remove)
and the ways other writers do (plain SQL, an upgrade of a database from before the table),
and compare the list with every session looked at one by one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, insert, inspect, select, update

from scheduler.domain.enums import SessionStatus
from scheduler.domain.escort import Escort
from scheduler.services import session_life as life
from scheduler.services.booking import book_single
from scheduler.services.boosters import boosters_due
from scheduler.store import Database, migrations, open_database
from scheduler.store.models import (
    Patient,
    PatientLastSession,
    SessionStatusChange,
    TreatmentSession,
)
from tests.conftest import ACTOR, NOW, set_up_test_clinic_in
from tests.factories import IV_MAINTENANCE, at, protocol_id
from tests.test_boosters import TODAY, _as_checked, _checked_one_by_one, add_booster_clinic


def _last_completed(db: Database) -> dict[int, int]:
    """Patient -> their latest completed session of a course, from the sessions themselves."""
    with db.reading() as s:
        rows = s.execute(
            select(TreatmentSession.patient_id, TreatmentSession.id)
            .where(
                TreatmentSession.status == SessionStatus.COMPLETED.value,
                TreatmentSession.series_id.is_not(None),
            )
            .order_by(TreatmentSession.starts_at, TreatmentSession.id)
        )
        return dict(rows.all())


def _kept(db: Database) -> dict[int, int]:
    with db.reading() as s:
        rows = s.execute(select(PatientLastSession.patient_id, PatientLastSession.session_id))
        return dict(rows.all())


def _list_is_right(db: Database) -> list[str]:
    """Checks the kept rows and the booster list against the sessions; the names listed."""
    assert _kept(db) == _last_completed(db)
    with db.reading() as s:
        whole = boosters_due(s, today=TODAY)
        assert _as_checked(whole) == _checked_one_by_one(s, TODAY)
    return [d.patient_name.split()[0] for d in whole]


def _patient_named(db: Database, first_name: str) -> int:
    with db.reading() as s:
        return s.scalars(select(Patient.id).where(Patient.first_name == first_name)).one()


def test_completing_undoing_and_cancelling_keep_the_list_right(db: Database) -> None:
    add_booster_clinic(db)
    assert _list_is_right(db) == ["Dee", "Ben", "Cai", "Esme", "Zoë"]
    ben = _patient_named(db, "Ben")
    with db.transaction() as s:
        maintenance = protocol_id(s, IV_MAINTENANCE)
        booked = book_single(
            s, patient_id=ben, protocol_id=maintenance, starts_at=at(dt.date(2026, 11, 9), 10),
            chair_id=None, actor=ACTOR, now=at(dt.date(2026, 11, 2), 9),
        )  # fmt: skip
        life.check_in(
            s, booked.id, actor=ACTOR, now=at(dt.date(2026, 11, 9), 10), escort=Escort("Ann Lee")
        )
        life.complete(s, booked.id, actor=ACTOR, now=at(dt.date(2026, 11, 9), 12))
    assert _kept(db)[ben] == booked.id
    assert _list_is_right(db) == ["Dee", "Cai", "Esme", "Zoë"]  # Ben came a week ago

    # A completion undone (no desk action does it; a correction in the database might).
    with db.transaction() as s:
        s.execute(
            update(TreatmentSession)
            .where(TreatmentSession.id == booked.id)
            .values(status=SessionStatus.CHECKED_IN.value)
        )
    assert _kept(db)[ben] != booked.id
    assert _list_is_right(db) == ["Dee", "Ben", "Cai", "Esme", "Zoë"]

    # Booked ahead: off the list; that booking cancelled: back on it.
    with db.transaction() as s:
        ahead = book_single(
            s, patient_id=ben, protocol_id=maintenance, starts_at=at(dt.date(2026, 11, 24), 10),
            chair_id=None, actor=ACTOR, now=NOW,
        )  # fmt: skip
    assert _list_is_right(db) == ["Dee", "Cai", "Esme", "Zoë"]
    with db.transaction() as s:
        life.cancel(s, ahead.id, reason="Travelling", actor=ACTOR, now=NOW)
    assert _list_is_right(db) == ["Dee", "Ben", "Cai", "Esme", "Zoë"]


def test_moving_and_removing_sessions_keep_the_rows_right(db: Database) -> None:
    add_booster_clinic(db)
    cai, dee = _patient_named(db, "Cai"), _patient_named(db, "Dee")
    with db.transaction() as s:
        # Cai's last session moved back in time, then handed to Dee (a session filed under
        # the wrong patient, put right): both patients' rows follow.
        cais = s.scalars(select(TreatmentSession).where(TreatmentSession.patient_id == cai)).one()
        cais.starts_at -= dt.timedelta(days=30)
        cais.ends_at -= dt.timedelta(days=30)
        s.flush()
        cais.patient_id = dee
    assert cai not in _kept(db)
    assert _kept(db)[dee] == cais.id
    _list_is_right(db)
    with db.transaction() as s:
        s.execute(delete(SessionStatusChange).where(SessionStatusChange.session_id == cais.id))
        s.execute(delete(TreatmentSession).where(TreatmentSession.id == cais.id))
    assert _list_is_right(db) == ["Dee", "Ben", "Esme", "Zoë"]


def test_an_upgrade_fills_the_rows_from_the_sessions_on_file(db_path: Path | str) -> None:
    """A database with sessions on file at revision 0008, before the table existed."""
    database = open_database(str(db_path), now=NOW)
    # The clinic is written by today's services, then taken back to 0008: the sessions stay,
    # the table and its triggers go (the services cannot write at 0008's schema).
    set_up_test_clinic_in(database)
    add_booster_clinic(database)
    expected = _last_completed(database)
    with database.engine.begin() as conn:
        command.downgrade(migrations.alembic_config(conn), "0008")
    with database.engine.connect() as conn:
        assert migrations.current_revision(conn) == "0008"
        assert "patient_last_sessions" not in inspect(conn).get_table_names()
    database.close()

    upgraded = open_database(str(db_path), now=NOW)
    try:
        assert _kept(upgraded) == expected
        assert _list_is_right(upgraded) == ["Dee", "Ben", "Cai", "Esme", "Zoë"]
        # The triggers work from the upgrade on.
        with upgraded.transaction() as s:
            s.execute(
                update(TreatmentSession)
                .where(TreatmentSession.id == expected[_patient_named(upgraded, "Ben")])
                .values(status=SessionStatus.CANCELLED.value)
            )
        assert _list_is_right(upgraded) == ["Dee", "Cai", "Esme", "Zoë"]
    finally:
        upgraded.close()


# More patients than PostgreSQL's shared lock table holds for one transaction on the test
# server (64 locks per connection × 200 connections, and the spare shared memory), as a
# restore or a whole copy of a clinic network writes them. SQLite has no such table.
MANY_PATIENTS = 100_000


@pytest.mark.postgres_only
def test_one_transaction_may_complete_sessions_of_a_whole_clinic(db: Database) -> None:
    add_booster_clinic(db)
    with db.reading() as s:
        patient = s.scalars(select(Patient).limit(1)).one()
        session = s.scalars(
            select(TreatmentSession).where(
                TreatmentSession.status == SessionStatus.COMPLETED.value,
                TreatmentSession.series_id.is_not(None),
            )
        ).first()
        assert session is not None
        patient_row = {c.key: getattr(patient, c.key) for c in Patient.__table__.columns}
        session_row = {c.key: getattr(session, c.key) for c in TreatmentSession.__table__.columns}
    first_id = 1_000_000
    patients = [
        {**patient_row, "id": first_id + n, "chart_number": f"M{n:07d}"}
        for n in range(MANY_PATIENTS)
    ]
    sessions = [
        {**session_row, "id": first_id + n, "patient_id": first_id + n}
        for n in range(MANY_PATIENTS)
    ]
    with db.transaction() as s:  # one transaction, as a restore writes a clinic
        s.execute(insert(Patient), patients)
        s.execute(insert(TreatmentSession), sessions)
    kept = _kept(db)
    assert all(kept[first_id + n] == first_id + n for n in range(MANY_PATIENTS))
    assert kept == _last_completed(db)
