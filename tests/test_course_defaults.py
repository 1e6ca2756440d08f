"""The series dialog's defaults: the next open day on the protocol's weekdays, a time that fits."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.services import course_defaults
from scheduler.services.booking import book_single
from scheduler.services.schedule import clinic_calendar
from scheduler.store import Database
from tests.conftest import ACTOR, NOW
from tests.factories import Clinic, add_closure, at, make_patient, propose, set_up_test_clinic

SATURDAY = dt.date(2026, 11, 21)
MONDAY = dt.date(2026, 11, 23)
WED = dt.date(2026, 11, 18)


@pytest.fixture
def c(db: Database) -> Clinic:
    return set_up_test_clinic(db)


def test_on_a_saturday_the_first_day_is_monday(db: Database, c: Clinic) -> None:
    with db.reading() as s:
        day = course_defaults.next_open_day(
            s, protocol_id=c.iv, patient_id=c.patient, today=SATURDAY
        )
    assert day == MONDAY


def test_a_closed_monday_moves_the_first_day_to_the_next_preferred_weekday(
    db: Database, c: Clinic
) -> None:
    with db.transaction() as s:
        add_closure(s, MONDAY, "Staff training")
    with db.reading() as s:
        day = course_defaults.next_open_day(
            s, protocol_id=c.iv, patient_id=c.patient, today=SATURDAY
        )
    assert day == dt.date(2026, 11, 25)  # Wednesday: the IV induction is Mon, Wed, Fri


def test_without_preferred_weekdays_any_open_day_will_do(db: Database, c: Clinic) -> None:
    with db.reading() as s:
        calendar = clinic_calendar(s)
    assert course_defaults.first_open_day(calendar, SATURDAY, []) == MONDAY
    # A weekday the clinic never opens on: the first open day all the same.
    assert course_defaults.first_open_day(calendar, SATURDAY, [6]) == MONDAY
    shut = type(calendar)(calendar.timezone, {})
    assert course_defaults.first_open_day(shut, SATURDAY, [0]) == dt.date(2026, 11, 22)


def test_on_a_free_clinic_the_course_starts_at_opening_time(db: Database, c: Clinic) -> None:
    with db.reading() as s:
        time = course_defaults.best_start_time(
            s, patient_id=c.patient, protocol_id=c.iv, count=6, first_day=WED, now=NOW
        )
        opens = clinic_calendar(s).hours[WED.weekday()][0]
        assert time == opens
        assert not any(r.moved for r in propose(s, c, preferred_time=time).rows)


def test_a_full_morning_gives_the_first_time_with_no_moves(db: Database, c: Clinic) -> None:
    """Both chairs taken from opening to 10:00 and at 10:00: the first later time that fits."""
    with db.transaction() as s:
        for chair in c.chairs:
            for hour in (8, 10):
                other = make_patient(s, first_name="Busy")
                book_single(
                    s, patient_id=other, protocol_id=c.iv_single, starts_at=at(WED, hour),
                    chair_id=chair, actor=ACTOR, now=NOW,
                )  # fmt: skip
    with db.reading() as s:
        assert any(r.moved for r in propose(s, c).rows)  # 10:00 is full
        time = course_defaults.best_start_time(
            s, patient_id=c.patient, protocol_id=c.iv, count=6, first_day=WED, now=NOW
        )
        assert time is not None
        rows = propose(s, c, preferred_time=time).rows
        assert not any(r.moved for r in rows)
        earlier = propose(s, c, preferred_time=(dt.datetime.combine(WED, time)
                          - dt.timedelta(minutes=15)).time()).rows  # fmt: skip
        assert any(r.moved for r in earlier)


def test_a_closed_first_day_has_no_time(db: Database, c: Clinic) -> None:
    with db.reading() as s:
        time = course_defaults.best_start_time(
            s,
            patient_id=c.patient,
            protocol_id=c.iv,
            count=6,
            first_day=SATURDAY + dt.timedelta(days=1),
            now=NOW,
        )
    assert time is None


def test_with_a_move_at_every_time_the_one_moving_fewest_is_offered(
    db: Database, c: Clinic
) -> None:
    """Session 4's Wednesday is closed whatever the time; 8:00 on the first day is full too."""
    with db.transaction() as s:
        add_closure(s, dt.date(2026, 11, 25), "Staff training")
        for chair in c.chairs:
            book_single(
                s, patient_id=make_patient(s, first_name="Busy"), protocol_id=c.iv_single,
                starts_at=at(WED, 8), chair_id=chair, actor=ACTOR, now=NOW,
            )  # fmt: skip
    with db.reading() as s:
        time = course_defaults.best_start_time(s, c.patient, c.iv, 6, WED, now=NOW)
        assert time is not None
        assert time > dt.time(8)
        at_eight = propose(s, c, preferred_time=dt.time(8)).rows
        offered = propose(s, c, preferred_time=time).rows
    assert sum(r.moved for r in at_eight) > 2
    # Sessions 4 and 5 would both be on the closed Wednesday; nothing else moves.
    assert [r.number for r in offered if r.moved] == [4, 5]
    assert {offered[3].why, offered[4].why} == {"Closed Wednesday (Staff training)"}


def test_a_first_day_already_over_still_offers_the_time_moving_fewest(
    db: Database, c: Clinic
) -> None:
    """Asked in the evening for that same day: every time moves the first session."""
    evening = at(WED, 19)
    with db.reading() as s:
        time = course_defaults.best_start_time(s, c.patient, c.iv, 6, WED, now=evening)
        assert time is not None
        rows = propose(s, c, preferred_time=time, now=evening).rows
    assert [r.number for r in rows if r.moved] == [1]
    assert rows[0].why == "Already past"
