"""Every booking path asks the same rules: a slot offered books, a plan keeps its end date.

The course here is the factories' IV induction: sessions on Wed 18, Fri 20, Mon 23, Wed 25,
Fri 27 and Mon 30 November, at least one day apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy.orm import Session

from scheduler.services import course_rules
from scheduler.services import session_life as life
from scheduler.services.booking import BookingRefused, book_series
from scheduler.services.maintenance import plan_maintenance
from scheduler.services.session_life import SessionState
from scheduler.store import Database
from scheduler.store.models import TreatmentSession
from tests.conftest import ACTOR, NOW
from tests.factories import (
    IV_MAINTENANCE,
    Clinic,
    add_closure,
    at,
    propose,
    protocol_id,
    set_up_test_clinic,
)


class Undo(Exception):
    """Rolls a trial booking back: each offered slot is tried on the same books."""


def tried(db: Database, book: Callable[[Session], TreatmentSession | SessionState]) -> dt.datetime:
    """Book in a transaction that is then rolled back; when the booked session starts."""
    booked: list[dt.datetime] = []
    try:
        with db.transaction() as s:
            booked.append(book(s).starts_at)
            s.flush()
            raise Undo
    except Undo:
        pass
    return booked[0]


@pytest.fixture
def c(db: Database) -> Clinic:
    return set_up_test_clinic(db)


@pytest.fixture
def course(db: Database, c: Clinic) -> list[int]:
    with db.transaction() as s:
        series = book_series(s, propose(s, c), actor=ACTOR, now=NOW)
        return [x.id for x in sorted(series.sessions, key=lambda x: x.starts_at)]


def test_a_makeup_chosen_by_hand_between_two_sessions_is_refused(
    db: Database, course: list[int]
) -> None:
    with db.transaction() as s:
        life.cancel(s, course[1], reason="Flu", actor=ACTOR, now=NOW)
    with pytest.raises(BookingRefused, match="after the course's last session"), \
            db.transaction() as s:  # fmt: skip
        life.book_makeup(s, course[1], starts_at=at(dt.date(2026, 11, 24), 10), chair_id=None,
                         actor=ACTOR, now=NOW)  # fmt: skip


def test_the_makeup_finder_offers_only_days_after_the_last_session(
    db: Database, course: list[int]
) -> None:
    with db.transaction() as s:
        life.cancel(s, course[1], reason="Flu", actor=ACTOR, now=NOW)
    with db.reading() as s:
        slots = course_rules.free_slots(s, course[1], near=at(dt.date(2026, 11, 19), 7),
                                        count=8, now=NOW)  # fmt: skip
    assert slots
    assert all(slot.starts_at >= at(dt.date(2026, 12, 1), 0) for slot in slots)
    for slot in slots:
        tried(db, partial(
            life.book_makeup, session_id=course[1], starts_at=slot.starts_at,
            chair_id=slot.chair_id, actor=ACTOR, now=NOW,
        ))  # fmt: skip


def test_every_slot_the_finder_offers_for_a_move_books(db: Database, course: list[int]) -> None:
    with db.reading() as s:
        slots = course_rules.free_slots(s, course[1], near=at(dt.date(2026, 11, 18), 7),
                                        count=10, now=NOW)  # fmt: skip
    assert slots
    days = {slot.starts_at.astimezone(at(dt.date(2026, 11, 18), 7).tzinfo).date()
            for slot in slots}  # fmt: skip
    assert dt.date(2026, 11, 18) not in days  # session 1's day: no gap at all
    for slot in slots:
        moved = tried(db, partial(
            life.reschedule, session_id=course[1], starts_at=slot.starts_at, chair_id=slot.chair_id,
            actor=ACTOR, now=NOW,
        ))  # fmt: skip
        assert moved == slot.starts_at


def test_a_maintenance_plan_never_goes_past_its_end_date(db: Database, c: Clinic) -> None:
    until = dt.date(2026, 12, 21)  # a Monday, visit day, and closed
    with db.transaction() as s:
        add_closure(s, until, "Holiday")
        proposal = plan_maintenance(
            s, patient_id=c.patient, protocol_id=protocol_id(s, IV_MAINTENANCE),
            first_day=dt.date(2026, 11, 23), preferred_time=dt.time(10), every_weeks=4,
            until=until, now=NOW,
        )  # fmt: skip
    assert len(proposal.rows) == 2
    last = proposal.rows[-1]
    assert last.starts_at is not None
    assert last.starts_at < at(until, 0)
    assert "Holiday" in last.reason


def test_a_reflow_of_a_course_that_missed_nothing_keeps_its_largest_gap(
    db: Database, course: list[int]
) -> None:
    with db.reading() as s:
        series_id = life.get_session(s, course[0]).series_id
        assert series_id is not None
        before = [x.starts_at for x in life.sessions_of_series(s, series_id)]
    # Sessions 1 and 2 stay on Wed 18 and Fri 20: session 3 may not wait past Tue 24.
    with pytest.raises(BookingRefused, match="No day fits"), db.transaction() as s:
        life.reflow_series(s, series_id, from_number=3, actor=ACTOR, now=NOW,
                           not_before=dt.date(2026, 11, 28))  # fmt: skip
    with db.reading() as s:
        assert [x.starts_at for x in life.sessions_of_series(s, series_id)] == before


def test_a_reflow_after_a_missed_session_keeps_only_the_minimum_gap_to_it(
    db: Database, course: list[int]
) -> None:
    with db.transaction() as s:
        series_id = life.get_session(s, course[0]).series_id
        assert series_id is not None
        life.cancel(s, course[2], reason="Flu", actor=ACTOR, now=NOW)
        moved = life.reflow_series(s, series_id, from_number=3, actor=ACTOR, now=NOW,
                                   not_before=dt.date(2026, 11, 28))  # fmt: skip
        days = [x.starts_at for x in moved]
    assert days[0] >= at(dt.date(2026, 11, 28), 0)


def test_a_maintenance_plan_by_count_and_end_date_stops_at_whichever_comes_first(
    db: Database, c: Clinic
) -> None:
    with db.transaction() as s:
        proposal = plan_maintenance(
            s, patient_id=c.patient, protocol_id=protocol_id(s, IV_MAINTENANCE),
            first_day=dt.date(2026, 11, 23), preferred_time=dt.time(10), every_weeks=4,
            count=5, until=dt.date(2027, 1, 20), now=NOW,
        )  # fmt: skip
    assert len(proposal.rows) == 3
