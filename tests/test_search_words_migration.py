"""Migration 0007: patients already on file are found through the new search words."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from scheduler.services.patients import count_patients, search_patients
from scheduler.store import migrations, open_database
from tests.conftest import NOW

# The clinic "from before" is a SQLite file written at revision 0006 with plain SQL.
pytestmark = pytest.mark.sqlite_only

_PATIENT = (
    "INSERT INTO patients (chart_number, first_name, last_name, preferred_name, "
    "date_of_birth, mobile_phone, home_phone, email, street, city, region, postal_code, "
    "driver_name, driver_phone, referring_provider, indications, rems_enrolled, notes, "
    "archived, name_key, phone_digits, created_at, updated_at) VALUES "
    "(:chart, :first, :last, '', '1980-02-03', :phone, '', '', '', '', '', '', '', '', '', "
    "'', 0, '', :archived, :key, '', '2026-01-01 10:00:00', '2026-01-01 10:00:00')"
)


def _clinic_at_0006(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrations.upgrade(conn, "0006")
        for chart, first, last, phone, archived in (
            ("100001", "Zoë", "Łukasiewicz-Núñez", "(207) 555-0142", 0),
            ("100002", "花子", "山田", "", 0),
            ("100003", "Seán", "O'Brien", "207-555-9876", 1),
        ):
            conn.execute(
                text(_PATIENT),
                {"chart": chart, "first": first, "last": last, "phone": phone,
                 "archived": archived, "key": f" {last.lower()}"},
            )  # fmt: skip
    engine.dispose()


def test_upgrade_fills_the_search_words_of_every_patient(db_path: Path) -> None:
    _clinic_at_0006(db_path)
    database = open_database(str(db_path), now=NOW)
    try:
        with database.reading() as db:

            def found(typed: str) -> list[str]:
                return [p.chart_number for p in search_patients(db, typed, include_archived=True)]

            assert found("nunez") == found("zo") == found("0142") == ["100001"]
            assert found("山田") == found("山") == ["100002"]
            assert found("obrien") == found("9876") == ["100003"]
            assert [p.chart_number for p in search_patients(db, "obrien")] == []  # archived
            assert count_patients(db, "10000") == 2
    finally:
        database.engine.dispose()
