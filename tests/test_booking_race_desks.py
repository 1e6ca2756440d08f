"""Several workstations book at once, on each database: counted, never a double booking and never
half a course.

Every desk proposes its courses before any desk books (so each proposal believes the same chairs
are free), then all book as fast as they can. Whatever the order, each chair holds at most one
session at a time and each course is booked whole or not at all.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier

import pytest
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from scheduler.domain.access import Actor
from scheduler.domain.enums import SessionStatus, StaffRole
from scheduler.services.booking import BookingRefused, book_series
from scheduler.store import Database, open_database
from scheduler.store.models import Series, TreatmentSession
from tests.conftest import NOW
from tests.factories import Clinic, make_patient, propose, set_up_test_clinic

pytestmark = pytest.mark.slow

DESKS = 4
COURSES_EACH = 3


def _front_desk(number: int) -> Actor:
    """The front desk of one of the racing workstations."""
    return Actor(None, f"desk {number}", f"Desk {number}", frozenset({StaffRole.FRONT_DESK}))


def _desk(where: str, clinic: Clinic, patients: list[int], barrier: Barrier, out: object) -> None:
    """One workstation in its own process: propose every course, wait, then book them all."""
    database = open_database(where, now=NOW)
    try:
        with database.reading() as s:
            proposals = [propose(s, clinic, patient_id=patient) for patient in patients]
        barrier.wait(timeout=60)
        for proposal in proposals:
            try:
                with database.transaction() as s:
                    book_series(s, proposal, actor=_front_desk(patients[0]), now=NOW)
                out.put("booked")  # type: ignore[attr-defined]
            except BookingRefused:
                out.put("refused")  # type: ignore[attr-defined]
    finally:
        database.close()


def double_bookings(db: Database) -> int:
    """Pairs of live sessions in the same chair whose times overlap."""
    first, second = aliased(TreatmentSession), aliased(TreatmentSession)
    live = (SessionStatus.CANCELLED.value,)
    with db.reading() as s:
        return (
            s.scalar(
                select(func.count()).where(
                    first.chair_id == second.chair_id,
                    first.id < second.id,
                    and_(first.starts_at < second.ends_at, second.starts_at < first.ends_at),
                    first.status.not_in(live),
                    second.status.not_in(live),
                )
            )
            or 0
        )


def partial_courses(db: Database) -> int:
    """Courses whose booked sessions are not the number planned."""
    with db.reading() as s:
        counts = s.execute(
            select(Series.planned_count, func.count(TreatmentSession.id))
            .join(TreatmentSession, TreatmentSession.series_id == Series.id, isouter=True)
            .group_by(Series.id, Series.planned_count)
        ).all()
    return sum(1 for planned, booked in counts if planned != booked)


def test_four_desks_racing_for_two_chairs_never_double_book_or_half_book(
    db: Database, db_path: object
) -> None:
    clinic = set_up_test_clinic(db)
    with db.transaction() as s:
        patients = [
            [make_patient(s, first_name=f"Desk{desk}Patient{n}") for n in range(COURSES_EACH)]
            for desk in range(DESKS)
        ]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(DESKS)
    out = context.Queue()
    desks = [
        context.Process(target=_desk, args=(str(db_path), clinic, mine, barrier, out))
        for mine in patients
    ]
    for desk in desks:
        desk.start()
    outcomes = [out.get(timeout=120) for _ in range(DESKS * COURSES_EACH)]
    for desk in desks:
        desk.join(timeout=60)
        assert desk.exitcode == 0
    booked = outcomes.count("booked")
    print(f"\n{booked} courses booked, {outcomes.count('refused')} refused")
    assert booked >= 1
    assert outcomes.count("refused") >= 1  # the desks really did race for the same chairs
    assert double_bookings(db) == 0
    assert partial_courses(db) == 0
    with db.reading() as s:
        assert s.scalar(select(func.count(Series.id))) == booked
