"""Who is due for a booster: past their maintenance interval, with nothing booked.

One set-based query gives each patient's last completed session of a course (kept for
each patient by the database, see ``PatientLastSession``), with what the list shows, in
the order the sessions took place; the most overdue are among the oldest, so a page is
read from the front of that order and stops as soon as no later row could belong on it.
Nothing is loaded per session, and a clinic with a million sessions behind it gets its
first page as quickly as a new one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, exists, or_, select
from sqlalchemy.orm import Session, aliased

from scheduler.domain.enums import HOLDING, Phase, SessionStatus
from scheduler.services.schedule import clinic_calendar
from scheduler.store.models import (
    Patient,
    PatientLastSession,
    Protocol,
    Series,
    Therapy,
    TreatmentSession,
)

# Rows the desk asks for at a time; it asks for more as the list is scrolled.
BOOSTER_PAGE = 100
_COMPLETED = SessionStatus.COMPLETED
_AHEAD = tuple(s for s in HOLDING if s is not _COMPLETED)
# Candidates read from the database at a time, in the order of their last session.
_CHUNK = 250


@dataclass(frozen=True)
class BoosterDue:
    """A patient whose last session is older than their maintenance interval, nothing booked."""

    patient_id: int
    patient_name: str
    chart_number: str
    phone: str
    last_session_on: dt.date
    last_therapy_name: str
    protocol_id: int  # the maintenance protocol to book
    protocol_name: str
    interval_days: int
    days_overdue: int


@dataclass(frozen=True)
class _Interval:
    """The maintenance protocol that applies after a course under some protocol."""

    protocol_id: int
    protocol_name: str
    days: int


def boosters_due(
    db: Session, *, today: dt.date, limit: int = BOOSTER_PAGE, after: BoosterDue | None = None
) -> list[BoosterDue]:
    """Patients past their maintenance interval with nothing booked, most overdue first.

    The interval comes from the protocol of the patient's last completed session, or, after
    an induction or single session, from that therapy's maintenance protocol. Ties go by
    the patient's name. Gives ``limit`` patients, those after ``after`` (the last one of
    the page before) when given.
    """
    intervals = _intervals(db)
    if not intervals or limit <= 0:
        return []
    shortest = min(i.days for i in intervals.values())
    longest = max(i.days for i in intervals.values())
    calendar = clinic_calendar(db)
    # Patients come in the order of their last session. One due on day D had it between
    # D - longest and D - shortest, so a page is whole once the last sessions read are
    # past its last due day less the shortest interval.
    start = calendar.at(_due_day(after) - dt.timedelta(days=longest), dt.time()) if after else None
    stop = calendar.at(today - dt.timedelta(days=shortest), dt.time())
    found: list[BoosterDue] = []
    rows = _last_sessions(intervals, start_of_today=calendar.at(today, dt.time()))
    for chunk in _chunks(db, rows, start, stop):
        for row in chunk:
            due = _booster_due(row, intervals, calendar.local_day(row.starts_at), today)
            if due.days_overdue > 0 and (after is None or _order(due) > _order(after)):
                found.append(due)
        found = sorted(found, key=_order)[:limit]
        last_read = calendar.local_day(chunk[-1].starts_at)
        if len(found) == limit and last_read + dt.timedelta(days=shortest) > _due_day(found[-1]):
            break
    return found


def booster_due_days(
    db: Session, *, today: dt.date, first: dt.date, last: dt.date
) -> list[dt.date]:
    """The day each patient's booster falls due, for those due from ``first`` to ``last``.

    The same patients the list shows (nothing booked from today on), in one query over the
    last sessions that can fall due in the range, for the Reports screen's counts.
    """
    intervals = _intervals(db)
    if not intervals or last < first:
        return []
    shortest = min(i.days for i in intervals.values())
    longest = max(i.days for i in intervals.values())
    calendar = clinic_calendar(db)
    earliest = calendar.at(first - dt.timedelta(days=longest), dt.time())
    latest = calendar.at(last - dt.timedelta(days=shortest - 1), dt.time())
    rows = _last_sessions(intervals, start_of_today=calendar.at(today, dt.time())).where(
        PatientLastSession.starts_at >= earliest, PatientLastSession.starts_at < latest
    )
    days = []
    for row in db.execute(rows):
        due = calendar.local_day(row.starts_at) + dt.timedelta(days=intervals[row.protocol_id].days)
        if first <= due <= last:
            days.append(due)
    return days


def _order(due: BoosterDue) -> tuple[dt.date, str, int]:
    """Most overdue first (the earliest due day), then by name."""
    return (_due_day(due), due.patient_name, due.patient_id)


def _due_day(due: BoosterDue) -> dt.date:
    return due.last_session_on + dt.timedelta(days=due.interval_days)


def _booster_due(
    row: Row[Any], intervals: dict[int, _Interval], last_day: dt.date, today: dt.date
) -> BoosterDue:
    interval = intervals[row.protocol_id]
    return BoosterDue(
        patient_id=row.patient_id,
        patient_name=f"{row.preferred_name or row.first_name} {row.last_name}",
        chart_number=row.chart_number,
        phone=row.mobile_phone or row.home_phone,
        last_session_on=last_day,
        last_therapy_name=row.therapy_name,
        protocol_id=interval.protocol_id,
        protocol_name=interval.protocol_name,
        interval_days=interval.days,
        days_overdue=(today - last_day).days - interval.days,
    )


def _last_sessions(
    intervals: dict[int, _Interval], *, start_of_today: dt.datetime
) -> Select[*tuple[Any, ...]]:
    """Each patient's last completed session of a course, with what the list shows of it.

    Only patients on file with nothing booked from today on, whose last course has a
    maintenance interval; in the order the sessions took place, read from
    ``patient_last_sessions`` (one row a patient, kept by the database) by its time index.
    """
    ahead = aliased(TreatmentSession)
    return (
        select(
            PatientLastSession.session_id.label("id"),
            PatientLastSession.starts_at,
            PatientLastSession.patient_id,
            Series.protocol_id,
            Therapy.name.label("therapy_name"),
            Patient.first_name,
            Patient.preferred_name,
            Patient.last_name,
            Patient.chart_number,
            Patient.mobile_phone,
            Patient.home_phone,
        )
        .join(TreatmentSession, TreatmentSession.id == PatientLastSession.session_id)
        .join(Series, Series.id == TreatmentSession.series_id)
        .join(Patient, Patient.id == PatientLastSession.patient_id)
        .join(Therapy, Therapy.id == TreatmentSession.therapy_id)
        .where(
            Series.protocol_id.in_(intervals),
            Patient.archived.is_(False),
            ~exists().where(
                ahead.patient_id == PatientLastSession.patient_id,
                ahead.status.in_(_AHEAD),
                ahead.starts_at >= start_of_today,
            ),
        )
        .order_by(PatientLastSession.starts_at, PatientLastSession.session_id)
    )


def _chunks(
    db: Session,
    rows: Select[*tuple[Any, ...]],
    start: dt.datetime | None,
    stop: dt.datetime,
) -> Iterator[Sequence[Row[Any]]]:
    """The rows from ``start`` (or the first) to before ``stop``, a chunk at a time."""
    last_at, last_id = PatientLastSession.starts_at, PatientLastSession.session_id
    query = rows.where(last_at < stop)
    if start is not None:
        query = query.where(last_at >= start)
    while chunk := db.execute(query.limit(_CHUNK)).all():
        yield chunk
        last = chunk[-1]
        # Where the last chunk ended, as a range an index can seek to.
        query = rows.where(
            last_at < stop,
            last_at >= last.starts_at,
            or_(last_at > last.starts_at, last_id > last.id),
        )


def _intervals(db: Session) -> dict[int, _Interval]:
    """For each protocol, the maintenance interval that applies after a course under it.

    A protocol with an interval of its own uses it; any other uses its therapy's first
    active maintenance protocol that has one. Protocols with neither are left out.
    """
    protocols = list(db.scalars(select(Protocol).order_by(Protocol.id)))
    maintenance: dict[int, Protocol] = {}
    for p in protocols:
        if p.phase is Phase.MAINTENANCE and p.active and p.maintenance_interval_days is not None:
            maintenance.setdefault(p.therapy_id, p)
    found = {}
    for p in protocols:
        applies = p if p.maintenance_interval_days else maintenance.get(p.therapy_id)
        if applies is not None and applies.maintenance_interval_days:
            found[p.id] = _Interval(applies.id, applies.name, applies.maintenance_interval_days)
    return found
