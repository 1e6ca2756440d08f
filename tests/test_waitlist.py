"""The waitlist service: keeping the list, who is offered a freed chair, booking from it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from scheduler.domain.access import Actor
from scheduler.domain.enums import StaffRole
from scheduler.errors import NotAllowed, ValidationFailed
from scheduler.services import session_life as life
from scheduler.services import waitlist
from scheduler.services.booking import BookingRefused, book_single
from scheduler.services.patients import set_archived
from scheduler.services.waitlist import WaitlistTerms
from scheduler.store import Database
from scheduler.store.models import AuditEntry, TreatmentSession, WaitlistEntry
from tests.conftest import ACTOR, NOW
from tests.factories import Clinic, actor_for, at, make_patient, set_up_test_clinic

TUE = dt.date(2026, 11, 24)
SLOT = at(TUE, 10, 30)
ADMIN = Actor(None, "admin", "Admin", frozenset({StaffRole.ADMINISTRATOR}))


@pytest.fixture
def c(db: Database) -> Clinic:
    return set_up_test_clinic(db)


@pytest.fixture
def tom(db: Database, c: Clinic) -> Actor:
    with db.reading() as s:
        return actor_for(s, c.front_desk)


def wait(db: Database, terms: WaitlistTerms, *, added: dt.datetime, actor: Actor = ACTOR) -> int:
    with db.transaction() as s:
        return waitlist.add_entry(s, terms, actor=actor, now=added).entry_id


def freed_slot(db: Database, c: Clinic) -> int:
    """A single IV infusion on Tuesday at 10:30 in Chair 2, booked and then cancelled."""
    with db.transaction() as s:
        session = book_single(
            s, patient_id=c.patient, protocol_id=c.iv_single, starts_at=SLOT,
            chair_id=c.chairs[1], actor=ACTOR, now=NOW,
        )  # fmt: skip
        session_id = session.id
    with db.transaction() as s:
        life.cancel(s, session_id, reason="Car trouble", actor=ACTOR, now=NOW)
    return session_id


def test_a_cancelled_slot_is_offered_to_the_fitting_patient_and_booked(
    db: Database, c: Clinic, tom: Actor
) -> None:
    cancelled = freed_slot(db, c)
    morning = WaitlistTerms(
        c.other_patient, c.iv_single, weekdays=(1, 3), earliest_start=dt.time(9),
        latest_start=dt.time(12), note="Can come at short notice",
    )  # fmt: skip
    entry = wait(db, morning, added=NOW - dt.timedelta(days=10), actor=tom)
    with db.reading() as s:
        assert waitlist.freed_slot_counts(s, TUE, now=NOW) == {cancelled: 1}
        (offer,) = waitlist.candidates_for_slot(s, c.chairs[1], SLOT, now=NOW)
    assert offer.entry_id == entry
    assert offer.bookable
    assert offer.reason == ""
    with db.transaction() as s:
        done = waitlist.book_from_waitlist(
            s, entry, chair_id=c.chairs[1], starts_at=SLOT, actor=tom, now=NOW
        )
    assert done.announcement == (
        f"Booked {done.booked.patient_name} from the waitlist for Tue, Nov 24 at 10:30 AM, Chair 2"
    )
    with db.reading() as s:
        (session_id,) = done.booked.session_ids
        session = s.get(TreatmentSession, session_id)
        assert session is not None
        assert (session.patient_id, session.chair_id, session.starts_at) == (
            c.other_patient,
            c.chairs[1],
            SLOT,
        )
        assert s.scalars(select(WaitlistEntry)).all() == []
        assert waitlist.waitlist(s) == []
        trail = s.scalars(select(AuditEntry).where(AuditEntry.entity == "waitlist_entries"))
        steps = [(a.action, a.actor) for a in trail]
        assert steps == [("waitlist.add", tom.sign_in), ("waitlist.book", tom.sign_in)]
        assert waitlist.freed_slot_counts(s, TUE, now=NOW) == {}


def test_a_patient_outside_their_time_window_is_not_offered(db: Database, c: Clinic) -> None:
    freed_slot(db, c)
    wait(db, WaitlistTerms(c.other_patient, c.iv_single, earliest_start=dt.time(13)), added=NOW)
    with db.reading() as s:
        assert waitlist.candidates_for_slot(s, c.chairs[1], SLOT, now=NOW) == []
    with db.transaction() as s, pytest.raises(BookingRefused, match="From 1:00 PM only"):
        waitlist.book_from_waitlist(
            s, 1, chair_id=c.chairs[1], starts_at=SLOT, actor=ACTOR, now=NOW
        )


def test_a_blocked_patient_ranks_below_and_says_why(db: Database, c: Clinic) -> None:
    freed_slot(db, c)
    with db.transaction() as s:
        uncleared = make_patient(s, first_name="Una", cleared=False)
    blocked = wait(db, WaitlistTerms(uncleared, c.iv_single), added=NOW - dt.timedelta(days=30))
    clear = wait(db, WaitlistTerms(c.other_patient, c.iv_single), added=NOW - dt.timedelta(days=2))
    with db.reading() as s:
        offers = waitlist.candidates_for_slot(s, c.chairs[1], SLOT, now=NOW)
    assert [o.entry_id for o in offers] == [clear, blocked]
    assert not offers[1].bookable
    assert "has not been cleared by a clinician after screening" in offers[1].reason
    with db.transaction() as s, pytest.raises(BookingRefused, match="not been cleared"):
        waitlist.book_from_waitlist(
            s, blocked, chair_id=c.chairs[1], starts_at=SLOT, actor=ACTOR, now=NOW
        )
    with db.reading() as s:
        assert [e.entry_id for e in waitlist.waitlist(s)] == [blocked, clear]


def test_a_chair_taken_again_blocks_everyone_with_the_reason(db: Database, c: Clinic) -> None:
    freed_slot(db, c)
    with db.transaction() as s:
        book_single(
            s, patient_id=c.patient, protocol_id=c.iv_single, starts_at=SLOT,
            chair_id=c.chairs[1], actor=ACTOR, now=NOW,
        )  # fmt: skip
    wait(db, WaitlistTerms(c.other_patient, c.iv_single), added=NOW)
    with db.reading() as s:
        (offer,) = waitlist.candidates_for_slot(s, c.chairs[1], SLOT, now=NOW)
        assert waitlist.freed_slot_counts(s, TUE, now=NOW) == {}
    assert not offer.bookable
    assert "Chair 2" in offer.reason


def test_a_first_induction_is_booked_as_its_course_from_the_slot(db: Database, c: Clinic) -> None:
    freed_slot(db, c)
    entry = wait(db, WaitlistTerms(c.other_patient, c.iv), added=NOW)
    with db.reading() as s:
        (offer,) = waitlist.candidates_for_slot(s, c.chairs[1], SLOT, now=NOW)
    assert offer.first_induction
    with db.transaction() as s:
        done = waitlist.book_from_waitlist(
            s, entry, chair_id=c.chairs[1], starts_at=SLOT, actor=ACTOR, now=NOW
        )
    assert len(done.booked.session_ids) == 6
    assert done.booked.first_starts_at == SLOT
    assert done.announcement.endswith("Chair 2; 6 sessions in the course")
    with db.reading() as s:
        first = s.get(TreatmentSession, done.booked.session_ids[0])
        assert first is not None
        assert first.chair_id == c.chairs[1]
        assert waitlist.waitlist(s) == []


def test_entries_are_edited_and_removed_with_the_audit_trail(db: Database, c: Clinic) -> None:
    entry = wait(db, WaitlistTerms(c.other_patient, c.iv_single), added=NOW)
    terms = WaitlistTerms(
        c.other_patient, c.iv_single, weekdays=(0, 2), chair_ids=(c.chairs[0],),
        earliest_day=TUE, notice_hours=24,
    )  # fmt: skip
    with db.transaction() as s:
        view = waitlist.edit_entry(s, entry, terms, actor=ACTOR, now=NOW)
    assert (view.days, view.times, view.chairs) == ("Mon, Wed", "Any time", "Chair 1")
    assert view.terms == terms
    assert view.added_at == NOW
    assert view.added_by == ACTOR.sign_in
    with db.transaction() as s:
        waitlist.remove_entry(s, entry, reason="Booked elsewhere", actor=ACTOR, now=NOW)
    with db.reading() as s:
        assert waitlist.waitlist(s) == []
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "waitlist_entries")
        ).all()
        assert actions == ["waitlist.add", "waitlist.edit", "waitlist.remove"]


def test_bad_terms_are_named_and_nothing_is_written(db: Database, c: Clinic) -> None:
    bad = WaitlistTerms(
        c.other_patient, c.iv_single, weekdays=(9,), earliest_start=dt.time(12),
        latest_start=dt.time(9), chair_ids=(999,), notice_hours=-1,
    )  # fmt: skip
    with db.transaction() as s, pytest.raises(ValidationFailed) as refused:
        waitlist.add_entry(s, bad, actor=ACTOR, now=NOW)
    fields = [p.field for p in refused.value.problems]
    assert fields == ["weekdays", "latest_start", "chair_ids", "notice_hours"]
    with db.reading() as s:
        assert waitlist.waitlist(s) == []


def test_only_staff_who_book_keep_the_waitlist(db: Database, c: Clinic) -> None:
    with db.transaction() as s, pytest.raises(NotAllowed):
        waitlist.add_entry(s, WaitlistTerms(c.other_patient, c.iv_single), actor=ADMIN, now=NOW)


def test_booking_a_sooner_slot_says_the_later_session_is_still_booked(
    db: Database, c: Clinic
) -> None:
    freed_slot(db, c)
    with db.transaction() as s:
        book_single(
            s, patient_id=c.other_patient, protocol_id=c.iv_single,
            starts_at=at(dt.date(2026, 12, 3), 10), chair_id=None, actor=ACTOR, now=NOW,
        )  # fmt: skip
    entry = wait(
        db, WaitlistTerms(c.other_patient, c.iv_single, note="Sooner if possible"), added=NOW
    )
    with db.transaction() as s:
        done = waitlist.book_from_waitlist(
            s, entry, chair_id=c.chairs[1], starts_at=SLOT, actor=ACTOR, now=NOW
        )
    assert done.later_session_text == "Thu, Dec 3 at 10:00 AM"
    assert done.announcement.endswith(
        "Chair 2; their session on Thu, Dec 3 at 10:00 AM is still booked"
    )


def test_a_patient_archived_while_waiting_is_listed_as_blocked(db: Database, c: Clinic) -> None:
    freed_slot(db, c)
    wait(db, WaitlistTerms(c.other_patient, c.iv_single), added=NOW)
    with db.transaction() as s:
        set_archived(s, c.other_patient, True, actor=ACTOR, now=NOW)
    with db.reading() as s:
        (offer,) = waitlist.candidates_for_slot(s, c.chairs[1], SLOT, now=NOW)
    assert not offer.bookable
    assert "is archived; restore the patient first" in offer.reason
