"""Opening databases: built only by migrations, upgraded with a copy, refused when not ours."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from scheduler.domain.patients import PatientDetails
from scheduler.services.patients import create_patient
from scheduler.store import DatabaseError, migrations, open_database
from scheduler.store.location import ENV_VAR, resolve_database_url
from scheduler.store.models import Base, Patient
from tests.conftest import ACTOR, NOW


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_built_by_the_migrations_alone(db_path: Path) -> None:
    database = open_database(str(db_path), now=NOW)
    try:
        with database.engine.connect() as conn:
            assert migrations.current_revision(conn) == migrations.head_revision()
            tables = set(inspect(conn).get_table_names())
            # The migrated schema is exactly what the models describe: nothing missing, no drift.
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert set(Base.metadata.tables) <= tables
        assert diff == []
        assert database.backup_path is None
    finally:
        database.close()


@pytest.mark.sqlite_only
def test_connection_settings_are_applied(db_path: Path) -> None:
    database = open_database(str(db_path), now=NOW)
    try:
        with database.reading() as db:
            assert db.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert db.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert db.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    finally:
        database.close()


@pytest.mark.sqlite_only
def test_upgrade_of_a_database_holding_data_copies_it_first_and_keeps_rows(
    db_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        migrations.upgrade(conn, "0001")
        conn.execute(
            text(
                "INSERT INTO patients (chart_number, first_name, last_name, preferred_name, "
                "date_of_birth, mobile_phone, home_phone, email, street, city, region, "
                "postal_code, driver_name, driver_phone, referring_provider, indications, "
                "rems_enrolled, notes, archived, name_key, phone_digits, created_at, updated_at) "
                "VALUES ('100001', 'Zoë', 'Nowak', '', '1980-02-03', '', '', '', '', '', '', "
                "'', '', '', '', '', 0, '', 0, ' nowak zoe', '', "
                "'2026-01-01 10:00:00', '2026-01-01 10:00:00')"
            )
        )
    engine.dispose()

    database = open_database(str(db_path), now=NOW)
    try:
        assert database.backup_path is not None
        assert database.backup_path.name.startswith("clinic.sqlite3.before-upgrade-0001-")
        with sqlite3.connect(database.backup_path) as copy:
            assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
            assert copy.execute("SELECT first_name FROM patients").fetchall() == [("Zoë",)]
        with database.reading() as db:
            assert [p.first_name for p in db.scalars(select(Patient))] == ["Zoë"]
        with database.engine.connect() as conn:
            assert migrations.current_revision(conn) == migrations.head_revision()
    finally:
        database.close()


@pytest.mark.sqlite_only
def test_database_from_a_newer_version_is_refused_untouched(db_path: Path) -> None:
    open_database(str(db_path), now=NOW).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = _digest(db_path)

    with pytest.raises(DatabaseError, match="newer version") as refused:
        open_database(str(db_path), now=NOW)

    assert "9999_from_the_future" in str(refused.value)
    assert _digest(db_path) == before
    assert not list(db_path.parent.glob("*.bak"))


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text("chart,name\n1,Zoë\n", encoding="utf-8")
    with pytest.raises(DatabaseError, match="is not a SQLite database file"):
        open_database(str(path), now=NOW)
    assert path.read_text(encoding="utf-8") == "chart,name\n1,Zoë\n"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="is a folder"):
        open_database(str(tmp_path), now=NOW)


def test_another_applications_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(DatabaseError, match="not an Infusion Desk database"):
        open_database(str(path), now=NOW)


def test_a_url_with_an_unknown_driver_names_the_problem() -> None:
    with pytest.raises(DatabaseError, match="Cannot use the database URL nosuchdriver://"):
        open_database("nosuchdriver://host/db", now=NOW)


def test_a_path_that_cannot_be_created_names_the_problem(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseError, match="Cannot create the folder"):
        open_database(f"sqlite:///{blocker}/sub/clinic.sqlite3", now=NOW)


def test_location_comes_from_the_option_then_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env.sqlite3"))
    assert resolve_database_url(None).database == str(tmp_path / "from-env.sqlite3")
    given = resolve_database_url(str(tmp_path / "given.sqlite3"))
    assert given.database == str(tmp_path / "given.sqlite3")
    assert resolve_database_url("sqlite:///:memory:").database == ":memory:"


def test_a_failed_action_leaves_the_database_as_it_was(db_path: Path) -> None:
    database = open_database(str(db_path), now=NOW)
    try:
        details = PatientDetails("Ada", "Lovelace", NOW.date().replace(year=1990))

        def interrupted_action() -> None:
            with database.transaction() as db:
                create_patient(db, details, actor=ACTOR, now=NOW)
                raise RuntimeError("the power went out mid-action")

        with pytest.raises(RuntimeError):
            interrupted_action()
        with database.reading() as db:
            assert db.scalars(select(Patient)).all() == []
    finally:
        database.close()


@pytest.mark.sqlite_only
def test_upgrade_gives_the_seeded_therapies_their_letter_wording(db_path: Path) -> None:
    """A clinic set up before letters had a wording per therapy gets the right one on upgrade."""
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        migrations.upgrade(conn, "0002")
        for code, name in (
            ("iv_ketamine", "IV ketamine infusion"),
            ("consultation", "Consultation / screening"),
            ("vitamin_drip", "Vitamin drip"),
        ):
            conn.execute(
                text(
                    "INSERT INTO therapies (code, name, session_noun, treatment_minutes, "
                    "observation_minutes, buffer_minutes, places, driving_rule, needs_driver, "
                    "needs_rems, needs_screening, colour, active) "
                    "VALUES (:code, :name, 'session', 30, 0, 0, 'chair', 'none', 0, 0, 0, "
                    "'#4a90d9', 1)"
                ),
                {"code": code, "name": name},
            )
        # A protocol refers to a therapy, as in every clinic with data: the upgrade must not
        # rebuild the therapies table under it.
        conn.execute(
            text(
                "INSERT INTO protocols (name, therapy_id, phase, min_gap_days, "
                "preferred_weekdays, active) VALUES ('IV induction', 1, 'induction', 1, '', 1)"
            )
        )
    engine.dispose()
    database = open_database(str(db_path), now=NOW)
    try:
        with database.reading() as db:
            rows = db.execute(
                text("SELECT code, letter_wording, aftercare_letter FROM therapies ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [
            ("iv_ketamine", "ketamine", 1),
            ("consultation", "visit", 0),
            ("vitamin_drip", "general", 1),  # a therapy the clinic added: neutral wording
        ]
    finally:
        database.close()
