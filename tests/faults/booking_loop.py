"""A workstation that books six-session courses without pause, to be killed mid-series."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from scheduler.services.booking import BookingRefused, book_series, propose_series
from scheduler.store import open_database
from scheduler.store.models import Patient, Protocol, Staff

ACTOR = "killed desk"
NOW = dt.datetime(2026, 11, 16, 14, 0, tzinfo=dt.UTC)


def book_forever(path: str) -> None:
    """Propose and book IV ketamine courses for the demo's patients until killed."""
    database = open_database(path, create=False)
    with database.reading() as db:
        patients = list(db.scalars(select(Patient.id).limit(20)))
        protocol = db.scalar(select(Protocol.id).where(Protocol.phase == "induction"))
        clinician = db.scalar(select(Staff.id).where(Staff.role == "clinician"))
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
                book_series(
                    db, proposal, actor=ACTOR, now=NOW, override_reason="fault test",
                    clinician_id=clinician,
                )  # fmt: skip
        except BookingRefused:
            continue
