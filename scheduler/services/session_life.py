"""A session's life after booking: confirm, check in, complete, cancel, no-show, move, make up.

Every status change appends a ``SessionStatusChange`` and an audit entry. A completed session
can no longer move. Moves are checked like new bookings (hours, closures, chairs, patient,
nurse) and against the course's spacing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.domain.catalogue import INDUCTION_MAX_SESSIONS
from scheduler.domain.enums import Phase, SeriesStatus, SessionStatus
from scheduler.domain.escort import Escort, escort_problem, needs_escort, reason_problem
from scheduler.domain.occupancy import Occupation
from scheduler.domain.planning import ProposedSession, plan_series
from scheduler.domain.spacing import Spacing, resumed, resumed_problems, spacing_problems
from scheduler.errors import ServiceError
from scheduler.services import audit, course_rules
from scheduler.services.access import require
from scheduler.services.booking import (
    BookingRefused,
    CourseParts,
    check_rows,
    course_parts,
    new_session,
    record_status,
    slot_needs,
    spacing_of,
)
from scheduler.services.books import books
from scheduler.services.clinic import get_settings
from scheduler.services.rows import get_or_refuse
from scheduler.services.schedule import clinic_calendar
from scheduler.store.models import Series, TreatmentSession

_B, _CF, _CI = SessionStatus.BOOKED, SessionStatus.CONFIRMED, SessionStatus.CHECKED_IN
MOVABLE = (_B, _CF)


class SessionStateError(ServiceError):
    """The session is not in a state that allows the action (e.g. completing a cancelled one)."""


@dataclass(frozen=True, slots=True)
class SessionState:
    """A session as an action left it: whose, when and where it is now, and its status."""

    session_id: int
    patient_id: int
    series_id: int | None
    number: int | None
    status: SessionStatus
    status_reason: str
    late_cancellation: bool
    starts_at: dt.datetime
    chair_id: int | None
    chair_name: str
    makeup_for_id: int | None


def state_of(session: TreatmentSession) -> SessionState:
    return SessionState(
        session_id=session.id,
        patient_id=session.patient_id,
        series_id=session.series_id,
        number=session.number,
        status=session.status,
        status_reason=session.status_reason,
        late_cancellation=session.late_cancellation,
        starts_at=session.starts_at,
        chair_id=session.chair_id,
        chair_name=session.chair.name if session.chair is not None else "",
        makeup_for_id=session.makeup_for_id,
    )


def session_state(db: Session, session_id: int) -> SessionState:
    """One session's state, for a dialog deciding what may be done with it."""
    return state_of(get_session(db, session_id))


def get_session(db: Session, session_id: int) -> TreatmentSession:
    """The session's row, for the services to change; the desk reads ``session_state``."""
    return get_or_refuse(db, TreatmentSession, session_id, f"No session with id {session_id}.")


def _change(
    db: Session,
    session_id: int,
    to: SessionStatus,
    allowed: Sequence[SessionStatus],
    *,
    reason: str = "",
    actor: Actor,
    now: dt.datetime,
    started: bool = False,
    escort_step: Callable[[TreatmentSession], str] | None = None,
) -> TreatmentSession:
    """Move a session to ``to``; ``escort_step`` records who takes the patient home, in the
    same audited write, and may say why no one does (the step's reason)."""
    session = get_session(db, session_id)
    current = session.status
    if current not in allowed:
        raise SessionStateError(
            f"A session that is {current.label.lower()} cannot be marked {to.label.lower()}."
        )
    if started and now < session.starts_at:
        raise SessionStateError(
            f"The session has not started yet; it cannot be marked {to.label.lower()}."
        )
    before = audit.snapshot(session)
    if escort_step is not None:
        reason = escort_step(session) or reason
    record_status(db, session, to, reason=reason, actor=actor, now=now)
    audit.record(
        db, actor=actor.sign_in, now=now, action=f"session.{to.value}", row=session, before=before,
        reason=reason,
    )  # fmt: skip
    if session.series is not None:
        _settle(db, session.series, actor=actor, now=now)
    return session


def _settle(db: Session, series: Series, *, actor: Actor, now: dt.datetime) -> None:
    """Mark a course completed once it has as many completed sessions as planned."""
    done = sum(1 for s in series.sessions if s.status is SessionStatus.COMPLETED)
    if series.status is SeriesStatus.ACTIVE and done >= series.planned_count:
        before = audit.snapshot(series)
        series.status = SeriesStatus.COMPLETED
        audit.record(
            db, actor=actor.sign_in, now=now, action="series.complete", row=series, before=before
        )


def confirm(db: Session, session_id: int, *, actor: Actor, now: dt.datetime) -> SessionState:
    """The patient has confirmed they will come."""
    require(actor, Permission.BOOK)
    return state_of(_change(db, session_id, _CF, (_B,), actor=actor, now=now))


def check_in(
    db: Session,
    session_id: int,
    *,
    actor: Actor,
    now: dt.datetime,
    escort: Escort | None = None,
) -> SessionState:
    """The patient has arrived (allowed on the session's own day).

    ``escort`` is who takes them home, as they said at the desk; recorded with the check-in.
    """
    require(actor, Permission.CHECK_IN)
    session = get_session(db, session_id)
    calendar = clinic_calendar(db)
    if calendar.local_day(now) != calendar.local_day(session.starts_at):
        raise SessionStateError("A patient can be checked in only on the day of the session.")
    return state_of(_change(db, session_id, _CI, (_B, _CF), actor=actor, now=now,
                            escort_step=lambda s: _record_escort(s, escort)))  # fmt: skip


def complete(
    db: Session,
    session_id: int,
    *,
    actor: Actor,
    now: dt.datetime,
    escort: Escort | None = None,
    no_escort_reason: str = "",
) -> SessionState:
    """The session took place.

    A session that sends the patient home sedated needs someone recorded to take them: at
    check-in, as ``escort`` now, or a nurse's ``no_escort_reason`` (kept in the audit trail).
    """
    require(actor, Permission.COMPLETE)

    def escort_step(session: TreatmentSession) -> str:
        _record_escort(session, escort)
        return _settle_escort(session, no_escort_reason)

    return state_of(_change(db, session_id, SessionStatus.COMPLETED, (_B, _CF, _CI), actor=actor,
                            now=now, started=True, escort_step=escort_step))  # fmt: skip


def escort_on_file(db: Session, session_id: int) -> Escort:
    """Who the desk offers as the patient's way home: the one recorded today, else the driver
    on file (empty when there is neither)."""
    session = get_session(db, session_id)
    if session.escort_name:
        return Escort(session.escort_name, session.escort_phone)
    return Escort(session.patient.driver_name, session.patient.driver_phone)


class EscortMissing(SessionStateError):
    """A sedating session would be completed with no one recorded to take the patient home."""


def _record_escort(session: TreatmentSession, escort: Escort | None) -> str:
    """Record who takes the patient home today (nothing when ``escort`` is None)."""
    if escort is None:
        return ""
    escort = escort.cleaned()
    problem = escort_problem(escort)
    if problem:
        raise ServiceError(problem)
    session.escort_name, session.escort_phone = escort.name, escort.phone
    session.no_escort_reason = ""
    return ""


def _settle_escort(session: TreatmentSession, no_escort_reason: str) -> str:
    """Refuse to let a sedated patient go with no one recorded, unless a nurse says why.

    The nurse's words are kept on the session and are the completion's audit reason.
    """
    if not needs_escort(session.therapy.needs_driver, session.place):
        return ""
    if session.escort_name:
        return ""
    reason = no_escort_reason.strip()
    if not reason:
        raise EscortMissing(
            f"Record who is taking {session.patient.display_name} home (or why no one is) "
            "before completing this session."
        )
    problem = reason_problem(reason)
    if problem:
        raise ServiceError(problem)
    session.no_escort_reason = reason
    return f"Goes home without a driver: {reason}"


def mark_no_show(
    db: Session, session_id: int, *, actor: Actor, now: dt.datetime, reason: str = ""
) -> SessionState:
    """The patient did not come (only once the session's start has passed)."""
    require(actor, Permission.CANCEL)
    return state_of(_change(db, session_id, SessionStatus.NO_SHOW, (_B, _CF), reason=reason,
                            actor=actor, now=now, started=True))  # fmt: skip


def cancel(
    db: Session, session_id: int, *, reason: str, actor: Actor, now: dt.datetime
) -> SessionState:
    """Cancel with a reason; flagged late when under the clinic's late-cancellation hours."""
    require(actor, Permission.CANCEL)
    if not reason.strip():
        raise ServiceError("Say why the session is cancelled.")
    session = get_session(db, session_id)
    late_hours = get_settings(db).late_cancel_hours
    late = session.starts_at - now < dt.timedelta(hours=late_hours)
    if session.status in (_B, _CF, _CI):
        session.late_cancellation = late
    return state_of(_change(db, session_id, SessionStatus.CANCELLED, (_B, _CF, _CI),
                            reason=reason.strip(), actor=actor, now=now))  # fmt: skip


def cancel_series(
    db: Session, series_id: int, *, reason: str, actor: Actor, now: dt.datetime
) -> Series:
    """Stop a course: its sessions still to come are cancelled, the course marked cancelled."""
    require(actor, Permission.CANCEL)
    if not reason.strip():
        raise ServiceError("Say why the course is stopped.")
    series = _get_series(db, series_id)
    for session in series.sessions:
        if session.status in MOVABLE and session.starts_at > now:
            cancel(db, session.id, reason=reason, actor=actor, now=now)
    before = audit.snapshot(series)
    series.status = SeriesStatus.CANCELLED
    audit.record(
        db,
        actor=actor.sign_in,
        now=now,
        action="series.cancel",
        row=series,
        before=before,
        reason=reason,
    )
    return series


def _get_series(db: Session, series_id: int) -> Series:
    return get_or_refuse(db, Series, series_id, f"No course with id {series_id}.")


_holding = course_rules.holding


def _renumber(series: Series) -> None:
    """Sessions still in the course are numbered in time order (missed ones keep theirs)."""
    for number, session in enumerate(_holding(series), start=1):
        session.number = number


def move_problem(status: SessionStatus, starts_at: dt.datetime, now: dt.datetime) -> str:
    """Why a session in this state cannot be moved at all, or "" when it may be.

    The desk asks this too, so the calendar offers to drag only what ``reschedule`` would take.
    """
    if status is SessionStatus.COMPLETED:
        return "A completed session cannot be moved."
    if status not in MOVABLE:
        return f"A session that is {status.label.lower()} cannot be moved."
    if starts_at <= now:
        return "A session that has already started cannot be moved."
    return ""


def _movable(session: TreatmentSession, now: dt.datetime) -> None:
    problem = move_problem(session.status, session.starts_at, now)
    if problem:
        raise SessionStateError(problem)


def _parts_of(db: Session, session: TreatmentSession) -> CourseParts:
    if session.series is None:
        raise SessionStateError("This session is not part of a course.")
    return course_parts(db, session.patient_id, session.series.protocol_id)


def _move(
    db: Session,
    session: TreatmentSession,
    occupation: Occupation,
    *,
    action: str,
    actor: Actor,
    now: dt.datetime,
) -> None:
    """Move one session to a slot already checked, noting it in history and audit."""
    calendar = clinic_calendar(db)
    before = audit.snapshot(session)
    was = calendar.when_text(session.starts_at)
    session.starts_at, session.ends_at = occupation.starts_at, occupation.ends_at
    session.chair_id, session.nurse_id = occupation.chair_id, occupation.nurse_id
    note = f"Moved from {was} to {calendar.when_text(occupation.starts_at)}."
    if session.status is SessionStatus.CONFIRMED:
        # The patient confirmed the old time, not this one.
        record_status(db, session, SessionStatus.BOOKED, reason=note, actor=actor, now=now)
    audit.record(
        db, actor=actor.sign_in, now=now, action=action, row=session, before=before, reason=note
    )


def _checked(
    db: Session,
    parts: CourseParts,
    moving: Sequence[TreatmentSession],
    rows: Sequence[ProposedSession],
    *,
    now: dt.datetime,
) -> list[Occupation]:
    """The slots of ``rows`` for the sessions ``moving``, checked together as a booking is."""
    place = moving[0].place
    found, placed = check_rows(db, parts, place, rows, now=now, excluding=[s.id for s in moving])
    if found:
        raise BookingRefused(found)
    return [occupation for _, occupation in placed]


def reschedule(
    db: Session,
    session_id: int,
    *,
    starts_at: dt.datetime,
    chair_id: int | None,
    actor: Actor,
    now: dt.datetime,
    nurse_id: int | None = None,
) -> SessionState:
    """Move one session to another slot, keeping the course's spacing with its neighbours.

    A confirmed session goes back to booked: the patient must confirm the new time.
    """
    require(actor, Permission.MOVE)
    session = get_session(db, session_id)
    _movable(session, now)
    parts = _parts_of(db, session)
    series = session.series
    assert series is not None
    starts_at = starts_at.astimezone(dt.UTC)
    problems = course_rules.day_problems(db, session, clinic_calendar(db).local_day(starts_at))
    if problems:
        raise BookingRefused(problems)
    row = ProposedSession(session.number or 1, starts_at, None, chair_id, "", nurse_id, True, "")
    (occupation,) = _checked(db, parts, [session], [row], now=now)
    _move(db, session, occupation, action="session.reschedule", actor=actor, now=now)
    _renumber(series)
    return state_of(session)


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a session sits on the calendar: its start and its chair."""

    starts_at: dt.datetime
    chair_id: int | None


class MovedSince(SessionStateError):
    """A move was to be undone, but the session is no longer where that move put it."""


def undo_move(
    db: Session,
    session_id: int,
    *,
    moved_to: Spot,
    back_to: Spot,
    actor: Actor,
    now: dt.datetime,
) -> SessionState:
    """Put a session back where it was before a move that left it at ``moved_to``.

    Whether it is still there is checked in the same transaction as the move back: had another
    workstation moved it since, putting it back would undo their move, not ours. The move back
    is a reschedule like any other (every booking rule, audited with the user).
    """
    require(actor, Permission.MOVE)
    session = get_session(db, session_id)
    if (session.starts_at, session.chair_id) != (moved_to.starts_at, moved_to.chair_id):
        raise MovedSince(
            f"{session.patient.display_name}'s session has been moved again since. "
            "Open it to move it."
        )
    return reschedule(db, session_id, starts_at=back_to.starts_at, chair_id=back_to.chair_id,
                      actor=actor, now=now)  # fmt: skip


def _missed(db: Session, session_id: int) -> tuple[TreatmentSession, Series, CourseParts]:
    session = get_session(db, session_id)
    if session.status not in (SessionStatus.CANCELLED, SessionStatus.NO_SHOW):
        raise SessionStateError("Only a cancelled or missed session can be made up.")
    parts = _parts_of(db, session)
    series = session.series
    assert series is not None
    if series.status is SeriesStatus.CANCELLED:
        raise SessionStateError("This course was stopped; book a new one instead.")
    if any(s.makeup_for_id == session.id and s.status.holds_slot
           for s in series.sessions):  # fmt: skip
        raise SessionStateError("This session has already been made up.")
    holding = len(_holding(series))
    cap = series.planned_count
    if parts.phase is Phase.INDUCTION:
        cap = min(cap, INDUCTION_MAX_SESSIONS)
    if holding + 1 > cap:
        raise BookingRefused(
            [f"The course already has {holding} sessions of {cap}; a make-up would exceed it."]
        )
    return session, series, parts


def propose_makeup(
    db: Session,
    session_id: int,
    *,
    now: dt.datetime,
    preferred_time: dt.time | None = None,
    chair_id: int | None = None,
) -> ProposedSession:
    """Propose a make-up for a cancelled or missed session, after the course's last one.

    It keeps the protocol's gaps and span and the course's length (never more than eight for
    an induction); the row says why no slot exists when none fits.
    """
    session, series, parts = _missed(db, session_id)
    calendar = clinic_calendar(db)
    holding = _holding(series)
    days = [calendar.local_day(s.starts_at) for s in holding]
    place = session.place
    needs = slot_needs(db, parts, place, chair_id=chair_id)
    if chair_id is None:
        needs = replace(needs, chair_ids=_first(session.chair_id, needs.chair_ids))
    rows = plan_series(
        needs,
        calendar,
        books(db),
        count=1,
        first_day=calendar.local_day(now),
        preferred_time=preferred_time or calendar.local(session.starts_at).time(),
        weekdays=parts.protocol.weekday_list,
        spacing=parts.spacing,
        now=now,
        first_number=len(holding) + 1,
        course_days=days,
    )
    return rows[0]


def book_makeup(
    db: Session,
    session_id: int,
    *,
    starts_at: dt.datetime,
    chair_id: int | None,
    actor: Actor,
    now: dt.datetime,
    nurse_id: int | None = None,
) -> SessionState:
    """Book the make-up for a cancelled or missed session (checked like any booking)."""
    require(actor, Permission.BOOK)
    missed, series, parts = _missed(db, session_id)
    starts_at = starts_at.astimezone(dt.UTC)
    calendar = clinic_calendar(db)
    holding = _holding(series)
    problems = course_rules.day_problems(db, missed, calendar.local_day(starts_at))
    row = ProposedSession(len(holding) + 1, starts_at, None, chair_id, "", nurse_id, True, "")
    found, placed = check_rows(db, parts, missed.place, [row], now=now)
    if problems or found:
        raise BookingRefused([*found, *problems])
    note = f"Make-up for the session of {calendar.when_text(missed.starts_at)}."
    session = new_session(
        db, parts, missed.place, placed[0][1], series=series, number=len(holding) + 1,
        actor=actor, now=now, note=note, makeup_for_id=missed.id,
    )  # fmt: skip
    db.flush()
    db.refresh(series, ["sessions"])
    _renumber(series)
    return state_of(session)


def reflow_series(
    db: Session,
    series_id: int,
    *,
    from_number: int,
    actor: Actor,
    now: dt.datetime,
    not_before: dt.date | None = None,
) -> list[SessionState]:
    """Move the course's sessions from ``from_number`` on later, keeping the protocol's gaps.

    Each keeps its time of day and chair when free. The first moved session goes no earlier
    than ``not_before`` (default: tomorrow). After a missed session only the minimum gap to
    the sessions kept holds, and not the maximum span: the interruption made that gap. All
    move, or none.
    """
    require(actor, Permission.MOVE)
    series = _get_series(db, series_id)
    calendar = clinic_calendar(db)
    moving = [
        s for s in _holding(series)
        if (s.number or 0) >= from_number and s.status in MOVABLE
        and s.starts_at > now
    ]  # fmt: skip
    if not moving:
        raise SessionStateError(f"No session from number {from_number} on can be moved.")
    parts = course_parts(db, series.patient_id, series.protocol_id)
    before_first = [s for s in _holding(series) if s.starts_at < moving[0].starts_at]
    kept = [calendar.local_day(s.starts_at) for s in before_first]
    earliest = not_before or calendar.local_day(now) + dt.timedelta(days=1)
    # After a missed session the gap it left is what it is: from the sessions kept only the
    # minimum gap holds, and the span no longer does. A course moved on without one keeps all.
    interrupted = any(s.status in course_rules.MISSED for s in series.sessions)
    if interrupted and kept:
        earliest = max(earliest, max(kept) + dt.timedelta(days=parts.spacing.min_gap_days))
    place = moving[0].place
    needs = slot_needs(db, parts, place)
    needs = replace(needs, chair_ids=_first(moving[0].chair_id, needs.chair_ids))
    rows = plan_series(
        needs,
        calendar,
        books(db, excluding=[s.id for s in moving]),
        count=len(moving),
        first_day=earliest,
        preferred_time=calendar.local(moving[0].starts_at).time(),
        weekdays=parts.protocol.weekday_list,
        spacing=resumed(parts.spacing) if interrupted else parts.spacing,
        now=now,
        first_number=moving[0].number or 1,
        course_days=() if interrupted else kept,
    )
    missing = [r for r in rows if r.starts_at is None]
    if missing:
        raise BookingRefused([f"Session {r.number}: {r.reason}" for r in missing])
    occupations = _checked(db, parts, moving, rows, now=now)
    days = [calendar.local_day(o.starts_at) for o in occupations]
    problems = (
        resumed_problems(kept, days, parts.spacing)
        if interrupted
        else spacing_problems(sorted([*kept, *days]), parts.spacing)
    )
    if problems:
        raise BookingRefused(problems)
    for session, occupation in zip(moving, occupations, strict=True):
        _move(db, session, occupation, action="session.reflow", actor=actor, now=now)
    db.flush()
    _renumber(series)
    return [state_of(s) for s in moving]


def _first(chair_id: int | None, chair_ids: Sequence[int]) -> list[int]:
    if chair_id is None or chair_id not in chair_ids:
        return list(chair_ids)
    return [chair_id, *(c for c in chair_ids if c != chair_id)]


def sessions_of_series(db: Session, series_id: int) -> list[SessionState]:
    query = (
        select(TreatmentSession)
        .where(TreatmentSession.series_id == series_id)
        .order_by(TreatmentSession.starts_at, TreatmentSession.id)
    )
    return [state_of(s) for s in db.scalars(query)]


def spacing_for(db: Session, series_id: int) -> Spacing:
    return spacing_of(_get_series(db, series_id).protocol)
