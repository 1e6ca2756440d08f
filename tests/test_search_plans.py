"""The desk's hot queries touch only what they return: no full scan of patients or sessions.

Every statement that patient search, its count and the booster-due list send is captured
and its plan asked of SQLite (``EXPLAIN QUERY PLAN``). A full scan grows with the clinic's
history, so one here would make the desk slower every year.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from benchmarks.query_plans import statements_sent
from scheduler.services import patients as patient_service
from scheduler.services.boosters import boosters_due
from scheduler.services.patients import count_patients, search_patients
from scheduler.store import Database
from tests.test_boosters import TODAY, add_booster_clinic
from tests.test_patients import add_people

pytestmark = pytest.mark.sqlite_only

# A table (or one of its indexes) read in order rather than searched: allowed only where
# the statement stops at a page.
_WALK = re.compile(r"\bSCAN (patients|sessions|patient_search_words)\b")


@contextmanager
def _plans(database: Database) -> Iterator[list[str]]:
    """The plan lines of every statement sent within the block."""
    lines: list[str] = []
    with statements_sent(database) as sent:
        yield lines
    with database.reading() as db:
        connection = db.connection()
        for statement, parameters in sent:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            bounded = "LIMIT" if " LIMIT " in statement else "no limit"
            lines.extend(f"{row[3]}    ({bounded}) <- {statement[:60]!r}" for row in plan)


@pytest.fixture(autouse=True)
def fresh_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's searches choose their way afresh, not as an earlier test's did."""
    monkeypatch.setattr(patient_service, "_CHOSEN", patient_service._Choices())


@pytest.fixture
def people(db: Database) -> Database:
    return add_people(db)


@pytest.fixture
def clinic(db: Database) -> Database:
    return add_booster_clinic(db)


@pytest.mark.parametrize(
    "typed", ["zo", "nunez", "zoe luk", "o'brien 1975-03-09", "555-0142", "100002", "山田"]
)
def test_a_search_reads_only_the_index_of_the_words_typed(people: Database, typed: str) -> None:
    with people.reading() as db, _plans(people) as lines:
        search_patients(db, typed)
        count_patients(db, typed)
    assert lines
    assert not [line for line in lines if _WALK.search(line)], "\n".join(lines)


def test_a_common_number_walks_patients_only_as_far_as_a_page(
    people: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An area code matches most patients: they are checked in name order up to a page."""
    monkeypatch.setattr(patient_service, "FEW_MATCHES", 0)
    with people.reading() as db, _plans(people) as lines:
        search_patients(db, "555")
        count_patients(db, "555")
        search_patients(db, "")
    walks = [line for line in lines if _WALK.search(line)]
    assert walks, "\n".join(lines)
    assert all(line.startswith("SCAN patients") and "LIMIT" in line for line in walks), "\n".join(
        lines
    )


def test_the_booster_list_reads_no_session_it_does_not_need(clinic: Database) -> None:
    with clinic.reading() as db, _plans(clinic) as lines:
        first = boosters_due(db, today=TODAY, limit=2)
        boosters_due(db, today=TODAY, limit=2, after=first[-1])
    assert lines
    assert not [line for line in lines if _WALK.search(line)], "\n".join(lines)
