"""Booking courses and single sessions: propose, let the desk edit, then book all or nothing.

``propose_series`` only reads. ``book_series`` and ``book_single`` check everything again
inside the caller's transaction (``Database.transaction()`` takes SQLite's write lock before
reading), so two workstations cannot both take the last chair: the second gets a
``BookingRefused`` and nothing of its course is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.domain.availability import ClinicCalendar
from scheduler.domain.enums import (
    FindingSeverity,
    FindingStatus,
    Phase,
    Place,
    SeriesStatus,
    SessionStatus,
    StaffRole,
)
from scheduler.domain.escort import needs_escort
from scheduler.domain.occupancy import Occupancy, Occupation
from scheduler.domain.planning import (
    ProposedSession,
    SeriesProposal,
    SlotNeeds,
    count_problem,
    plan_series,
    try_start,
)
from scheduler.domain.planning import with_row_changed as _with_row_changed
from scheduler.domain.screening import FINDING_KINDS
from scheduler.domain.spacing import Spacing, spacing_problems
from scheduler.errors import NotAllowed, NotFound, ServiceError
from scheduler.services import audit
from scheduler.services.access import require, signing_clinician
from scheduler.services.books import books
from scheduler.services.rows import get_or_refuse
from scheduler.services.schedule import active_nurses, chairs_for, clinic_calendar
from scheduler.store.models import (
    Chair,
    Patient,
    Protocol,
    Series,
    SessionStatusChange,
    Staff,
    Therapy,
    TreatmentSession,
)

__all__ = [
    "BookingRefused",
    "Override",
    "ProposedSession",
    "SeriesProposal",
    "book_series",
    "book_single",
    "escort_warning",
    "propose_series",
    "safety_problems",
    "with_row_changed",
]


class BookingRefused(ServiceError):
    """A booking that breaks a rule; ``reasons`` lists each problem as a plain sentence."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("\n".join(reasons))


@dataclass(frozen=True)
class CourseParts:
    """The rows a booking is about, fetched once."""

    patient: Patient
    protocol: Protocol
    therapy: Therapy

    @property
    def phase(self) -> Phase:
        return self.protocol.phase

    @property
    def spacing(self) -> Spacing:
        return spacing_of(self.protocol)


def spacing_of(protocol: Protocol) -> Spacing:
    return Spacing(
        min_gap_days=protocol.min_gap_days,
        max_gap_days=protocol.max_gap_days,
        max_span_days=protocol.max_span_days,
    )


def course_parts(db: Session, patient_id: int, protocol_id: int) -> CourseParts:
    patient = get_or_refuse(db, Patient, patient_id, f"No patient with id {patient_id}.")
    if patient.archived:
        raise BookingRefused([f"{patient.full_name} is archived; restore the patient first."])
    protocol = get_or_refuse(db, Protocol, protocol_id, f"No protocol with id {protocol_id}.")
    if not protocol.active:
        raise BookingRefused([f"The protocol “{protocol.name}” is no longer in use."])
    return CourseParts(patient, protocol, protocol.therapy)


def place_for(therapy: Therapy, place: Place | None) -> Place:
    """The place asked for, or the therapy's usual one; refused where the therapy is not given."""
    allowed = therapy.place_list
    if place is None:
        return allowed[0]
    if place not in allowed:
        where = ", ".join(p.value.replace("_", " ") for p in allowed)
        raise BookingRefused(
            [f"{therapy.name} is not given at “{place.value.replace('_', ' ')}”; only: {where}."]
        )
    return place


def checked_chair(db: Session, chair_id: int | None, place: Place) -> int | None:
    """The chair id if it exists, is in use and suits the place; refused otherwise."""
    if chair_id is None:
        return None
    chair = get_or_refuse(db, Chair, chair_id, f"No chair or room with id {chair_id}.")
    if not place.needs_chair:
        raise BookingRefused([f"A session at “{place.value}” does not take a chair or room."])
    if not chair.active:
        raise BookingRefused([f"{chair.name} is no longer in use."])
    if chair.kind != place.value:
        kind, wanted = chair.kind.value.replace("_", " "), place.value.replace("_", " ")
        raise BookingRefused([f"{chair.name} is a {kind}, not a {wanted}."])
    return chair_id


def checked_nurse(db: Session, nurse_id: int | None) -> int | None:
    if nurse_id is None:
        return None
    nurse = db.get(Staff, nurse_id)
    if nurse is None or StaffRole.NURSE not in nurse.role_set or not nurse.active:
        raise NotFound(f"No active nurse with id {nurse_id}.")
    return nurse_id


def slot_needs(
    db: Session,
    parts: CourseParts,
    place: Place,
    *,
    chair_id: int | None = None,
    nurse_id: int | None = None,
) -> SlotNeeds:
    """What each session of the course needs, with the chairs and nurses that may serve it."""
    chair_ids = [chair_id] if chair_id is not None else [c.chair_id for c in chairs_for(db, place)]
    nurses: list[int | None]
    if nurse_id is not None:
        nurses = [nurse_id]
    elif place is Place.HOME:
        nurses = [n.staff_id for n in active_nurses(db)]
        if not nurses:
            raise BookingRefused(["A home visit needs a nurse, and no active nurse is set up."])
    else:
        nurses = [None]
    return SlotNeeds(
        patient_id=parts.patient.id,
        minutes=parts.therapy.treatment_minutes + parts.therapy.observation_minutes,
        buffer_minutes=parts.therapy.buffer_minutes,
        place=place,
        chair_ids=chair_ids,
        nurse_ids=nurses,
    )


def propose_series(
    db: Session,
    *,
    patient_id: int,
    protocol_id: int,
    count: int,
    first_day: dt.date,
    preferred_time: dt.time,
    weekdays: Sequence[int] | None = None,
    chair_id: int | None = None,
    place: Place | None = None,
    now: dt.datetime,
    nurse_id: int | None = None,
) -> SeriesProposal:
    """Propose every session of a course: the wished-for slot when free, else the nearest one.

    ``weekdays`` (0 = Monday) default to the protocol's preferred weekdays. Each row says why
    it moved or why no slot exists; nothing is written. Refused outright for a count the
    protocol does not allow (an induction has 6 to 8 sessions).
    """
    parts = course_parts(db, patient_id, protocol_id)
    problem = count_problem(parts.phase, count)
    if problem:
        raise BookingRefused([problem])
    place = place_for(parts.therapy, place)
    chair_id = checked_chair(db, chair_id, place)
    needs = slot_needs(db, parts, place, chair_id=chair_id, nurse_id=checked_nurse(db, nurse_id))
    calendar = clinic_calendar(db)
    rows = plan_series(
        needs,
        calendar,
        books(db),
        count=count,
        first_day=first_day,
        preferred_time=preferred_time,
        weekdays=list(weekdays) if weekdays is not None else parts.protocol.weekday_list,
        spacing=parts.spacing,
        now=now,
    )
    return proposal_of(parts, place, needs, calendar, rows)


def proposal_of(
    parts: CourseParts,
    place: Place,
    needs: SlotNeeds,
    calendar: ClinicCalendar,
    rows: list[ProposedSession],
) -> SeriesProposal:
    return SeriesProposal(
        patient_id=parts.patient.id,
        protocol_id=parts.protocol.id,
        therapy_id=parts.therapy.id,
        place=place,
        rows=rows,
        session_minutes=needs.minutes,
        chair_names=dict(calendar.chair_names),
    )


def with_row_changed(
    proposal: SeriesProposal, number: int, starts_at: dt.datetime, chair_id: int | None
) -> SeriesProposal:
    """The proposal with row ``number`` moved by the desk; the move is checked when booking."""
    return _with_row_changed(proposal, number, starts_at, chair_id)


def safety_problems(db: Session, patient: Patient, therapy: Therapy, phase: Phase) -> list[str]:
    """Why the patient may not have this therapy yet (screening, contraindications, REMS)."""
    found = []
    if therapy.needs_screening or phase is Phase.INDUCTION:
        if patient.screening_cleared_at is None:
            found.append(
                f"{patient.full_name} has not been cleared by a clinician after screening."
            )
        for finding in patient.findings:
            if finding.status is not FindingStatus.OPEN:
                continue
            if finding.severity is not FindingSeverity.BLOCKING:
                continue
            kind = FINDING_KINDS.get(finding.kind)
            if kind is not None and kind.therapies and therapy.code not in kind.therapies:
                continue
            label = kind.label if kind is not None else finding.kind
            found.append(f"Open contraindication: {label}. A clinician must clear or override it.")
    if therapy.needs_rems and not patient.rems_enrolled:
        found.append(
            f"{patient.full_name} is not enrolled in the REMS program, "
            f"which {therapy.name} requires before the first dose."
        )
    return found


def escort_warning(db: Session, *, patient_id: int, protocol_id: int, place: Place | None) -> str:
    """A warning (not a refusal) when the session will need a driver and none is on file.

    The desk shows it while booking, so the person on the phone asks who will take the
    patient home; "" when nothing needs saying.
    """
    patient, protocol = db.get(Patient, patient_id), db.get(Protocol, protocol_id)
    if patient is None or protocol is None:
        return ""
    therapy = protocol.therapy
    chosen = place if place is not None and place in therapy.place_list else None
    if patient.driver_name or not needs_escort(therapy.needs_driver, place_for(therapy, chosen)):
        return ""
    return (
        f"{patient.display_name} has no driver on file, and {therapy.name} means someone must "
        "take them home: ask who will, and add them to the patient's details."
    )


@dataclass(frozen=True)
class Override:
    """A clinician's override of the safety checks: the written reason, and who signed it.

    ``signer`` is None when the signed-in user is the clinician; otherwise the clinician who
    signed at that moment with their own password (``accounts.verify_signature``).
    """

    reason: str
    signer: Actor | None = None


def _gate(
    db: Session, parts: CourseParts, *, actor: Actor, override: Override | None
) -> tuple[list[str], str, str]:
    """Safety problems left after any override, the override note and its signer's name."""
    found = safety_problems(db, parts.patient, parts.therapy, parts.phase)
    if not found or override is None:
        return found, "", ""
    try:
        clinician = signing_clinician(db, actor, override.signer, Permission.OVERRIDE_SAFETY)
    except NotAllowed as exc:
        return [*found, str(exc)], "", ""
    if not override.reason.strip():
        return [*found, "A clinician's override needs a written reason."], "", ""
    note = (
        f"Override by {clinician.name}: {override.reason.strip()} (overriding: {' '.join(found)})"
    )
    return [], note, clinician.sign_in or ""


def _row_occupation(
    db: Session,
    needs: SlotNeeds,
    calendar: ClinicCalendar,
    booked: Occupancy,
    row: ProposedSession,
    place: Place,
    *,
    now: dt.datetime,
) -> tuple[Occupation | None, list[str]]:
    assert row.starts_at is not None
    if row.chair_id is not None:
        needs = replace(needs, chair_ids=[checked_chair(db, row.chair_id, place) or row.chair_id])
    if row.nurse_id is not None:
        needs = replace(needs, nurse_ids=[checked_nurse(db, row.nurse_id)])
    return try_start(needs, calendar, booked, row.starts_at, now=now)


def check_rows(
    db: Session,
    parts: CourseParts,
    place: Place,
    rows: Sequence[ProposedSession],
    *,
    now: dt.datetime,
    excluding: Sequence[int] = (),
) -> tuple[list[str], list[tuple[int, Occupation]]]:
    """Check rows against the books and each other: problems, and the slot each row takes."""
    calendar = clinic_calendar(db)
    needs = slot_needs(db, parts, place)
    reasons: list[str] = []
    timed = sorted((r for r in rows if r.starts_at is not None), key=lambda r: r.starts_at or now)
    for row in rows:
        if row.starts_at is None:
            reasons.append(f"Session {row.number} has no time yet. {row.reason}".strip())
    if not timed:
        return reasons, []
    booked = books(db, excluding=excluding)
    placed: list[tuple[int, Occupation]] = []
    for number, row in enumerate(timed, start=1):
        occupation, found = _row_occupation(db, needs, calendar, booked, row, place, now=now)
        if occupation is None:
            assert row.starts_at is not None
            when = calendar.when_text(row.starts_at)
            reasons.extend(f"Session {number} ({when}): {p}" for p in found)
            continue
        placed.append((number, occupation))
        booked.add(occupation)
    return reasons, placed


def record_status(
    db: Session,
    session: TreatmentSession,
    to: SessionStatus,
    *,
    reason: str,
    actor: Actor,
    now: dt.datetime,
) -> None:
    """Move a session to a status and append the step to its history."""
    was = session.status if session.id is not None else None
    session.status = to
    session.status_changed_at = now
    session.status_reason = reason
    db.add(
        SessionStatusChange(
            session=session,
            from_status=was,
            to_status=to,
            at=now,
            reason=reason,
            actor=actor.sign_in,
        )
    )


def new_session(
    db: Session,
    parts: CourseParts,
    place: Place,
    occupation: Occupation,
    *,
    series: Series | None,
    number: int | None,
    actor: Actor,
    now: dt.datetime,
    note: str = "",
    makeup_for_id: int | None = None,
) -> TreatmentSession:
    """Write one booked session, its first history step and its audit entry."""
    therapy = parts.therapy
    session = TreatmentSession(
        patient_id=parts.patient.id,
        series=series,
        number=number,
        therapy_id=therapy.id,
        place=place,
        chair_id=occupation.chair_id,
        nurse_id=occupation.nurse_id,
        starts_at=occupation.starts_at,
        ends_at=occupation.ends_at,
        treatment_minutes=therapy.treatment_minutes,
        observation_minutes=therapy.observation_minutes,
        buffer_minutes=0 if place is Place.HOME else therapy.buffer_minutes,
        created_at=now,
        makeup_for_id=makeup_for_id,
    )
    db.add(session)
    record_status(db, session, SessionStatus.BOOKED, reason=note, actor=actor, now=now)
    audit.record(
        db,
        actor=actor.sign_in,
        now=now,
        action="session.book",
        row=session,
        before=None,
        reason=note,
    )
    return session


def book_series(
    db: Session,
    proposal: SeriesProposal,
    *,
    actor: Actor,
    now: dt.datetime,
    override: Override | None = None,
) -> Series:
    """Book every session of the proposal, or none: each row is checked again right now.

    Sessions are numbered in time order. Refused (``BookingRefused``, nothing written) for a
    count or spacing the protocol forbids, a row without a time, a slot in the past or taken,
    or a safety check that no clinician has overridden with a written reason.
    """
    require(actor, Permission.BOOK)
    parts = course_parts(db, proposal.patient_id, proposal.protocol_id)
    place = place_for(parts.therapy, proposal.place)
    reasons: list[str] = []
    problem = count_problem(parts.phase, len(proposal.rows))
    if problem:
        reasons.append(problem)
    gate_problems, override_note, signer = _gate(db, parts, actor=actor, override=override)
    reasons.extend(gate_problems)
    found, placed = check_rows(db, parts, place, proposal.rows, now=now)
    reasons.extend(found)
    if len(placed) == len(proposal.rows):
        calendar = clinic_calendar(db)
        reasons.extend(
            spacing_problems([calendar.local_day(o.starts_at) for _, o in placed], parts.spacing)
        )
    if reasons:
        raise BookingRefused(reasons)
    series = Series(
        patient_id=parts.patient.id,
        protocol_id=parts.protocol.id,
        status=SeriesStatus.ACTIVE,
        planned_count=len(placed),
        created_at=now,
    )
    db.add(series)
    audit.record(
        db,
        actor=actor.sign_in,
        now=now,
        action="series.book",
        row=series,
        before=None,
        reason=override_note,
        signed_by=signer,
    )
    for number, occupation in placed:
        new_session(
            db, parts, place, occupation, series=series, number=number, actor=actor, now=now,
            note=override_note,
        )  # fmt: skip
    return series


def book_single(
    db: Session,
    *,
    patient_id: int,
    protocol_id: int,
    starts_at: dt.datetime,
    chair_id: int | None,
    place: Place | None = None,
    nurse_id: int | None = None,
    actor: Actor,
    now: dt.datetime,
    override: Override | None = None,
) -> TreatmentSession:
    """Book one session (a booster, a single infusion, a consultation) as a course of one.

    Without ``chair_id`` the first free chair of the right kind is taken. An induction cannot
    be booked one session at a time: book it as a series.
    """
    require(actor, Permission.BOOK)
    parts = course_parts(db, patient_id, protocol_id)
    place = place_for(parts.therapy, place)
    chair_id = checked_chair(db, chair_id, place)
    nurse_id = checked_nurse(db, nurse_id)
    if parts.phase is Phase.INDUCTION:
        raise BookingRefused(
            [f"“{parts.protocol.name}” is an induction: book it as a series of 6 to 8 sessions."]
        )
    row = ProposedSession(1, starts_at.astimezone(dt.UTC), None, chair_id, "", nurse_id, False, "")
    proposal = SeriesProposal(
        patient_id=patient_id,
        protocol_id=protocol_id,
        therapy_id=parts.therapy.id,
        place=place,
        rows=[row],
    )
    series = book_series(
        db,
        proposal,
        actor=actor,
        now=now,
        override=override,
    )
    db.flush()
    return series.sessions[0]


@dataclass(frozen=True, slots=True)
class Booked:
    """What the desk shows of a booking it just made: the sessions in time order, for whom."""

    series_id: int
    session_ids: tuple[int, ...]
    first_starts_at: dt.datetime
    patient_name: str


def _booked(series: Series) -> Booked:
    sessions = sorted(series.sessions, key=lambda s: s.starts_at)
    return Booked(
        series.id,
        tuple(s.id for s in sessions),
        sessions[0].starts_at,
        series.patient.full_name,
    )


def book_series_for_desk(
    db: Session,
    proposal: SeriesProposal,
    *,
    actor: Actor,
    now: dt.datetime,
    override: Override | None = None,
) -> Booked:
    """``book_series``, answered as the view the desk shows rather than the course's row."""
    return _booked(book_series(db, proposal, actor=actor, now=now, override=override))


def book_single_for_desk(
    db: Session,
    *,
    patient_id: int,
    protocol_id: int,
    starts_at: dt.datetime,
    chair_id: int | None,
    place: Place | None = None,
    nurse_id: int | None = None,
    actor: Actor,
    now: dt.datetime,
) -> Booked:
    """``book_single``, answered as the view the desk shows rather than the session's row."""
    session = book_single(
        db, patient_id=patient_id, protocol_id=protocol_id, starts_at=starts_at,
        chair_id=chair_id, place=place, nurse_id=nurse_id, actor=actor, now=now,
    )  # fmt: skip
    assert session.series is not None  # a single session is booked as a course of one
    return _booked(session.series)
