"""Shared fixtures: a real SQLite file per test, a fixed clock, an offscreen Qt."""

from __future__ import annotations

import datetime as dt
import os
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
from scheduler.store import Database, open_database

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


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "clinic.sqlite3"


@pytest.fixture
def empty_db(db_path: Path) -> Iterator[Database]:
    """A new database built by the migrations, with no clinic set up."""
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
