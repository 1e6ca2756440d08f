"""A workstation that books six-session courses without pause, to be killed mid-series."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from scheduler.domain.access import Actor
from scheduler.domain.enums import StaffRole
from scheduler.services.booking import BookingRefused, Override, book_series, propose_series
from scheduler.store import open_database
from scheduler.store.models import Patient, Protocol

# A clinician at the desk, so that the override needs no second signature.
ACTOR = Actor(None, "killed desk", "Killed Desk", frozenset({StaffRole.CLINICIAN}))
NOW = dt.datetime(2026, 11, 16, 14, 0, tzinfo=dt.UTC)


def book_forever(path: str) -> None:
    """Propose and book IV ketamine courses for the demo's patients until killed."""
    database = open_database(path, create=False)
    with database.reading() as db:
        patients = list(db.scalars(select(Patient.id).limit(20)))
        protocol = db.scalar(select(Protocol.id).where(Protocol.phase == "induction"))
    assert protocol is not None
    print("booking", flush=True)
    for n in itertools.count():
        with database.reading() as db:
            proposal = propose_series(
                db, patient_id=patients[n % len(patients)], protocol_id=protocol, count=6,
                first_day=dt.date(2027, 1, 4) + dt.timedelta(days=7 * (n % 50)),
                preferred_time=dt.time(9 + n % 6), now=NOW,
            )  # fmt: skip
        try:
            with database.transaction() as db:
                book_series(db, proposal, actor=ACTOR, now=NOW, override=Override("fault test"))
        except BookingRefused:
            continue
