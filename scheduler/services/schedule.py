"""What the screens and letters ask about the calendar: read-only queries returning plain values.

Nothing here writes. Results are frozen dataclasses of plain values, so a screen can keep them
after the database session is gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.sql.elements import ColumnElement

from scheduler.domain.availability import ClinicCalendar, start_times
from scheduler.domain.enums import (
    HOLDING,
    ChairKind,
    Phase,
    Place,
    SeriesStatus,
    SessionStatus,
    StaffRole,
)
from scheduler.domain.escort import needs_escort
from scheduler.domain.planning import SlotNeeds, first_free
from scheduler.services.books import books
from scheduler.services.clinic import get_settings
from scheduler.services.rows import get_or_refuse
from scheduler.services.stored import as_stored, stored_instant
from scheduler.store.models import (
    Chair,
    Closure,
    OpeningHours,
    Patient,
    Protocol,
    Series,
    Staff,
    Therapy,
    TreatmentSession,
)

FREE_SLOT_SEARCH_DAYS = 28


@dataclass(frozen=True)
class SessionView:
    """One session as a screen or letter shows it."""

    session_id: int
    patient_id: int
    patient_name: str  # display name
    chart_number: str
    therapy_id: int
    therapy_name: str
    therapy_colour: str
    session_noun: str
    place: Place
    chair_id: int | None
    chair_name: str
    nurse_id: int | None
    nurse_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    treatment_minutes: int
    observation_minutes: int
    buffer_minutes: int
    status: SessionStatus
    status_reason: str
    late_cancellation: bool
    number: int | None
    series_count: int | None  # the course's planned number of sessions
    progress: str  # "3 of 6", or "" for a session outside a course of several
    driver_name: str
    series_id: int | None
    protocol_name: str
    # Whether the patient goes home with an aftercare letter (not after a visit or video call).
    has_aftercare: bool = True
    # Whether someone must take the patient home, who does today, or why no one does.
    needs_escort: bool = False
    escort_name: str = ""
    no_escort_reason: str = ""

    @property
    def chair_free_at(self) -> dt.datetime:
        return self.ends_at + dt.timedelta(minutes=self.buffer_minutes)

    @property
    def escort_missing(self) -> bool:
        """Nobody recorded to take the patient home, nor why no one does, though one is needed."""
        return self.needs_escort and not self.escort_name and not self.no_escort_reason


@dataclass(frozen=True)
class Slot:
    """A free start for a therapy, with the chair (or room) it would take."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    chair_id: int | None
    chair_name: str


@dataclass(frozen=True)
class CourseView:
    """A patient's series with its progress and every session in it."""

    series_id: int
    protocol_id: int
    protocol_name: str
    phase: Phase
    status: SeriesStatus
    planned_count: int
    completed_count: int
    progress: str  # "3 of 6": sessions completed of those planned
    sessions: list[SessionView]


@dataclass(frozen=True)
class ChairView:
    chair_id: int
    name: str
    kind: ChairKind
    sort_order: int


def progress_label(number: int | None, count: int | None) -> str:
    """ "3 of 6" for a session in a course of several; "" otherwise."""
    if number is None or count is None or count <= 1:
        return ""
    return f"{number} of {count}"


def view_of(session: TreatmentSession) -> SessionView:
    """The plain-value view of one session (its related rows must be loadable)."""
    series = session.series
    count = series.planned_count if series is not None else None
    return SessionView(
        session_id=session.id,
        patient_id=session.patient_id,
        patient_name=session.patient.display_name,
        chart_number=session.patient.chart_number,
        therapy_id=session.therapy_id,
        therapy_name=session.therapy.name,
        therapy_colour=session.therapy.colour,
        session_noun=session.therapy.session_noun,
        place=session.place,
        chair_id=session.chair_id,
        chair_name=session.chair.name if session.chair is not None else "",
        nurse_id=session.nurse_id,
        nurse_name=session.nurse.name if session.nurse is not None else "",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        treatment_minutes=session.treatment_minutes,
        observation_minutes=session.observation_minutes,
        buffer_minutes=session.buffer_minutes,
        status=session.status,
        status_reason=session.status_reason,
        late_cancellation=session.late_cancellation,
        number=session.number,
        series_count=count,
        progress=progress_label(session.number, count),
        driver_name=session.patient.driver_name,
        series_id=session.series_id,
        protocol_name=series.protocol.name if series is not None else "",
        has_aftercare=session.therapy.aftercare_letter and session.place is not Place.VIDEO,
        needs_escort=needs_escort(session.therapy.needs_driver, session.place),
        escort_name=session.escort_name,
        no_escort_reason=session.no_escort_reason,
    )


def _with_relations(query: Select[TreatmentSession]) -> Select[TreatmentSession]:
    return query.options(
        selectinload(TreatmentSession.patient),
        selectinload(TreatmentSession.therapy),
        selectinload(TreatmentSession.chair),
        selectinload(TreatmentSession.nurse),
        selectinload(TreatmentSession.series).selectinload(Series.protocol),
    )


def clinic_calendar(db: Session, *, names: bool = True) -> ClinicCalendar:
    """The clinic's time zone, hours, closures, limits and the names of chairs and nurses.

    ``names=False`` leaves out the names, for a screen that only needs the wall clock.
    """
    settings = get_settings(db)
    calendar = ClinicCalendar(
        timezone=settings.timezone,
        hours=_hours(db),
        closures=_closures(db),
        nurse_patient_limit=settings.nurse_patient_limit,
        travel_minutes=settings.home_visit_travel_minutes,
        slot_minutes=settings.slot_minutes,
    )
    if not names:
        return calendar
    return replace(
        calendar,
        chair_names={c.id: c.name for c in db.scalars(select(Chair))},
        nurse_names={s.id: s.name for s in db.scalars(select(Staff))},
    )


def wall_calendar(db: Session, zone: ZoneInfo) -> ClinicCalendar:
    """The clinic's hours and closures in its time zone ``zone``, for a screen that shows days.

    Without the clinic's limits (those of ``ClinicCalendar``'s defaults): not for booking.
    The desk keeps the time zone, so a calendar refresh reads no settings.
    """
    return ClinicCalendar(timezone=zone.key, hours=_hours(db), closures=_closures(db))


def _hours(db: Session) -> dict[int, tuple[dt.time, dt.time]]:
    return {h.weekday: (h.opens, h.closes) for h in db.scalars(select(OpeningHours))}


def _closures(db: Session) -> dict[dt.date, str]:
    return {c.day: c.reason for c in db.scalars(select(Closure))}


# A session ends on the local day it starts (``hours_problems`` refuses anything else), so none
# holds its place longer than a day: 25 hours on the day the clocks go back. Any session
# overlapping a span therefore starts at most this long before it, which bounds every interval
# query to an index range instead of all history since the clinic opened.
LONGEST_SESSION = dt.timedelta(hours=25)


def day_bounds(zone: ZoneInfo, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants from the clinic's midnight starting ``first`` to the one ending ``last``."""
    start = dt.datetime.combine(first, dt.time(0), zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def overlapping(start: dt.datetime, end: dt.datetime) -> ColumnElement[bool]:
    """The condition "the session overlaps ``start``..``end``", served by the starts_at index."""
    return _overlap(start - LONGEST_SESSION, start, end)


# Sessions to read other rows of (their letters, their emails): ids the caller has, or a
# statement giving them, which the database joins instead of taking hundreds of parameters.
SessionIds = Sequence[int] | Select[int]


def session_ids_between(start: dt.datetime, end: dt.datetime) -> Select[int]:
    """The ids of the sessions overlapping ``start``..``end``, as a statement."""
    return select(TreatmentSession.id).where(overlapping(start, end))


def _overlap(since: Any, start: Any, end: Any) -> ColumnElement[bool]:
    """Overlapping ``start``..``end`` and started after ``since``: values or parameters."""
    return and_(
        TreatmentSession.starts_at > since,
        TreatmentSession.starts_at < end,
        TreatmentSession.ends_at > start,
    )


# How far the Letters screen looks ahead for the next day with sessions.
LOOK_AHEAD = dt.timedelta(weeks=4)


def next_day_with_sessions(db: Session, after: dt.date, zone: ZoneInfo) -> dt.date | None:
    """The first local day after ``after`` with a session that still takes place.

    One look along the starts_at index, bounded to ``LOOK_AHEAD``; None when nothing is booked
    in that time.
    """
    _, start = day_bounds(zone, after, after)  # the midnight that ends ``after``
    first = db.scalar(
        select(TreatmentSession.starts_at)
        .where(
            TreatmentSession.starts_at >= start,
            TreatmentSession.starts_at < start + LOOK_AHEAD,
            TreatmentSession.status.in_(HOLDING),
        )
        .order_by(TreatmentSession.starts_at)
        .limit(1)
    )
    return None if first is None else first.astimezone(zone).date()


def sessions_on_day(
    db: Session, day: dt.date, *, include_cancelled: bool = True
) -> list[SessionView]:
    """Every session of a local clinic day, by start time then chair order."""
    return sessions_on_days(db, day, day, include_cancelled=include_cancelled)


def sessions_on_days(
    db: Session,
    first: dt.date,
    last: dt.date,
    *,
    include_cancelled: bool = True,
    zone: ZoneInfo | None = None,
) -> list[SessionView]:
    """Every session of the local clinic days ``first`` to ``last`` (a week view) in one query.

    ``zone`` is the clinic's time zone, when the caller has it already.
    """
    zone = zone or ZoneInfo(get_settings(db).timezone)
    start, end = day_bounds(zone, first, last)
    return sessions_between(db, start, end, include_cancelled=include_cancelled)


def sessions_between(
    db: Session,
    start: dt.datetime,
    end: dt.datetime,
    chair_ids: Sequence[int] | None = None,
    *,
    include_cancelled: bool = True,
) -> list[SessionView]:
    """Sessions overlapping ``start``..``end`` (optionally on some chairs): day and week views.

    One query: the session's columns with those of its patient, therapy, chair, nurse, course
    and protocol joined in, read as plain values (no ORM objects, no loads one row at a time).
    Ordered by start time, then the desk's chair order.
    """
    query = _between_query(chairs=chair_ids is not None, include_cancelled=include_cancelled)
    values: dict[str, Any] = {"since": start - LONGEST_SESSION, "start": start, "end": end}
    if chair_ids is not None:
        values["chair_ids"] = list(chair_ids)
    # On the connection: plain rows, without the ORM's result machinery, for a few thousand.
    return _views(db.connection().execute(query, values).all())


@cache
def _between_query(*, chairs: bool, include_cancelled: bool) -> Select[*tuple[Any, ...]]:
    """``sessions_between``'s statement, built once: its bounds are parameters."""
    query = _VIEW_QUERY.where(_overlap(bindparam("since"), bindparam("start"), bindparam("end")))
    if chairs:
        query = query.where(TreatmentSession.chair_id.in_(bindparam("chair_ids", expanding=True)))
    if not include_cancelled:
        query = query.where(TreatmentSession.status.in_(HOLDING))
    return query.order_by(
        TreatmentSession.starts_at,
        func.coalesce(Chair.sort_order, 1_000_000),
        func.coalesce(Chair.name, ""),
        TreatmentSession.id,
    )


_Nurse = aliased(Staff)
_VIEW_QUERY = (
    select(
        TreatmentSession.id,
        TreatmentSession.patient_id,
        Patient.preferred_name,
        Patient.first_name,
        Patient.last_name,
        Patient.chart_number,
        Patient.driver_name,
        TreatmentSession.therapy_id,
        Therapy.name,
        Therapy.colour,
        Therapy.session_noun,
        Therapy.aftercare_letter,
        # Read as stored (services.stored) and converted in _views, a look-up per value.
        as_stored(TreatmentSession.place),
        TreatmentSession.chair_id,
        Chair.name,
        TreatmentSession.nurse_id,
        _Nurse.name,
        as_stored(TreatmentSession.starts_at),
        as_stored(TreatmentSession.ends_at),
        TreatmentSession.treatment_minutes,
        TreatmentSession.observation_minutes,
        TreatmentSession.buffer_minutes,
        as_stored(TreatmentSession.status),
        TreatmentSession.status_reason,
        TreatmentSession.late_cancellation,
        TreatmentSession.number,
        TreatmentSession.series_id,
        Series.planned_count,
        Protocol.name,
        Therapy.needs_driver,
        TreatmentSession.escort_name,
        TreatmentSession.no_escort_reason,
    )
    .join(Patient, Patient.id == TreatmentSession.patient_id)
    .join(Therapy, Therapy.id == TreatmentSession.therapy_id)
    .outerjoin(Chair, Chair.id == TreatmentSession.chair_id)
    .outerjoin(_Nurse, _Nurse.id == TreatmentSession.nurse_id)
    .outerjoin(Series, Series.id == TreatmentSession.series_id)
    .outerjoin(Protocol, Protocol.id == Series.protocol_id)
)


# Dictionary look-ups: a few thousand rows a week, and calling an enum class is slow.
_PLACES = {p.value: p for p in Place}
_STATUSES = {s.value: s for s in SessionStatus}
_VIDEO = Place.VIDEO.value


def _views(rows: Iterable[Sequence[Any]]) -> list[SessionView]:
    """The views of ``_VIEW_QUERY``'s rows: the same values ``view_of`` takes from objects.

    A week is a few thousand rows, so the per-row work is kept to look-ups: instants, the
    place's consequences and the progress label are worked out once per distinct value, and
    each view is filled in directly rather than through the frozen class's ``__init__``,
    which sets each field by a call of its own.
    """
    instants: dict[Any, dt.datetime] = {}
    # (place, aftercare letter, needs a driver) -> (place, has aftercare, needs an escort)
    kinds: dict[tuple[str, Any, Any], tuple[Place, bool, bool]] = {}
    progress: dict[tuple[int | None, int | None], str] = {}
    views: list[SessionView] = []
    add = views.append
    for (
        session_id, patient_id, preferred, first, last, chart, driver, therapy_id, therapy,
        colour, noun, aftercare, place, chair_id, chair, nurse_id, nurse, starts_at, ends_at,
        treatment, observation, buffer, status, reason, late, number, series_id, count, protocol,
        needs_driver, escort, no_escort_reason,
    ) in rows:  # fmt: skip
        kind = kinds.get((place, aftercare, needs_driver))
        if kind is None:
            member = _PLACES[place]
            kind = kinds[place, aftercare, needs_driver] = (
                member,
                bool(aftercare) and place != _VIDEO,
                needs_escort(bool(needs_driver), member),
            )
        start = instants.get(starts_at)
        if start is None:
            start = instants[starts_at] = stored_instant(starts_at)
        end = instants.get(ends_at)
        if end is None:
            end = instants[ends_at] = stored_instant(ends_at)
        label = progress.get((number, count))
        if label is None:
            label = progress[number, count] = progress_label(number, count)
        view = object.__new__(SessionView)
        object.__setattr__(view, "__dict__", {
            "session_id": session_id, "patient_id": patient_id,
            "patient_name": f"{preferred or first} {last}", "chart_number": chart,
            "therapy_id": therapy_id, "therapy_name": therapy, "therapy_colour": colour,
            "session_noun": noun, "place": kind[0], "chair_id": chair_id,
            "chair_name": chair or "", "nurse_id": nurse_id, "nurse_name": nurse or "",
            "starts_at": start, "ends_at": end,
            "treatment_minutes": treatment, "observation_minutes": observation,
            "buffer_minutes": buffer, "status": _STATUSES[status], "status_reason": reason,
            "late_cancellation": bool(late), "number": number, "series_count": count,
            "progress": label, "driver_name": driver, "series_id": series_id,
            "protocol_name": protocol or "", "has_aftercare": kind[1], "needs_escort": kind[2],
            "escort_name": escort, "no_escort_reason": no_escort_reason,
        })  # fmt: skip
        add(view)
    return views


def chairs_for(db: Session, place: Place) -> list[ChairView]:
    """Active chairs (or rooms) where a session at ``place`` may go, in the desk's order."""
    if not place.needs_chair:
        return []
    rows = db.scalars(
        select(Chair)
        .where(Chair.active.is_(True), Chair.kind == place)
        .order_by(Chair.sort_order, Chair.name)
    )
    return [ChairView(c.id, c.name, ChairKind(c.kind), c.sort_order) for c in rows]


@dataclass(frozen=True, slots=True)
class NurseView:
    """A nurse who may be sent on a home visit."""

    staff_id: int
    name: str


def active_nurses(db: Session) -> list[NurseView]:
    rows = db.scalars(
        select(Staff)
        .where(Staff.active.is_(True), Staff.holding(StaffRole.NURSE))
        .order_by(Staff.name, Staff.id)
    )
    return [NurseView(n.id, n.name) for n in rows]


def next_free_slots(
    db: Session,
    *,
    therapy_id: int,
    near: dt.datetime,
    count: int = 10,
    chair_id: int | None = None,
    patient_id: int | None = None,
    place: Place | None = None,
    now: dt.datetime | None = None,
    day_allowed: Callable[[dt.date], bool] | None = None,
) -> list[Slot]:
    """The first ``count`` free starts for a therapy from ``near`` on, one chair each.

    With ``chair_id`` only that chair is searched; with ``patient_id`` the patient's own
    sessions are avoided too; with ``now`` nothing in the past is offered; ``day_allowed``
    leaves out the days a course's rules refuse (``course_rules.free_slots``).
    """
    therapy = get_or_refuse(db, Therapy, therapy_id, f"No therapy with id {therapy_id}.")
    place = place or therapy.place_list[0]
    calendar = clinic_calendar(db)
    chair_ids = [chair_id] if chair_id is not None else [c.chair_id for c in chairs_for(db, place)]
    nurses: list[int | None] = (
        [n.staff_id for n in active_nurses(db)] if place is Place.HOME else [None]
    )
    needs = SlotNeeds(
        patient_id=patient_id if patient_id is not None else -1,
        minutes=therapy.treatment_minutes + therapy.observation_minutes,
        buffer_minutes=therapy.buffer_minutes,
        place=place,
        chair_ids=chair_ids,
        nurse_ids=nurses,
    )
    if (place.needs_chair and not chair_ids) or (place is Place.HOME and not nurses):
        return []
    first_day = calendar.local_day(near)
    last = near + dt.timedelta(days=FREE_SLOT_SEARCH_DAYS)
    booked = books(db)
    booked.cover(near, last)
    slots: list[Slot] = []
    for offset in range(FREE_SLOT_SEARCH_DAYS):
        day = first_day + relativedelta(days=offset)
        if day_allowed is not None and not day_allowed(day):
            continue
        for start in start_times(calendar, day, needs.minutes):
            if start < near:
                continue
            taken = first_free(needs, calendar, booked, start, now=now)
            if taken is not None:
                slots.append(
                    Slot(
                        taken.starts_at,
                        taken.ends_at,
                        taken.chair_id,
                        calendar.chair_name(taken.chair_id),
                    )
                )
                if len(slots) >= count:
                    return slots
    return slots


def patient_courses(db: Session, patient_id: int) -> list[CourseView]:
    """A patient's series, newest first, each with its progress and sessions."""
    series_rows = db.scalars(
        select(Series)
        .where(Series.patient_id == patient_id)
        .options(selectinload(Series.protocol))
        .order_by(Series.created_at.desc(), Series.id.desc())
    ).all()
    courses = []
    for series in series_rows:
        sessions = db.scalars(
            _with_relations(
                select(TreatmentSession)
                .where(TreatmentSession.series_id == series.id)
                .order_by(TreatmentSession.starts_at, TreatmentSession.id)
            )
        ).all()
        done = sum(1 for s in sessions if s.status is SessionStatus.COMPLETED)
        courses.append(
            CourseView(
                series_id=series.id,
                protocol_id=series.protocol_id,
                protocol_name=series.protocol.name,
                phase=series.protocol.phase,
                status=series.status,
                planned_count=series.planned_count,
                completed_count=done,
                progress=f"{done} of {series.planned_count}",
                sessions=[view_of(s) for s in sessions],
            )
        )
    return courses


def chairs(db: Session) -> list[ChairView]:
    """Active chairs and rooms in the desk's order."""
    rows = db.scalars(
        select(Chair).where(Chair.active.is_(True)).order_by(Chair.sort_order, Chair.name)
    )
    return [ChairView(c.id, c.name, c.kind, c.sort_order) for c in rows]


def opening_hours_on(db: Session, day: dt.date) -> tuple[dt.time, dt.time] | None:
    """When the clinic opens and closes on a day; None when closed (weekday off or closure)."""
    return clinic_calendar(db).hours_on(day)


def closure_on(db: Session, day: dt.date) -> str | None:
    """The reason the clinic is closed that day, or None when it is not a closure day."""
    closure = db.scalar(select(Closure).where(Closure.day == day))
    return None if closure is None else closure.reason
