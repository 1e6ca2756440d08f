"""Booking courses and single sessions through the services, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.domain.enums import FindingStatus, Place, SessionStatus
from scheduler.errors import NotFound, ServiceError
from scheduler.services import booking
from scheduler.services.booking import BookingRefused, Override, book_series, book_single
from scheduler.services.schedule import clinic_calendar
from scheduler.store import Database
from scheduler.store.models import (
    AuditEntry,
    Chair,
    Patient,
    Series,
    SessionStatusChange,
    TreatmentSession,
)
from tests.conftest import ACTOR, NOW
from tests.factories import (
    Clinic,
    actor_for,
    add_chairs,
    add_closure,
    add_finding,
    at,
    make_patient,
    propose,
    set_up_test_clinic,
)

WED = dt.date(2026, 11, 18)
TEN = dt.time(10)


@pytest.fixture
def c(db: Database) -> Clinic:
    return set_up_test_clinic(db)


def counts(db: Database) -> tuple[int, ...]:
    with db.reading() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(model)) or 0
            for model in (TreatmentSession, Series, SessionStatusChange, AuditEntry)
        )


def test_an_induction_is_proposed_mon_wed_fri_and_booked_whole(db: Database, c: Clinic) -> None:
    with db.reading() as s:
        proposal = propose(s, c)
    assert [r.moved for r in proposal.rows] == [False] * 6
    with db.transaction() as s:
        series = book_series(s, proposal, actor=ACTOR, now=NOW)
        calendar = clinic_calendar(s)
        sessions = sorted(series.sessions, key=lambda x: x.starts_at)
        days = [calendar.local(x.starts_at).strftime("%a %d %H:%M") for x in sessions]
        assert days == ["Wed 18 10:00", "Fri 20 10:00", "Mon 23 10:00",
                        "Wed 25 10:00", "Fri 27 10:00", "Mon 30 10:00"]  # fmt: skip
        assert [x.number for x in sessions] == [1, 2, 3, 4, 5, 6]
        assert series.planned_count == 6
        assert all(x.chair_id == c.chairs[0] for x in sessions)
        assert all(x.status is SessionStatus.BOOKED for x in sessions)
        assert all(len(x.history) == 1 for x in sessions)
        assert sessions[0].buffer_minutes == 15
        actions = s.scalars(select(AuditEntry.action)).all()
        assert actions.count("session.book") == 6
        assert actions.count("series.book") == 1


def _book_one(s: Session, c: Clinic, starts: dt.datetime, *, patient: int | None = None,
              chair: int | None = None) -> TreatmentSession:  # fmt: skip
    return book_single(
        s, patient_id=patient or c.patient, protocol_id=c.iv_single, starts_at=starts,
        chair_id=chair, actor=ACTOR, now=NOW,
    )  # fmt: skip


Action = Callable[[Session, Clinic], object]


def _ninth(s: Session, c: Clinic) -> object:
    return propose(s, c, count=9)


def _fifth(s: Session, c: Clinic) -> object:
    return book_series(s, propose(s, c, count=6), actor=ACTOR, now=NOW) and propose(s, c, count=5)


def _after_hours(s: Session, c: Clinic) -> object:
    return _book_one(s, c, at(WED, 17))


def _before_opening(s: Session, c: Clinic) -> object:
    return _book_one(s, c, at(WED, 7, 30))


def _closure(s: Session, c: Clinic) -> object:
    add_closure(s, WED, "Burst pipe")
    return _book_one(s, c, at(WED, 10))


def _sunday(s: Session, c: Clinic) -> object:
    return _book_one(s, c, at(dt.date(2026, 11, 22), 10))


def _chair_taken(s: Session, c: Clinic) -> object:
    _book_one(s, c, at(WED, 10), patient=c.other_patient, chair=c.chairs[0])
    return _book_one(s, c, at(WED, 11, 30), chair=c.chairs[0])


def _every_chair_taken(s: Session, c: Clinic) -> object:
    for chair in c.chairs:
        _book_one(s, c, at(WED, 10), patient=make_patient(s), chair=chair)
    return _book_one(s, c, at(WED, 10, 30))


def _patient_twice(s: Session, c: Clinic) -> object:
    _book_one(s, c, at(WED, 10), chair=c.chairs[0])
    return _book_one(s, c, at(WED, 11), chair=c.chairs[1])


def _gap_too_short(s: Session, c: Clinic) -> object:
    proposal = propose(s, c)
    second = proposal.rows[1]
    assert second.starts_at is not None
    changed = booking.with_row_changed(proposal, 2, at(WED, 15), second.chair_id)
    return book_series(s, changed, actor=ACTOR, now=NOW)


def _gap_too_long(s: Session, c: Clinic) -> object:
    proposal = propose(s, c)
    changed = booking.with_row_changed(proposal, 2, at(dt.date(2026, 11, 24), 10), c.chairs[0])
    return book_series(s, changed, actor=ACTOR, now=NOW)


def _unknown_patient(s: Session, c: Clinic) -> object:
    return propose(s, c, patient_id=9999)


def _unknown_chair(s: Session, c: Clinic) -> object:
    return _book_one(s, c, at(WED, 10), chair=9999)


def _wrong_kind_of_chair(s: Session, c: Clinic) -> object:
    return _book_one(s, c, at(WED, 10), chair=c.room)


def _past(s: Session, c: Clinic) -> object:
    return _book_one(s, c, NOW - dt.timedelta(hours=1))


def _row_without_slot(s: Session, c: Clinic) -> object:
    proposal = propose(s, c)
    rows = [*proposal.rows[:-1], booking.ProposedSession(6, None, None, None, "", None, True, "")]
    from dataclasses import replace

    return book_series(s, replace(proposal, rows=rows), actor=ACTOR, now=NOW)


def _induction_single(s: Session, c: Clinic) -> object:
    return book_single(
        s, patient_id=c.patient, protocol_id=c.iv, starts_at=at(WED, 10), chair_id=None,
        actor=ACTOR, now=NOW,
    )  # fmt: skip


def _wrong_place(s: Session, c: Clinic) -> object:
    return propose(s, c, place=Place.VIDEO)


@pytest.mark.parametrize(
    ("action", "error", "message"),
    [
        (_ninth, BookingRefused, "An induction series has 6 to 8 sessions; 9 were asked for."),
        (_fifth, BookingRefused, "6 to 8 sessions; 5 were asked for"),
        (_after_hours, BookingRefused, "would end at 6:30 PM, after closing time (6:00 PM)"),
        (_before_opening, BookingRefused, "is before opening time (8:00 AM)"),
        (_closure, BookingRefused, "The clinic is closed on Wed, Nov 18, 2026 (Burst pipe)."),
        (_sunday, BookingRefused, "The clinic is not open on Sundays."),
        (_chair_taken, BookingRefused, "Chair 1 is taken 10:00–11:45 AM on Wed, Nov 18, 2026"),
        (_every_chair_taken, BookingRefused, "Chair 1 and Chair 2 are all taken at that time"),
        (_patient_twice, BookingRefused, "The patient already has a session 10:00–11:30 AM"),
        (_gap_too_short, BookingRefused, "0 days apart; the protocol needs at least 1 day"),
        (_gap_too_long, BookingRefused, "5 days apart; the protocol allows at most 4 days"),
        (_unknown_patient, NotFound, "No patient with id 9999."),
        (_unknown_chair, NotFound, "No chair or room with id 9999."),
        (_wrong_kind_of_chair, BookingRefused, "Room 1 is a room, not a chair."),
        (_past, BookingRefused, "is in the past"),
        (_row_without_slot, BookingRefused, "Session 6 has no time yet."),
        (_induction_single, BookingRefused, "book it as a series of 6 to 8 sessions"),
        (_wrong_place, BookingRefused, "is not given at “video”"),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_bad_input_is_refused_and_nothing_changes(
    db: Database, c: Clinic, action: Action, error: type[ServiceError], message: str
) -> None:
    before = counts(db)
    with pytest.raises(error) as refused, db.transaction() as s:
        action(s, c)
    assert message in str(refused.value)
    assert counts(db) == before


def test_refusal_lists_every_reason(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        s.get(Patient, c.patient).screening_cleared_at = None  # type: ignore[union-attr]
    with pytest.raises(BookingRefused) as refused, db.transaction() as s:
        _book_one(s, c, at(dt.date(2026, 11, 22), 10))
    assert len(refused.value.reasons) == 2
    assert "cleared by a clinician" in refused.value.reasons[0]


def test_a_taken_preferred_chair_moves_the_row_and_says_why(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        for chair in c.chairs:
            _book_one(s, c, at(dt.date(2026, 11, 20), 10), patient=make_patient(s), chair=chair)
        proposal = propose(s, c)
    second = proposal.rows[1]
    assert second.moved
    # 08:15 and 11:45 are as near to 10:00 (both chairs are taken until 11:45); earlier wins.
    assert second.starts_at == at(dt.date(2026, 11, 20), 8, 15)
    assert "Moved to Fri, Nov 20, 2026, 8:15 AM. At Fri, Nov 20, 2026, 10:00 AM:" in second.reason
    assert "Chair 1 and Chair 2 are all taken at that time" in second.reason
    with db.transaction() as s:
        assert len(book_series(s, proposal, actor=ACTOR, now=NOW).sessions) == 6


def test_a_series_skips_a_closure_day(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        add_closure(s, dt.date(2026, 11, 27), "Day after Thanksgiving")
        proposal = propose(s, c)
        series = book_series(s, proposal, actor=ACTOR, now=NOW)
        calendar = clinic_calendar(s)
        days = [calendar.local_day(x.starts_at) for x in series.sessions]
    assert dt.date(2026, 11, 27) not in days
    fifth = proposal.rows[4]
    assert fifth.moved
    assert "(Day after Thanksgiving)" in fifth.reason
    assert days[4] == dt.date(2026, 11, 26)


def test_a_series_across_the_march_change_stays_at_ten(db: Database, c: Clinic) -> None:
    # New York starts daylight time on Sunday 14 March 2027.
    with db.transaction() as s:
        proposal = propose(s, c, first_day=dt.date(2027, 3, 8))
        series = book_series(s, proposal, actor=ACTOR, now=NOW)
        calendar = clinic_calendar(s)
        starts = [x.starts_at for x in series.sessions]
    assert [calendar.local(x).strftime("%m-%d %H:%M") for x in starts] == [
        "03-08 10:00", "03-10 10:00", "03-12 10:00", "03-15 10:00", "03-17 10:00", "03-19 10:00",
    ]  # fmt: skip
    assert [x.hour for x in starts] == [15, 15, 15, 14, 14, 14]


def test_an_edited_row_is_booked_where_the_desk_put_it(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        proposal = booking.with_row_changed(
            propose(s, c), 3, at(dt.date(2026, 11, 23), 14), c.chairs[1]
        )
        row = proposal.rows[2]
        assert (row.chair_name, row.moved, row.reason) == ("Chair 2", True, "Changed by the desk.")
        series = book_series(s, proposal, actor=ACTOR, now=NOW)
        third = sorted(series.sessions, key=lambda x: x.starts_at)[2]
        assert (third.starts_at, third.chair_id) == (at(dt.date(2026, 11, 23), 14), c.chairs[1])


@pytest.mark.parametrize(
    ("setup", "protocol", "message"),
    [
        ("not_cleared", "iv", "has not been cleared by a clinician after screening"),
        ("blocking", "iv", "Open contraindication: Uncontrolled high blood pressure."),
        ("no_rems", "esketamine", "is not enrolled in the REMS program"),
    ],
)
def test_safety_gates_refuse_and_a_clinician_may_override(
    db: Database, c: Clinic, setup: str, protocol: str, message: str
) -> None:
    with db.transaction() as s:
        patient = make_patient(s, cleared=setup != "not_cleared", rems=setup != "no_rems")
        if setup == "blocking":
            add_finding(s, patient)
    proto = c.iv if protocol == "iv" else c.esketamine
    count = 6 if protocol == "iv" else 8
    with db.reading() as s:
        proposal = propose(s, c, patient_id=patient, protocol_id=proto, count=count)
        front_desk, clinician = actor_for(s, c.front_desk), actor_for(s, c.clinician)
    for override, extra in (
        (None, ""),
        (Override("Seen today", front_desk), "Only a clinician may override"),
        (Override("  ", clinician), "needs a written reason"),
    ):
        with pytest.raises(BookingRefused) as refused, db.transaction() as s:
            book_series(s, proposal, actor=ACTOR, now=NOW, override=override)
        assert any(message in r for r in refused.value.reasons)
        assert extra in str(refused.value)
    with db.transaction() as s:
        series = book_series(
            s, proposal, actor=ACTOR, now=NOW,
            override=Override("BP rechecked 128/82; benefit outweighs risk", clinician),
        )  # fmt: skip
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "series.book"))
        assert entry is not None
        assert entry.entity_id == series.id
        assert entry.reason.startswith("Override by Dr Park: BP rechecked 128/82")
        assert message in entry.reason


def test_a_cleared_finding_no_longer_blocks(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        finding = add_finding(s, c.patient)
        finding.status = FindingStatus.CLEARED
        series = book_series(s, propose(s, c), actor=ACTOR, now=NOW)
        assert series.patient_id == c.patient
        assert len(series.sessions) == 6
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "series.book"))
        assert entry is not None
        assert not entry.reason  # booked as asked: no override was needed


def test_caution_findings_do_not_block(db: Database, c: Clinic) -> None:
    from scheduler.domain.enums import FindingSeverity

    with db.transaction() as s:
        add_finding(s, c.patient, "benzodiazepines", severity=FindingSeverity.CAUTION)
        series = book_series(s, propose(s, c), actor=ACTOR, now=NOW)
        assert series.patient_id == c.patient
        assert len(series.sessions) == 6
        assert all(x.status is SessionStatus.BOOKED for x in series.sessions)
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "series.book"))
        assert entry is not None
        assert not entry.reason  # a caution is for the letters, not a reason to override


def test_esketamine_goes_to_the_room_twice_weekly(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        patient = make_patient(s, rems=True)
        proposal = propose(s, c, patient_id=patient, protocol_id=c.esketamine, count=8,
                           first_day=dt.date(2026, 11, 23))  # fmt: skip
        series = book_series(s, proposal, actor=ACTOR, now=NOW)
        calendar = clinic_calendar(s)
        weekdays = [calendar.local_day(x.starts_at).strftime("%a") for x in series.sessions]
        assert {x.chair_id for x in series.sessions} == {c.room}
    assert weekdays == ["Mon", "Thu"] * 4


def test_home_visits_take_a_nurse_and_travel_time(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        first = book_single(
            s, patient_id=c.patient, protocol_id=c.iv_single, starts_at=at(WED, 10),
            chair_id=None, place=Place.HOME, actor=ACTOR, now=NOW,
        )  # fmt: skip
        second = book_single(
            s, patient_id=c.other_patient, protocol_id=c.iv_single, starts_at=at(WED, 12),
            chair_id=None, place=Place.HOME, actor=ACTOR, now=NOW,
        )  # fmt: skip
        assert first.chair_id is None
        assert first.buffer_minutes == 0
        # Nurses are tried by name: James is back from the first visit at 12:00 only (travel),
        # so Maria takes the second.
        assert (first.nurse_id, second.nurse_id) == (c.nurses[1], c.nurses[0])
        assert first.place is Place.HOME
    with pytest.raises(BookingRefused, match="away on a home visit"), db.transaction() as s:
        book_single(
            s, patient_id=make_patient(s), protocol_id=c.iv_single, starts_at=at(WED, 12),
            chair_id=None, place=Place.HOME, nurse_id=c.nurses[0], actor=ACTOR, now=NOW,
        )  # fmt: skip


def test_nurse_patient_limit_applies_when_nurses_are_assigned(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        s.get(Chair, c.chairs[0])  # chairs exist
        more = add_chairs(s, 3, prefix="Bay")
        settings = clinic_calendar(s)
        assert settings.nurse_patient_limit == 4
        from scheduler.services.clinic import get_settings

        get_settings(s).nurse_patient_limit = 2
        for chair in (c.chairs[0], c.chairs[1]):
            book_single(
                s, patient_id=make_patient(s), protocol_id=c.iv_single, starts_at=at(WED, 10),
                chair_id=chair, nurse_id=c.nurses[0], actor=ACTOR, now=NOW,
            )  # fmt: skip
    with pytest.raises(BookingRefused, match="would be watching 3 patients"), db.transaction() as s:
        book_single(
            s, patient_id=make_patient(s), protocol_id=c.iv_single, starts_at=at(WED, 11),
            chair_id=more[0], nurse_id=c.nurses[0], actor=ACTOR, now=NOW,
        )  # fmt: skip
    with db.transaction() as s:
        book_single(
            s, patient_id=make_patient(s), protocol_id=c.iv_single, starts_at=at(WED, 11),
            chair_id=more[0], nurse_id=c.nurses[1], actor=ACTOR, now=NOW,
        )  # fmt: skip


def test_book_single_takes_the_first_free_chair(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        _book_one(s, c, at(WED, 10), patient=c.other_patient)
        session = _book_one(s, c, at(WED, 10))
        assert session.chair_id == c.chairs[1]
        assert session.series is not None
        assert session.series.planned_count == 1
