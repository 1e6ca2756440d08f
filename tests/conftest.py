"""Shared fixtures: a real database per test (a SQLite file, and a PostgreSQL database on a
throw-away server), a fixed clock, an offscreen Qt.

Every test that asks for a database runs twice, once on each. A test about the SQLite file itself
is marked ``sqlite_only``; one about the server ``postgres_only``; the long soak tests ``soak``
run once, on SQLite, to keep the run short.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

# Qt must not look for a display: set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings

from scheduler.domain.access import Actor
from scheduler.domain.enums import StaffRole
from scheduler.services import accounts
from scheduler.services.clinic import set_up_clinic
from scheduler.store import Database, open_database, privacy
from tests import pg_server as pg_server_module

# Property tests: "ci" (the default) draws the same examples on every run, so a red run is a
# real breach that the next run reproduces; "slow" (SCHEDULER_HYPOTHESIS=slow, nightly) draws
# ten times as many, fresh each time, to look for new ones.
_UNHEALTHY = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile(
    "ci", max_examples=40, derandomize=True, deadline=None, suppress_health_check=_UNHEALTHY,
    print_blob=True,
)  # fmt: skip
settings.register_profile(
    "slow", max_examples=400, derandomize=False, deadline=None, suppress_health_check=_UNHEALTHY,
    print_blob=True,
)  # fmt: skip
settings.load_profile(os.environ.get("SCHEDULER_HYPOTHESIS", "ci"))

# A fixed "now" for tests: a Monday morning in November, clinic time zone New York.
NOW = dt.datetime(2026, 11, 16, 14, 0, tzinfo=dt.UTC)
# Whoever is at the desk in tests that are not about permissions: every role, no account.
ACTOR = Actor(None, "test desk", "Test Desk", frozenset(StaffRole))
CLINIC_TZ = "America/New_York"

# Argon2 at its cheapest: the tests check the accounts' rules, not the hash's strength.
accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def now() -> dt.datetime:
    return NOW


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each database test on both databases, but each marked one only where it belongs."""
    if "backend" not in metafunc.fixturenames:
        return
    marks = {mark.name for mark in metafunc.definition.iter_markers()}
    backends: tuple[str, ...] = BACKENDS
    if marks & {"sqlite_only", "soak"}:
        backends = ("sqlite",)
    elif "postgres_only" in marks:
        backends = ("postgresql",)
    metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on: "sqlite" or "postgresql"."""
    return str(request.param)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg_server_module.Server]:
    """One throw-away PostgreSQL server for the whole run, with a migrated template database."""
    server = pg_server_module.start()
    try:
        template = server.create()
        open_database(server.url(template), now=NOW).close()
        server.mark_template(template)
        server.template = template
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_database(pg_server: pg_server_module.Server) -> Iterator[str]:
    """The URL of a new PostgreSQL database already at the newest schema, dropped afterwards."""
    name = pg_server.create(template=pg_server.template)
    yield pg_server.url(name)
    pg_server.drop(name)


@pytest.fixture
def db_path(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where the test's database is: a SQLite file path, or a PostgreSQL URL (a str)."""
    if backend == "sqlite":
        return tmp_path / "clinic.sqlite3"
    return str(request.getfixturevalue("pg_database"))


@pytest.fixture
def second_db_path(
    backend: str, tmp_path: Path, pg_server: pg_server_module.Server
) -> Iterator[Path | str]:
    """A second, empty database on the same kind of database as ``db_path``."""
    if backend == "sqlite":
        yield tmp_path / "second.sqlite3"
        return
    name = pg_server.create(template=pg_server.template)
    yield pg_server.url(name)
    pg_server.drop(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file built by the migrations once a run; ``empty_db`` copies it for each test.

    Running the migrations takes 0.15–0.3 s a database; a copy of their result is the same
    schema for a fraction of that. Tests about opening and upgrading call ``open_database`` on
    a path of their own, so they still run the real migrations.
    """
    path = tmp_path_factory.mktemp("template") / "clinic.sqlite3"
    open_database(str(path), now=NOW).close()  # closing checkpoints the WAL into the file
    return path


def copy_of_template(template: Path, path: Path) -> None:
    """Copy the migrated template to ``path``, owner-only, as a new database would be made."""
    privacy.private_file(path)
    with template.open("rb") as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)


@pytest.fixture
def empty_db(db_path: Path | str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A new database at the newest schema (a copy of the migrated template), no clinic set up."""
    if isinstance(db_path, Path) and not db_path.exists():
        copy_of_template(request.getfixturevalue("sqlite_template"), db_path)
    database = open_database(str(db_path), now=NOW)
    yield database
    database.close()


def set_up_test_clinic_in(database: Database) -> None:
    """The test clinic's default settings, hours and catalogue, in a new database."""
    with database.transaction() as session:
        set_up_clinic(session, name="Test Clinic", timezone=CLINIC_TZ, actor=ACTOR.sign_in, now=NOW)


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A new clinic with its default settings, hours and catalogue, and no patients."""
    set_up_test_clinic_in(empty_db)
    return empty_db
