"""The books every booking path checks against: sessions holding a slot, loaded by time range.

Proposals, the free-slot finder, make-ups, reflows, maintenance plans and the booking checks
all read the books through ``books``, so each asks the same rules of the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scheduler.domain.enums import HOLDING, Place
from scheduler.domain.occupancy import LONGEST_TAIL, Occupancy, Occupation
from scheduler.store.models import TreatmentSession

_COLUMNS = (
    TreatmentSession.id,
    TreatmentSession.patient_id,
    TreatmentSession.starts_at,
    TreatmentSession.ends_at,
    TreatmentSession.buffer_minutes,
    TreatmentSession.chair_id,
    TreatmentSession.nurse_id,
    TreatmentSession.place,
    TreatmentSession.series_id,
)


def books(db: Session, *, excluding: Collection[int] = ()) -> Occupancy:
    """The sessions holding a slot (but those in ``excluding``), read a time range at a time.

    Each day a question reaches is read by start time (and the day before by what still
    runs into it), so the queries use the index on ``starts_at`` and nothing else of the
    history.
    """
    leave_out = frozenset(excluding)

    def load(start: dt.datetime, end: dt.datetime, after: dt.datetime | None) -> list[Occupation]:
        query = select(*_COLUMNS).where(
            TreatmentSession.starts_at >= start,
            TreatmentSession.starts_at < end,
            TreatmentSession.status.in_(HOLDING),
        )
        if after is not None:  # occupancy.may_run_after, in SQL
            query = query.where(
                or_(
                    TreatmentSession.place == Place.HOME,
                    TreatmentSession.ends_at > after - LONGEST_TAIL,
                    TreatmentSession.buffer_minutes > LONGEST_TAIL.total_seconds() // 60,
                )
            )
        # On the connection: plain rows, without the ORM's result machinery, for a day's worth.
        rows = db.connection().execute(query)
        return [
            Occupation(
                patient_id=patient_id,
                starts_at=starts_at,
                ends_at=ends_at,
                buffer_minutes=buffer_minutes,
                chair_id=chair_id,
                nurse_id=nurse_id,
                home=place is Place.HOME,
                session_id=session_id,
                series_id=series_id,
            )
            for (session_id, patient_id, starts_at, ends_at, buffer_minutes, chair_id, nurse_id,
                 place, series_id) in rows
            if session_id not in leave_out
        ]  # fmt: skip

    return Occupancy(loader=load)
