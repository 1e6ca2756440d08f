"""The desk's hot reads touch only what they return: no pass over all of a clinic's history.

The clinic here is small (a few thousand sessions from ``benchmarks/big_clinic.py``, without
planner statistics), but the plans are those a big clinic would get: on SQLite the planner's
rules do not depend on the rows, and on PostgreSQL sequential scans are switched off, so one
appears only where no index serves the statement.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from benchmarks.big_clinic import ZONE, build
from benchmarks.query_plans import full_scans, plans, statements_sent
from scheduler.domain.enums import SessionStatus
from scheduler.services import booking, letters, schedule
from scheduler.services.boosters import boosters_due
from scheduler.services.patients import count_patients, find_patients, search_patients
from scheduler.store import Database, open_database
from scheduler.store.models import Patient, Protocol, TreatmentSession
from scheduler.ui.calendar.loading import load_days
from scheduler.ui.desk import Desk
from scheduler.ui.letters_screen import day_sessions, letter_kit
from tests.conftest import ACTOR, NOW

TODAY = dt.date(2026, 11, 16)  # NOW's day in the clinic (a Monday)
WEEK = [TODAY + dt.timedelta(days=n) for n in range(7)]


@pytest.fixture
def clinic(db_path: Path | str) -> Iterator[Database]:
    """A clinic with about ten days of sessions before ``TODAY`` and a few after."""
    build(str(db_path), 3_000, TODAY, analyze=False)
    database = open_database(str(db_path), now=NOW)
    yield database
    database.close()


@pytest.fixture
def desk(clinic: Database) -> Desk:
    return Desk(clinic, ACTOR, clock=lambda: NOW)


def _sessions_queries(sent: list[tuple[str, object]]) -> int:
    """How many statements read sessions as their rows (not to pick other rows by)."""
    return sum(1 for statement, _ in sent if re.search(r"^[^(]*\bFROM sessions\b", statement))


def test_the_calendar_week_is_one_query_through_an_index(clinic: Database, desk: Desk) -> None:
    with statements_sent(clinic) as sent:
        _, days = load_days(desk, WEEK)
    assert sum(len(d.sessions) for d in days) > 500
    assert _sessions_queries(sent) == 1
    assert full_scans(clinic, sent) == []


def test_the_calendar_day_and_today_read_through_indexes(clinic: Database, desk: Desk) -> None:
    with statements_sent(clinic) as sent:
        _, (day,) = load_days(desk, [TODAY])
        rows = day_sessions(desk, TODAY)
    assert day.sessions
    assert rows
    assert _sessions_queries(sent) == 2
    assert full_scans(clinic, sent) == []


def test_a_week_loaded_at_once_matches_its_days_loaded_one_by_one(desk: Desk) -> None:
    _, week = load_days(desk, WEEK)
    one_by_one = [load_days(desk, [day])[1][0] for day in WEEK]
    assert week == one_by_one
    assert [v.starts_at for d in week for v in d.sessions] == sorted(
        v.starts_at for d in week for v in d.sessions
    )


def test_prep_letters_read_through_indexes(clinic: Database, tmp_path: Path) -> None:
    with clinic.transaction() as db:
        templates, renderer = letter_kit(db)
        with statements_sent(clinic) as sent:
            batch = letters.prep_letters(
                db, first_day=TODAY + dt.timedelta(days=1), out_dir=tmp_path,
                templates=templates, renderer=renderer, actor=ACTOR, now=NOW,
            )  # fmt: skip
        db.rollback()
    assert batch.files
    assert full_scans(clinic, sent) == []


def test_new_prep_letters_only_read_through_indexes(clinic: Database, tmp_path: Path) -> None:
    with clinic.transaction() as db:
        templates, renderer = letter_kit(db)
        with statements_sent(clinic) as sent:
            batch = letters.prep_letters(
                db, first_day=TODAY + dt.timedelta(days=1), out_dir=tmp_path,
                templates=templates, renderer=renderer, actor=ACTOR, now=NOW,
                only_unprinted=True,
            )  # fmt: skip
        db.rollback()
    assert batch.files
    assert full_scans(clinic, sent) == []


def test_the_next_day_with_sessions_is_one_look_along_an_index(
    clinic: Database, desk: Desk
) -> None:
    """From well inside the clinic's history: the next day, not a pass over what came before."""
    start = TODAY - dt.timedelta(days=5)
    with clinic.reading() as db, statements_sent(clinic) as sent:
        found = schedule.next_day_with_sessions(db, start, desk.zone)
        far = schedule.next_day_with_sessions(db, TODAY + dt.timedelta(days=60), desk.zone)
    assert found == start + dt.timedelta(days=1)
    assert far is None
    assert _sessions_queries(sent) == 2
    assert full_scans(clinic, sent) == []


def test_the_overlap_finds_a_session_that_began_before_the_span(clinic: Database) -> None:
    """The lower bound (the longest session) keeps sessions that started before ``start``."""
    with clinic.reading() as db:
        (first, *_) = schedule.sessions_on_day(db, TODAY)
        inside = first.starts_at + dt.timedelta(minutes=1)
        found = schedule.sessions_between(db, inside, inside + dt.timedelta(minutes=1))
    assert first.session_id in {v.session_id for v in found}


def test_the_booster_page_reads_the_last_sessions_in_order(clinic: Database) -> None:
    """The first page and the next read each patient's last session from its time index."""
    later = TODAY + dt.timedelta(days=120)  # long after the history: most patients are due
    with clinic.reading() as db, statements_sent(clinic) as sent:
        first = boosters_due(db, today=later, limit=20)
        boosters_due(db, today=later, limit=20, after=first[-1])
    assert len(first) == 20
    assert full_scans(clinic, sent) == []
    pages = [(s, p) for s, p in sent if re.search(r"\bFROM patient_last_sessions\b", s)]
    assert pages
    for (statement, _), plan in zip(pages, plans(clinic, pages), strict=True):
        assert " LIMIT " in statement
        assert "ix_patient_last_sessions_time" in plan, plan
        if clinic.url.get_backend_name() == "sqlite":
            # Read in the index's order, not gathered and sorted. (PostgreSQL chooses by its
            # statistics: on a big clinic it reads the index in order too, here it may sort.)
            assert "TEMP B-TREE" not in plan, plan


def test_the_views_read_as_plain_rows_are_those_of_the_sessions_themselves(
    clinic: Database,
) -> None:
    """The week's fast path (plain rows, values as stored) builds the views ``view_of`` does."""
    start, end = schedule.day_bounds(ZoneInfo(ZONE), WEEK[0], WEEK[-1])
    with clinic.reading() as db:
        fast = schedule.sessions_between(db, start, end)
        ids = [view.session_id for view in fast]
        found = {
            s.id: s
            for s in db.scalars(select(TreatmentSession).where(TreatmentSession.id.in_(ids)))
        }
        by_objects = [schedule.view_of(found[i]) for i in ids]
    assert len(fast) > 500
    assert {view.status for view in fast} > {SessionStatus.BOOKED}
    assert fast == by_objects
    assert [vars(view) for view in fast] == [vars(view) for view in by_objects]
    some = sorted({view.chair_id for view in fast if view.chair_id is not None})[:2]
    with clinic.reading() as db:
        on_some = schedule.sessions_between(db, start, end, some)
    assert on_some == [view for view in fast if view.chair_id in some]


def _analyzed(clinic: Database) -> None:
    if clinic.url.get_backend_name() == "postgresql":
        with clinic.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")  # as a server's autovacuum would
            connection.commit()


@pytest.mark.parametrize("typing", [(2, 2), (None, 3), (1, None)])
def test_a_search_checks_the_other_name_words_in_the_rows_it_reads(
    clinic: Database, typing: tuple[int | None, int | None]
) -> None:
    """The other name words typed are looked for in the name key of the rows the lead word's
    index already gives, so no patient's words are looked up one by one."""
    _analyzed(clinic)
    with clinic.reading() as db:
        someone = db.scalars(select(Patient).order_by(Patient.id)).first()
    assert someone is not None
    first, last = typing  # how much of each name is typed
    typed = f"{someone.first_name[:first]} {someone.last_name[:last]}"
    with clinic.reading() as db, statements_sent(clinic) as sent:
        found = find_patients(db, typed)
    assert someone.id in [p.patient_id for p in found.page]
    assert full_scans(clinic, sent) == []
    assert not [s for s, _ in sent if "EXISTS" in s or "patient_search_words_1" in s]


@pytest.mark.parametrize("typed", ["555 jo", "555 0", "jo 555"])
def test_a_search_checks_each_patient_s_other_numbers_by_the_patient(
    clinic: Database, typed: str
) -> None:
    """A number checked patient by patient is looked up among that patient's own words (the
    primary key, patient first), never by reading every patient's words with that start,
    however rare or common the database's statistics make a start look."""
    _analyzed(clinic)
    with clinic.reading() as db, statements_sent(clinic) as sent:
        search_patients(db, typed)
        count_patients(db, typed)
    checks = [(s, p) for s, p in sent if "EXISTS" in s]
    assert checks
    assert full_scans(clinic, sent) == []
    for (statement, _), plan in zip(checks, plans(clinic, checks), strict=True):
        lookups = re.findall(r"patient_search_words_1\b.*\n?.*", plan)
        assert lookups, plan
        for lookup in lookups:
            assert re.search(r"\(patient_id ?= ?", lookup), f"{statement}\n{plan}"


def test_proposing_an_induction_reads_only_the_days_it_looks_at(clinic: Database) -> None:
    """A proposal reads the books a stretch of days at a time through the start-time index,
    never the whole history, however long the clinic has been open."""
    with clinic.reading() as db:
        protocol = db.scalar(select(Protocol.id).where(Protocol.name == "IV ketamine induction"))
        patient = db.scalar(select(Patient.id).order_by(Patient.id.desc()).limit(1))
    assert protocol is not None
    assert patient is not None
    with clinic.reading() as db, statements_sent(clinic) as sent:
        proposal = booking.propose_series(
            db,
            patient_id=patient,
            protocol_id=protocol,
            count=8,
            first_day=TODAY + dt.timedelta(days=1),
            preferred_time=dt.time(10),
            now=NOW,
        )
    assert len(proposal.rows) == 8
    assert _sessions_queries(sent) >= 1
    assert full_scans(clinic, sent) == []
