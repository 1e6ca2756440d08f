"""Maintenance plans every N weeks, single boosters and the booster-due list."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.domain.escort import Escort
from scheduler.services import session_life as life
from scheduler.services.booking import BookingRefused, book_series, book_single
from scheduler.services.boosters import boosters_due
from scheduler.services.maintenance import plan_maintenance
from scheduler.services.schedule import clinic_calendar
from scheduler.store import Database
from tests.conftest import ACTOR, NOW
from tests.factories import (
    IV_MAINTENANCE,
    Clinic,
    add_closure,
    at,
    make_patient,
    protocol_id,
    set_up_test_clinic,
)


@pytest.fixture
def c(db: Database) -> Clinic:
    return set_up_test_clinic(db)


def test_every_four_weeks_by_count_stays_at_the_same_wall_time(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        proposal = plan_maintenance(
            s, patient_id=c.patient, protocol_id=protocol_id(s, IV_MAINTENANCE),
            first_day=dt.date(2027, 2, 15), preferred_time=dt.time(14), every_weeks=4, count=3,
            now=NOW,
        )  # fmt: skip
        series = book_series(s, proposal, actor=ACTOR, now=NOW)
        calendar = clinic_calendar(s)
        walls = [calendar.when_text(x.starts_at) for x in series.sessions]
    # Daylight time starts on 14 March 2027 between the second and third visit.
    assert walls == [
        "Mon, Feb 15, 2027, 2:00 PM",
        "Mon, Mar 15, 2027, 2:00 PM",
        "Mon, Apr 12, 2027, 2:00 PM",
    ]


def test_until_a_date_and_a_closure_moves_one_visit(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        add_closure(s, dt.date(2026, 12, 21), "Holiday week")
        proposal = plan_maintenance(
            s, patient_id=c.patient, protocol_id=protocol_id(s, IV_MAINTENANCE),
            first_day=dt.date(2026, 11, 23), preferred_time=dt.time(10), every_weeks=4,
            until=dt.date(2027, 1, 31), now=NOW,
        )  # fmt: skip
    assert len(proposal.rows) == 3
    moved = proposal.rows[1]
    assert moved.moved
    assert "Holiday week" in moved.reason
    assert moved.starts_at == at(dt.date(2026, 12, 22), 10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"every_weeks": 0, "count": 3}, "at least one week apart"),
        ({"every_weeks": 4}, "Give a number of visits or an end date."),
        ({"every_weeks": 4, "count": 40}, "1 to 26 visits"),
        ({"every_weeks": 4, "until": dt.date(2026, 11, 1)}, "before the first visit"),
        ({"every_weeks": 4, "count": 3, "protocol": "IV ketamine induction"},
         "is not a maintenance protocol"),
    ],
)  # fmt: skip
def test_bad_plans_are_refused(
    db: Database, c: Clinic, kwargs: dict[str, object], message: str
) -> None:
    kwargs = dict(kwargs)  # the parameters are shared by the run on each database
    name = str(kwargs.pop("protocol", IV_MAINTENANCE))
    with pytest.raises(BookingRefused, match=message), db.reading() as s:
        plan_maintenance(
            s, patient_id=c.patient, protocol_id=protocol_id(s, name),
            first_day=dt.date(2026, 11, 23), preferred_time=dt.time(10), now=NOW,
            **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip


def _completed_single(db: Database, patient: int, protocol: int, day: dt.date) -> None:
    """A session that took place on ``day`` (booked then, completed after)."""
    booked_at = at(day, 7)
    with db.transaction() as s:
        session = book_single(
            s, patient_id=patient, protocol_id=protocol, starts_at=at(day, 10), chair_id=None,
            actor=ACTOR, now=booked_at,
        )  # fmt: skip
        life.complete(s, session.id, actor=ACTOR, now=at(day, 12), escort=Escort("Sam Tester"))


def test_booster_due_list(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        maintenance = protocol_id(s, IV_MAINTENANCE)  # every 28 days
        booked_ahead = make_patient(s, first_name="Booked")
        recent = make_patient(s, first_name="Recent")
    _completed_single(db, c.patient, c.iv_single, dt.date(2026, 9, 28))  # 49 days: 21 overdue
    _completed_single(db, c.other_patient, maintenance, dt.date(2026, 10, 12))  # 7 overdue
    _completed_single(db, booked_ahead, maintenance, dt.date(2026, 9, 1))
    _completed_single(db, recent, maintenance, dt.date(2026, 11, 2))  # 14 days: not due
    with db.transaction() as s:
        book_single(s, patient_id=booked_ahead, protocol_id=maintenance,
                    starts_at=at(dt.date(2026, 11, 20), 10), chair_id=None, actor=ACTOR,
                    now=NOW)  # fmt: skip
    with db.reading() as s:
        due = boosters_due(s, today=dt.date(2026, 11, 16))
    assert [(d.patient_id, d.days_overdue, d.last_session_on, d.protocol_name) for d in due] == [
        (c.patient, 21, dt.date(2026, 9, 28), IV_MAINTENANCE),
        (c.other_patient, 7, dt.date(2026, 10, 12), IV_MAINTENANCE),
    ]
    assert due[0].interval_days == 28
