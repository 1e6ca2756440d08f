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
from dataclasses import dataclass
from pathlib import Path

# Qt must not look for a display: set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings

from scheduler import private_files
from scheduler.domain.access import Actor
from scheduler.domain.enums import StaffRole
from scheduler.services import accounts
from scheduler.services.clinic import is_set_up, set_up_clinic
from scheduler.services.demo import build_demo_clinic
from scheduler.store import Database, open_database
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
    """One throw-away PostgreSQL server for the whole run, with its two template databases."""
    server = pg_server_module.start()
    try:
        server.template = server.create()
        open_database(server.url(server.template), now=NOW).close()
        server.clinic_template = server.create(template=server.template)
        clinic = open_database(server.url(server.clinic_template), now=NOW)
        set_up_test_clinic_in(clinic)
        clinic.close()
        server.mark_template(server.template)
        server.mark_template(server.clinic_template)
        yield server
    finally:
        server.stop()


def wants_clinic(request: pytest.FixtureRequest) -> bool:
    """Whether the test's database becomes the set-up test clinic (it asks for ``db``).

    Such a test gets a copy of the set-up clinic instead of a migrated, empty database that
    ``db`` would then set up: the same rows, 0.1–0.2 s sooner.
    """
    return "db" in request.fixturenames


@pytest.fixture
def pg_database(
    pg_server: pg_server_module.Server, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The URL of a new PostgreSQL database already at the newest schema, dropped afterwards."""
    template = pg_server.clinic_template if wants_clinic(request) else pg_server.template
    name = pg_server.create(template=template)
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


@dataclass(frozen=True)
class SqliteTemplates:
    """SQLite files made once a run, copied for each test."""

    migrated: Path  # built by the migrations, nothing in it
    clinic: Path  # the same, with the test clinic set up


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    """The SQLite templates; ``empty_db`` copies one for each test.

    Running the migrations takes 0.15–0.3 s a database and setting up the clinic 0.1 s more; a
    copy of their result is the same database for a fraction of that. Tests about opening and
    upgrading call ``open_database`` on a path of their own, so they still run the migrations.
    """
    folder = tmp_path_factory.mktemp("templates")
    templates = SqliteTemplates(folder / "migrated.sqlite3", folder / "clinic.sqlite3")
    open_database(str(templates.migrated), now=NOW).close()  # closing checkpoints the WAL
    copy_of_template(templates.migrated, templates.clinic)
    clinic = open_database(str(templates.clinic), now=NOW)
    set_up_test_clinic_in(clinic)
    clinic.close()
    return templates


def copy_of_template(template: Path, path: Path) -> None:
    """Copy a template database to ``path``, owner-only, as a new database would be made."""
    private_files.private_file(path)
    with template.open("rb") as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)


# The demo clinic's day: its calendar is booked around this Monday.
DEMO_DAY = dt.date(2026, 11, 16)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo clinic, built once a run and closed (no -wal beside it); tests copy it.

    Building it books some 60 patients' courses through the booking code (about 4 s); a copy
    is the same clinic, byte for byte, for a few milliseconds. Tests about building it (its
    determinism, the command, the first start) still build their own.
    """
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    database = open_database(str(path), now=NOW)
    with database.transaction() as db:
        build_demo_clinic(db, today=DEMO_DAY, now=NOW)
    database.close()  # closing checkpoints the WAL into the file
    return path


def open_demo_copy(template: Path, path: Path) -> Database:
    """A copy of the demo clinic at ``path``, opened."""
    copy_of_template(template, path)
    return open_database(str(path), now=NOW)


@pytest.fixture
def empty_db(db_path: Path | str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A new database at the newest schema (a copy of a template); no clinic unless ``db``."""
    if isinstance(db_path, Path) and not db_path.exists():
        templates: SqliteTemplates = request.getfixturevalue("sqlite_templates")
        copy_of_template(templates.clinic if wants_clinic(request) else templates.migrated, db_path)
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
    with empty_db.reading() as session:
        copied = is_set_up(session)  # from the clinic template (see ``wants_clinic``)
    if not copied:
        set_up_test_clinic_in(empty_db)
    return empty_db
