"""Migration 0005: a clinic from before staff accounts keeps its staff and gets accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from scheduler.domain.enums import StaffRole
from scheduler.services import accounts
from scheduler.services.accounts import NewAccount
from scheduler.store import migrations, open_database
from scheduler.store.models import ClinicSettings, Patient, Staff
from tests.conftest import NOW

# The clinic "from before" is written as a SQLite file, as the clinics that predate staff
# accounts all are (PostgreSQL came later).
pytestmark = pytest.mark.sqlite_only


def _clinic_at_0002(path: Path) -> None:
    """A 0002 database with settings, three staff and a patient cleared by the clinician."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrations.upgrade(conn, "0002")
        conn.execute(
            text(
                "INSERT INTO clinic_settings (id, name, address, phone, email, timezone, "
                "paper_size, letter_signature, nurse_patient_limit, arrival_minutes_before, "
                "late_cancel_hours, home_visit_travel_minutes, slot_minutes) VALUES "
                "(1, 'Old Clinic', '', '', '', 'America/New_York', 'Letter', '', 4, 15, 24, 30, 15)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO staff (id, name, role, active) VALUES "
                "(1, 'Dr. Helen Park', 'clinician', 1), (2, 'Maria Santos, RN', 'nurse', 1), "
                "(3, 'Tom Becker', 'front_desk', 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO patients (chart_number, first_name, last_name, preferred_name, "
                "date_of_birth, mobile_phone, home_phone, email, street, city, region, "
                "postal_code, driver_name, driver_phone, referring_provider, indications, "
                "screening_cleared_at, screening_cleared_by_id, rems_enrolled, notes, archived, "
                "name_key, phone_digits, created_at, updated_at) VALUES ('100001', 'Zoë', "
                "'Nowak', '', '1980-02-03', '', '', '', '', '', '', '', '', '', '', '', "
                "'2026-01-01 10:00:00', 1, 0, '', 0, ' nowak zoe', '', '2026-01-01 10:00:00', "
                "'2026-01-01 10:00:00')"
            )
        )
    engine.dispose()


def test_upgrade_keeps_staff_their_roles_and_what_refers_to_them(db_path: Path) -> None:
    _clinic_at_0002(db_path)
    database = open_database(str(db_path), now=NOW)
    try:
        assert database.backup_path is not None
        with database.reading() as db:
            staff = {
                s.name: (set(s.role_set), s.active, s.sign_in) for s in db.scalars(select(Staff))
            }
            patient = db.scalars(select(Patient)).one()
            settings = db.get(ClinicSettings, 1)
            assert settings is not None
            assert settings.idle_lock_minutes == 10
            assert patient.screening_cleared_by_id == 1
            # Nobody can sign in yet: the desk asks for the administrator first.
            assert not accounts.has_accounts(db)
        assert staff == {
            "Dr. Helen Park": ({StaffRole.CLINICIAN}, True, None),
            "Maria Santos, RN": ({StaffRole.NURSE}, True, None),
            "Tom Becker": ({StaffRole.FRONT_DESK}, False, None),
        }
        admin = NewAccount("Alex Morgan", "alex", "long enough pw", frozenset())
        with database.transaction() as db:
            accounts.create_first_administrator(db, admin, now=NOW)
        with database.transaction() as db:
            assert accounts.sign_in(db, "alex", "long enough pw", now=NOW).actor is not None
    finally:
        database.close()


def test_downgrade_to_0002_keeps_each_persons_first_role(db_path: Path) -> None:
    _clinic_at_0002(db_path)
    open_database(str(db_path), now=NOW).close()
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE staff SET roles = 'nurse,clinician' WHERE id = 1"))
        from alembic import command

        command.downgrade(migrations.alembic_config(conn), "0002")
        rows = conn.execute(text("SELECT id, role FROM staff ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "nurse"), (2, "nurse"), (3, "front_desk")]
