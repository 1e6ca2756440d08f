"""A clinic to paint: a busy 40-chair week (paint and soak tests); the demo is conftest's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.services.booking import book_single
from scheduler.store import Database, open_database
from tests.conftest import ACTOR, CLINIC_TZ, NOW, set_up_test_clinic_in
from tests.factories import IV_SINGLE, add_chairs, make_patient, protocol_id

ZONE = ZoneInfo(CLINIC_TZ)
TODAY = NOW.astimezone(ZONE).date()  # Monday 16 November 2026
BUSY_CHAIRS = 40
BUSY_STARTS = (dt.time(9), dt.time(11, 30), dt.time(14))
BOOKED_AT = NOW - dt.timedelta(days=7)  # booked the week before, so Monday 9:00 is ahead


def busy_clinic(folder: Path) -> Database:
    """40 chairs, each with three IV infusions a day from Monday to Friday of this week."""
    database = open_database(str(folder / "busy.sqlite3"), now=NOW)
    set_up_test_clinic_in(database)
    with database.transaction() as db:
        chairs = add_chairs(db, BUSY_CHAIRS)
        protocol = protocol_id(db, IV_SINGLE)
        patients = [
            make_patient(db, first_name="Busy", last_name=f"Patient {n}")
            for n in range(len(chairs) * len(BUSY_STARTS))
        ]
        for offset in range(5):
            day = TODAY + dt.timedelta(days=offset)
            for number, chair in enumerate(chairs):
                for slot, start in enumerate(BUSY_STARTS):
                    book_single(
                        db,
                        patient_id=patients[number * len(BUSY_STARTS) + slot],
                        protocol_id=protocol,
                        starts_at=dt.datetime.combine(day, start, ZONE).astimezone(dt.UTC),
                        chair_id=chair,
                        actor=ACTOR,
                        now=BOOKED_AT,
                    )
    return database
