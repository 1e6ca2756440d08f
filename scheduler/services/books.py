"""The books every booking path checks against: sessions holding a slot, loaded by time range.

Proposals, the free-slot finder, make-ups, reflows, maintenance plans and the booking checks
all read the books through ``books``, so each asks the same rules of the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scheduler.domain.enums import HOLDING, Place
from scheduler.domain.occupancy import LONGEST_TAIL, Occupancy, Occupation
from scheduler.services.stored import as_stored, stored_instant
from scheduler.store.models import TreatmentSession

_COLUMNS = (
    TreatmentSession.id,
    TreatmentSession.patient_id,
    # Read as stored and converted below (services.stored): a plan reads thousands.
    as_stored(TreatmentSession.starts_at),
    as_stored(TreatmentSession.ends_at),
    TreatmentSession.buffer_minutes,
    TreatmentSession.chair_id,
    TreatmentSession.nurse_id,
    as_stored(TreatmentSession.place),
    TreatmentSession.series_id,
)
_HOME = Place.HOME.value


def books(db: Session, *, excluding: Collection[int] = ()) -> Occupancy:
    """The sessions holding a slot (but those in ``excluding``), read a time range at a time.

    Each stretch of time a question reaches is read by start time, with what the day before
    still runs into it, in one query on the index on ``starts_at``, and nothing else of the
    history.
    """
    leave_out = frozenset(excluding)
    instants: dict[Any, dt.datetime] = {}

    def instant(stored: Any) -> dt.datetime:
        made = instants.get(stored)
        if made is None:
            made = instants[stored] = stored_instant(stored)
        return made

    def load(start: dt.datetime, end: dt.datetime, after: dt.datetime | None) -> list[Occupation]:
        query = select(*_COLUMNS).where(
            TreatmentSession.starts_at >= start,
            TreatmentSession.starts_at < end,
            TreatmentSession.status.in_(HOLDING),
        )
        if after is not None:  # occupancy.may_run_after, in SQL (true of any starting after)
            query = query.where(
                or_(
                    TreatmentSession.place == Place.HOME,
                    TreatmentSession.ends_at > after - LONGEST_TAIL,
                    TreatmentSession.buffer_minutes > LONGEST_TAIL.total_seconds() // 60,
                )
            )
        # On the connection: plain rows, without the ORM's result machinery, for a day's worth.
        rows = db.connection().execute(query).all()
        return [
            Occupation(
                patient_id=patient_id,
                starts_at=instant(starts_at),
                ends_at=instant(ends_at),
                buffer_minutes=buffer_minutes,
                chair_id=chair_id,
                nurse_id=nurse_id,
                home=place == _HOME,
                session_id=session_id,
                series_id=series_id,
            )
            for (session_id, patient_id, starts_at, ends_at, buffer_minutes, chair_id, nurse_id,
                 place, series_id) in rows
            if session_id not in leave_out
        ]  # fmt: skip

    return Occupancy(loader=load)
