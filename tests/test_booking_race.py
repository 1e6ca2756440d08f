"""Two workstations on one SQLite file race for the last chair: exactly one course is booked."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scheduler.domain.planning import SeriesProposal
from scheduler.services.booking import BookingRefused, book_series
from scheduler.store import Database, open_database
from scheduler.store.models import Chair, Series, TreatmentSession
from tests.conftest import ACTOR, NOW
from tests.factories import Clinic, propose, set_up_test_clinic

pytestmark = pytest.mark.slow


def one_chair_left(db: Database) -> Clinic:
    """The test clinic with its second chair out of use: one chair for two patients."""
    clinic = set_up_test_clinic(db)
    with db.transaction() as s:
        for chair_id in clinic.chairs[1:]:
            chair = s.get(Chair, chair_id)
            assert chair is not None
            chair.active = False
    return clinic


def proposal_for(database: Database, clinic: Clinic, patient_id: int) -> SeriesProposal:
    with database.reading() as s:
        return propose(s, clinic, patient_id=patient_id)


def books(database: Database) -> tuple[int, int, set[int]]:
    with database.reading() as s:
        sessions = s.scalar(select(func.count(TreatmentSession.id))) or 0
        series = s.scalar(select(func.count(Series.id))) or 0
        patients = set(s.scalars(select(TreatmentSession.patient_id)))
    return sessions, series, patients


def test_two_connections_the_second_is_refused_whole(db: Database, db_path: Path) -> None:
    clinic = one_chair_left(db)
    other = open_database(str(db_path), now=NOW)
    try:
        # Both desks look at the same free chair before either books.
        first = proposal_for(db, clinic, clinic.patient)
        second = proposal_for(other, clinic, clinic.other_patient)
        assert [r.starts_at for r in first.rows] == [r.starts_at for r in second.rows]
        with db.transaction() as s:
            book_series(s, first, actor=replace(ACTOR, sign_in="desk 1"), now=NOW)
        with pytest.raises(BookingRefused, match="Chair 1 is taken") as refused, \
                other.transaction() as s:  # fmt: skip
            book_series(s, second, actor=replace(ACTOR, sign_in="desk 2"), now=NOW)
        assert len(refused.value.reasons) == 6
        assert books(other) == (6, 1, {clinic.patient})
    finally:
        other.close()


def _desk(path: str, patient_id: int, clinic: Clinic, barrier: Barrier, results: object) -> None:
    """One workstation: propose, wait for the other, then book (in its own process)."""
    database = open_database(path, now=NOW)
    try:
        proposal = proposal_for(database, clinic, patient_id)
        barrier.wait(timeout=30)
        try:
            with database.transaction() as s:
                book_series(
                    s, proposal, actor=replace(ACTOR, sign_in=f"desk {patient_id}"), now=NOW
                )
            outcome = "booked"
        except BookingRefused as refused:
            outcome = "refused: " + refused.reasons[0]
        results.put((patient_id, outcome))  # type: ignore[attr-defined]
    finally:
        database.close()


def test_two_processes_race_for_the_last_chair(db: Database, db_path: Path) -> None:
    clinic = one_chair_left(db)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    desks = [
        context.Process(target=_desk, args=(str(db_path), patient, clinic, barrier, results))
        for patient in (clinic.patient, clinic.other_patient)
    ]
    for desk in desks:
        desk.start()
    outcomes = dict(results.get(timeout=60) for _ in desks)
    for desk in desks:
        desk.join(timeout=60)
        assert desk.exitcode == 0
    booked = [p for p, outcome in outcomes.items() if outcome == "booked"]
    refused = [o for o in outcomes.values() if o.startswith("refused: ")]
    assert len(booked) == 1
    assert len(refused) == 1
    assert "Chair 1 is taken" in refused[0]
    # The loser's course is wholly absent: not one of its sessions was written.
    assert books(db) == (6, 1, {booked[0]})
