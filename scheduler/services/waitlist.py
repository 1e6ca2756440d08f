"""The waitlist: patients waiting for a chair, who fits a slot that came free, booking them.

Keeping the list is front-desk work (``Permission.BOOK``), audited like any write. Booking
from it goes through the booking service, so every rule of any booking applies (screening,
contraindications, REMS, hours, the chair being free, spacing), and the entry leaves the list
in the same transaction: a refused booking keeps the patient waiting.

A first induction is booked as its whole course, the first session in the freed slot and the
rest planned as the series dialog plans them: the front desk rings the patient once, offers
the slot, and the course is on the books when they say yes; a course started with one
session and the rest "to be arranged" is exactly the gap a waitlist is meant to close.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler.domain.access import Actor, Permission
from scheduler.domain.availability import ClinicCalendar
from scheduler.domain.enums import HOLDING, Phase, Place, SessionStatus
from scheduler.domain.occupancy import Occupancy
from scheduler.domain.planning import try_start
from scheduler.domain.waitlist import (
    Candidate,
    FreeSlot,
    Wish,
    days_text,
    misfits,
    rank,
    times_text,
    weigh,
)
from scheduler.domain.when import clock_time, short_day
from scheduler.errors import FieldProblem, ValidationFailed
from scheduler.services import audit
from scheduler.services.access import require
from scheduler.services.booking import (
    Booked,
    BookingRefused,
    book_series_for_desk,
    book_single_for_desk,
    course_parts,
    propose_series,
    safety_problems,
    slot_needs,
    with_row_changed,
)
from scheduler.services.books import books
from scheduler.services.rows import get_or_refuse
from scheduler.services.schedule import clinic_calendar, day_bounds, overlapping
from scheduler.store.models import Chair, Patient, Protocol, TreatmentSession, WaitlistEntry

INDUCTION_COUNT = 6  # the course booked for an induction protocol without a usual count


@dataclass(frozen=True)
class WaitlistTerms:
    """What the desk types for an entry: who, for what, and when and where they could come."""

    patient_id: int
    protocol_id: int
    weekdays: tuple[int, ...] = ()  # 0 = Monday; empty: any day
    earliest_start: dt.time | None = None
    latest_start: dt.time | None = None
    chair_ids: tuple[int, ...] = ()  # empty: any chair or room of the right kind
    earliest_day: dt.date | None = None
    notice_hours: int = 0
    note: str = ""


@dataclass(frozen=True)
class WaitlistEntryView:
    """One entry as the Waitlist screen shows it."""

    entry_id: int
    terms: WaitlistTerms
    patient_name: str
    chart_number: str
    protocol_name: str
    therapy_name: str
    first_induction: bool
    days: str  # "Mon, Wed" or "Any day"
    times: str  # "9:00 AM–12:00 PM" or "Any time"
    chairs: str  # "Chair 1, Chair 2" or "Any"
    added_at: dt.datetime
    added_by: str


@dataclass(frozen=True)
class SlotCandidate:
    """A waiting patient who fits a free slot, as the offer lists them (best first)."""

    entry_id: int
    patient_name: str
    protocol_name: str
    first_induction: bool
    added_at: dt.datetime
    bookable: bool
    reason: str  # why the booking rules would refuse them; "" when they could be booked
    note: str


@dataclass(frozen=True)
class WaitlistBooking:
    """What booking from the waitlist did: the sessions, for whom, and the slot taken."""

    booked: Booked
    slot_text: str  # "Tue, Nov 24 at 10:30 AM, Chair 2"
    # The patient's next session of the same therapy after the slot, still on the books
    # ("Thu, Dec 3 at 10:00 AM"): someone waiting for a sooner slot may not need it now.
    later_session_text: str = ""

    @property
    def announcement(self) -> str:
        """The status bar's sentence for it."""
        said = f"Booked {self.booked.patient_name} from the waitlist for {self.slot_text}"
        count = len(self.booked.session_ids)
        if count > 1:
            said = f"{said}; {count} sessions in the course"
        if self.later_session_text:
            said = f"{said}; their session on {self.later_session_text} is still booked"
        return said


def _ids(values: Iterable[int]) -> str:
    return ",".join(str(v) for v in sorted(set(values)))


def _id_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def terms_of(entry: WaitlistEntry) -> WaitlistTerms:
    return WaitlistTerms(
        patient_id=entry.patient_id,
        protocol_id=entry.protocol_id,
        weekdays=_id_tuple(entry.weekdays),
        earliest_start=entry.earliest_start,
        latest_start=entry.latest_start,
        chair_ids=_id_tuple(entry.chair_ids),
        earliest_day=entry.earliest_day,
        notice_hours=entry.notice_hours,
        note=entry.note,
    )


def _view(entry: WaitlistEntry, chair_names: dict[int, str]) -> WaitlistEntryView:
    terms = terms_of(entry)
    chairs = ", ".join(chair_names.get(c, f"#{c}") for c in terms.chair_ids) or "Any"
    return WaitlistEntryView(
        entry_id=entry.id,
        terms=terms,
        patient_name=entry.patient.display_name,
        chart_number=entry.patient.chart_number,
        protocol_name=entry.protocol.name,
        therapy_name=entry.protocol.therapy.name,
        first_induction=entry.protocol.phase is Phase.INDUCTION,
        days=days_text(terms.weekdays),
        times=times_text(terms.earliest_start, terms.latest_start),
        chairs=chairs,
        added_at=entry.added_at,
        added_by=entry.added_by,
    )


def _entries(db: Session) -> list[WaitlistEntry]:
    query = (
        select(WaitlistEntry)
        .options(
            selectinload(WaitlistEntry.patient).selectinload(Patient.findings),
            selectinload(WaitlistEntry.protocol).selectinload(Protocol.therapy),
        )
        .order_by(WaitlistEntry.added_at, WaitlistEntry.id)
    )
    return list(db.scalars(query))


def _chair_names(db: Session) -> dict[int, str]:
    return {c.id: c.name for c in db.scalars(select(Chair))}


def waitlist(db: Session) -> list[WaitlistEntryView]:
    """Everyone on the waitlist, whoever has waited longest first."""
    names = _chair_names(db)
    return [_view(entry, names) for entry in _entries(db)]


def _checked(db: Session, terms: WaitlistTerms) -> WaitlistTerms:
    """The terms tidied, or ``ValidationFailed`` naming each field that is wrong."""
    problems: list[FieldProblem] = []
    patient = db.get(Patient, terms.patient_id)
    if patient is None or patient.archived:
        problems.append(FieldProblem("patient_id", "Choose a patient who is not archived."))
    protocol = db.get(Protocol, terms.protocol_id)
    if protocol is None or not protocol.active:
        problems.append(FieldProblem("protocol_id", "Choose a protocol that is in use."))
    if any(not 0 <= d <= 6 for d in terms.weekdays):
        problems.append(FieldProblem("weekdays", "Weekdays are numbered 0 (Monday) to 6."))
    early, late = terms.earliest_start, terms.latest_start
    if early is not None and late is not None and late < early:
        problems.append(FieldProblem("latest_start", "The latest start is before the earliest."))
    known = set(_chair_names(db))
    if any(c not in known for c in terms.chair_ids):
        problems.append(FieldProblem("chair_ids", "One of the chairs chosen no longer exists."))
    if terms.notice_hours < 0:
        problems.append(FieldProblem("notice_hours", "The notice cannot be negative."))
    if problems:
        raise ValidationFailed(problems)
    return terms


def _write_terms(entry: WaitlistEntry, terms: WaitlistTerms) -> None:
    entry.patient_id = terms.patient_id
    entry.protocol_id = terms.protocol_id
    entry.weekdays = _ids(terms.weekdays)
    entry.earliest_start = terms.earliest_start
    entry.latest_start = terms.latest_start
    entry.chair_ids = _ids(terms.chair_ids)
    entry.earliest_day = terms.earliest_day
    entry.notice_hours = terms.notice_hours
    entry.note = terms.note.strip()


def add_entry(
    db: Session, terms: WaitlistTerms, *, actor: Actor, now: dt.datetime
) -> WaitlistEntryView:
    """Put a patient on the waitlist with their terms, noting when and by whom."""
    require(actor, Permission.BOOK)
    entry = WaitlistEntry(added_at=now, added_by=actor.sign_in)
    _write_terms(entry, _checked(db, terms))
    db.add(entry)
    audit.record(db, actor=actor.sign_in, now=now, action="waitlist.add", row=entry, before=None)
    db.refresh(entry)
    return _view(entry, _chair_names(db))


def _entry(db: Session, entry_id: int) -> WaitlistEntry:
    return get_or_refuse(db, WaitlistEntry, entry_id, "That patient is no longer on the waitlist.")


def edit_entry(
    db: Session, entry_id: int, terms: WaitlistTerms, *, actor: Actor, now: dt.datetime
) -> WaitlistEntryView:
    """Change an entry's terms; the patient keeps their place (when they were added)."""
    require(actor, Permission.BOOK)
    entry = _entry(db, entry_id)
    before = audit.snapshot(entry)
    _write_terms(entry, _checked(db, terms))
    audit.record(db, actor=actor.sign_in, now=now, action="waitlist.edit", row=entry, before=before)
    db.refresh(entry)
    return _view(entry, _chair_names(db))


def _take_off(
    db: Session, entry: WaitlistEntry, *, action: str, reason: str, actor: Actor, now: dt.datetime
) -> None:
    before = audit.snapshot(entry)
    db.delete(entry)
    audit.record(
        db, actor=actor.sign_in, now=now, action=action, row=entry, before=before,
        reason=reason, deleted=True,
    )  # fmt: skip


def remove_entry(
    db: Session, entry_id: int, *, reason: str = "", actor: Actor, now: dt.datetime
) -> str:
    """Take a patient off the waitlist (booked elsewhere, no longer wishes to wait); their
    name, for the desk's confirmation."""
    require(actor, Permission.BOOK)
    entry = _entry(db, entry_id)
    name = entry.patient.display_name
    _take_off(db, entry, action="waitlist.remove", reason=reason.strip(), actor=actor, now=now)
    return name


def _free_slot(db: Session, chair_id: int, starts_at: dt.datetime, zone: ZoneInfo) -> FreeSlot:
    chair = get_or_refuse(db, Chair, chair_id, f"No chair or room with id {chair_id}.")
    return FreeSlot(starts_at.astimezone(zone), chair.id, chair.name, Place(chair.kind.value))


def _wish(db: Session, entry: WaitlistEntry) -> Wish:
    terms = terms_of(entry)
    protocol = entry.protocol
    blockers = safety_problems(db, entry.patient, protocol.therapy, protocol.phase)
    return Wish(
        entry_id=entry.id,
        patient_name=entry.patient.display_name,
        therapy_name=protocol.therapy.name,
        places=tuple(protocol.therapy.place_list),
        added_at=entry.added_at,
        weekdays=terms.weekdays,
        earliest_start=terms.earliest_start,
        latest_start=terms.latest_start,
        chair_ids=terms.chair_ids,
        earliest_day=terms.earliest_day,
        notice_hours=terms.notice_hours,
        blockers=tuple(blockers),
    )


def _weighed(
    db: Session, entries: Sequence[WaitlistEntry], slot: FreeSlot, *, now: dt.datetime
) -> list[Candidate]:
    """Each entry against the slot: their terms, the safety checks, and the chair being free
    for as long as their session needs (the booking rules' own test, asked only of those
    whose terms the slot suits: the others are left out anyway)."""
    calendar = clinic_calendar(db)
    booked = books(db)
    weighed = []
    for entry in entries:
        wish = _wish(db, entry)
        slot_problems: list[str] = []
        if not misfits(wish, slot, now):
            slot_problems = _slot_problems(db, entry, slot, calendar, booked, now=now)
        weighed.append(weigh(wish, slot, now, slot_problems))
    return weighed


def _slot_problems(
    db: Session,
    entry: WaitlistEntry,
    slot: FreeSlot,
    calendar: ClinicCalendar,
    booked: Occupancy,
    *,
    now: dt.datetime,
) -> list[str]:
    """What the booking rules would say against the patient's session in the slot."""
    try:
        parts = course_parts(db, entry.patient_id, entry.protocol_id)
    except BookingRefused as refused:  # archived patient, protocol no longer in use
        return refused.reasons
    needs = slot_needs(db, parts, slot.place, chair_id=slot.chair_id)
    return try_start(needs, calendar, booked, slot.starts_at, now=now)[1]


def _candidate_view(candidate: Candidate, entry: WaitlistEntry) -> SlotCandidate:
    return SlotCandidate(
        entry_id=entry.id,
        patient_name=candidate.wish.patient_name,
        protocol_name=entry.protocol.name,
        first_induction=entry.protocol.phase is Phase.INDUCTION,
        added_at=entry.added_at,
        bookable=candidate.bookable,
        reason=candidate.reason,
        note=entry.note,
    )


def candidates_for_slot(
    db: Session, chair_id: int, starts_at: dt.datetime, *, now: dt.datetime
) -> list[SlotCandidate]:
    """The waiting patients whose terms fit the chair at ``starts_at``, best first.

    Those the booking rules would accept come first, then those they would refuse (each with
    the reason); within each, whoever has waited longest. Patients whose terms do not fit are
    left out.
    """
    slot = _free_slot(db, chair_id, starts_at, clinic_calendar(db, names=False).zone)
    entries = _entries(db)
    by_id = {entry.id: entry for entry in entries}
    ranked = rank(_weighed(db, entries, slot, now=now))
    return [_candidate_view(c, by_id[c.wish.entry_id]) for c in ranked]


def _book_course(
    db: Session, entry: WaitlistEntry, slot: FreeSlot, *, actor: Actor, now: dt.datetime
) -> Booked:
    """A first induction: its whole course, the first session in the slot."""
    protocol = entry.protocol
    terms = terms_of(entry)
    proposal = propose_series(
        db,
        patient_id=entry.patient_id,
        protocol_id=protocol.id,
        count=protocol.session_count or INDUCTION_COUNT,
        first_day=slot.starts_at.date(),
        preferred_time=slot.starts_at.time(),
        weekdays=terms.weekdays or None,
        now=now,
    )
    proposal = with_row_changed(proposal, 1, slot.starts_at.astimezone(dt.UTC), slot.chair_id)
    return book_series_for_desk(db, proposal, actor=actor, now=now)


def book_from_waitlist(
    db: Session,
    entry_id: int,
    *,
    chair_id: int,
    starts_at: dt.datetime,
    actor: Actor,
    now: dt.datetime,
) -> WaitlistBooking:
    """Book a waiting patient into a free slot and take them off the list, all or nothing.

    Refused (``BookingRefused``, nothing written, the patient still waiting) when the slot
    does not suit their terms or the booking rules refuse it.
    """
    require(actor, Permission.BOOK)
    entry = _entry(db, entry_id)
    slot = _free_slot(db, chair_id, starts_at, clinic_calendar(db, names=False).zone)
    # The terms only: the booking below applies every booking rule itself.
    candidate = weigh(_wish(db, entry), slot, now)
    if not candidate.fits:
        raise BookingRefused([f"{candidate.wish.patient_name}: {candidate.reason}"])
    if entry.protocol.phase is Phase.INDUCTION:
        booked = _book_course(db, entry, slot, actor=actor, now=now)
    else:
        booked = book_single_for_desk(
            db, patient_id=entry.patient_id, protocol_id=entry.protocol_id,
            starts_at=slot.starts_at, chair_id=slot.chair_id, actor=actor, now=now,
        )  # fmt: skip
    later = _later_session(db, entry, slot, booked)
    _take_off(
        db, entry, action="waitlist.book", reason=f"Booked for {slot.text}", actor=actor, now=now
    )
    return WaitlistBooking(booked, slot.text, later)


def _later_session(db: Session, entry: WaitlistEntry, slot: FreeSlot, booked: Booked) -> str:
    """When the patient's next session of the same therapy after the slot is, if any."""
    query = (
        select(TreatmentSession.starts_at)
        .where(
            TreatmentSession.patient_id == entry.patient_id,
            TreatmentSession.therapy_id == entry.protocol.therapy_id,
            TreatmentSession.status.in_((SessionStatus.BOOKED, SessionStatus.CONFIRMED)),
            TreatmentSession.starts_at > slot.starts_at,
            TreatmentSession.id.not_in(booked.session_ids),
        )
        .order_by(TreatmentSession.starts_at)
        .limit(1)
    )
    starts_at = db.scalar(query)
    if starts_at is None:
        return ""
    local = starts_at.astimezone(slot.starts_at.tzinfo)
    return f"{short_day(local.date())} at {clock_time(local)}"


def freed_slot_counts(db: Session, day: dt.date, *, now: dt.datetime) -> dict[int, int]:
    """For each session cancelled on ``day`` whose chair is still free and whose start is still
    ahead: how many waiting patients fit it (by session id). Today's Waitlist column."""
    calendar = clinic_calendar(db, names=False)
    start, end = day_bounds(calendar.zone, day, day)
    cancelled = db.scalars(
        select(TreatmentSession).where(
            TreatmentSession.starts_at >= max(start, now),
            TreatmentSession.starts_at < end,
            TreatmentSession.status == SessionStatus.CANCELLED,
            TreatmentSession.chair_id.is_not(None),
        )
    ).all()
    # Each waiting patient read once; a slot is counted by their terms alone.
    wishes = [_wish(db, entry) for entry in _entries(db)] if cancelled else []
    counts: dict[int, int] = {}
    for session in cancelled:
        assert session.chair_id is not None
        if _chair_taken(db, session.chair_id, session.starts_at, session.chair_free_at):
            continue
        slot = _free_slot(db, session.chair_id, session.starts_at, calendar.zone)
        counts[session.id] = sum(1 for wish in wishes if not misfits(wish, slot, now))
    return counts


def _chair_taken(db: Session, chair_id: int, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether a session still on the books holds the chair for part of ``start``..``end``."""
    query = select(TreatmentSession.id).where(
        TreatmentSession.chair_id == chair_id,
        TreatmentSession.status.in_(HOLDING),
        overlapping(start, end),
    )
    return db.scalar(query.limit(1)) is not None


@dataclass(frozen=True)
class Choice:
    """Something the entry form offers to pick: a protocol or a chair, by id and name."""

    choice_id: int
    name: str


def waitlist_choices(db: Session) -> tuple[list[Choice], list[Choice]]:
    """The protocols in use (the therapy a patient waits for) and the chairs and rooms in use."""
    protocols = db.scalars(
        select(Protocol).where(Protocol.active.is_(True)).order_by(Protocol.therapy_id, Protocol.id)
    )
    chairs = db.scalars(select(Chair).where(Chair.active.is_(True)).order_by(Chair.sort_order))
    return [Choice(p.id, p.name) for p in protocols], [Choice(c.id, c.name) for c in chairs]
