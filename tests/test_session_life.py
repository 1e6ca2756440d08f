"""A session's life: confirm, check in, complete, cancel, no-show, reschedule, make-up, reflow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from scheduler.domain.enums import SeriesStatus, SessionStatus
from scheduler.domain.escort import Escort
from scheduler.errors import ServiceError
from scheduler.services import session_life as life
from scheduler.services.booking import BookingRefused, book_series
from scheduler.services.schedule import clinic_calendar, patient_courses
from scheduler.store import Database
from scheduler.store.models import AuditEntry, OpeningHours, Series, TreatmentSession
from tests.conftest import ACTOR, NOW
from tests.factories import Clinic, at, propose, set_up_test_clinic

WED = dt.date(2026, 11, 18)
# Who takes the test patient home: an IV infusion is completed only with someone recorded.
RIDE = Escort("Sam Tester", "(207) 555-0101")


@pytest.fixture
def c(db: Database) -> Clinic:
    return set_up_test_clinic(db)


@pytest.fixture
def series_id(db: Database, c: Clinic) -> int:
    with db.transaction() as s:
        return book_series(s, propose(s, c), actor=ACTOR, now=NOW).id


def session_ids(db: Database, series_id: int) -> list[int]:
    with db.reading() as s:
        return [x.session_id for x in life.sessions_of_series(s, series_id)]


def during(db: Database, session_id: int, minutes: int = 5) -> dt.datetime:
    with db.reading() as s:
        return life.get_session(s, session_id).starts_at + dt.timedelta(minutes=minutes)


def test_a_session_goes_from_booked_to_completed(db: Database, series_id: int) -> None:
    first = session_ids(db, series_id)[0]
    with db.transaction() as s:
        life.confirm(s, first, actor=ACTOR, now=NOW)
    with db.transaction() as s:
        life.check_in(s, first, actor=ACTOR, now=during(db, first, -20), escort=RIDE)
    with db.transaction() as s:
        done = life.complete(s, first, actor=ACTOR, now=during(db, first, 90))
        assert done.status is SessionStatus.COMPLETED
        row = s.get(TreatmentSession, done.session_id)
        assert row is not None
        steps = [(h.from_status, h.to_status) for h in row.history]
        assert steps == [(None, "booked"), ("booked", "confirmed"), ("confirmed", "checked_in"),
                         ("checked_in", "completed")]  # fmt: skip
        actions = s.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity_id == first, AuditEntry.entity == "sessions"
            )
        )
        assert list(actions) == ["session.book", "session.confirmed", "session.checked_in",
                                 "session.completed"]  # fmt: skip


Step = Callable[..., TreatmentSession]


@pytest.mark.parametrize(
    ("first_step", "second_step", "message"),
    [
        (None, life.complete, "has not started yet"),
        (None, life.mark_no_show, "has not started yet"),
        ("complete", life.confirm, "A session that is completed cannot be marked confirmed."),
        ("no_show", life.complete, "A session that is no-show cannot be marked completed."),
        ("cancel", life.confirm, "A session that is cancelled cannot be marked confirmed."),
        (None, life.check_in, "only on the day of the session"),
    ],
)
def test_impossible_steps_are_refused(
    db: Database, series_id: int, first_step: str | None, second_step: Step, message: str
) -> None:
    first = session_ids(db, series_id)[0]
    later = during(db, first, 100)
    with db.transaction() as s:
        if first_step == "complete":
            life.complete(s, first, actor=ACTOR, now=later, escort=RIDE)
        elif first_step == "no_show":
            life.mark_no_show(s, first, actor=ACTOR, now=later)
        elif first_step == "cancel":
            life.cancel(s, first, reason="Flu", actor=ACTOR, now=NOW)
    with pytest.raises(ServiceError, match=message), db.transaction() as s:
        second_step(s, first, actor=ACTOR, now=later if first_step else NOW)


@pytest.mark.parametrize(
    ("hours_before", "late"), [(72, False), (24, False), (23.9, True), (2, True)]
)
def test_cancellation_under_24_hours_is_late(
    db: Database, series_id: int, hours_before: float, late: bool
) -> None:
    first = session_ids(db, series_id)[0]
    with db.transaction() as s:
        start = life.get_session(s, first).starts_at
        cancelled = life.cancel(
            s, first, reason="Car broke down", actor=ACTOR,
            now=start - dt.timedelta(hours=hours_before),
        )  # fmt: skip
        assert cancelled.status is SessionStatus.CANCELLED
        assert cancelled.late_cancellation is late
        assert cancelled.status_reason == "Car broke down"


def test_cancel_needs_a_reason(db: Database, series_id: int) -> None:
    with pytest.raises(ServiceError, match="Say why"), db.transaction() as s:
        life.cancel(s, session_ids(db, series_id)[0], reason=" ", actor=ACTOR, now=NOW)


def test_completing_every_session_completes_the_course(db: Database, series_id: int) -> None:
    for session_id in session_ids(db, series_id):
        with db.transaction() as s:
            life.complete(s, session_id, actor=ACTOR, now=during(db, session_id, 90), escort=RIDE)
    with db.reading() as s:
        series = s.get(Series, series_id)
        assert series is not None
        assert series.status is SeriesStatus.COMPLETED
        course = patient_courses(s, series.patient_id)[0]
        assert course.progress == "6 of 6"
        assert [v.progress for v in course.sessions][2] == "3 of 6"


@pytest.mark.parametrize(
    ("number", "day", "hour", "message"),
    [
        (2, dt.date(2026, 11, 19), 10, ""),  # Thursday: 1 day after #1, 4 before #3 (Mon)
        (2, dt.date(2026, 11, 18), 14, "0 days apart"),  # same day as #1
        (2, dt.date(2026, 11, 23), 14, "0 days apart"),  # same day as #3
        (6, dt.date(2026, 12, 5), 10, "at most 4 days"),  # 8 days after #5
        # Tuesday after #3: fine beside #3 and #4, but #1 and #3 end up 5 days apart.
        (
            2,
            dt.date(2026, 11, 24),
            10,
            "leave 5 days between the sessions of Wed, Nov 18 and Mon, Nov 23",
        ),
        (1, dt.date(2026, 11, 16), 8, "is in the past"),  # today 08:00 < now (09:00)
        (3, dt.date(2026, 11, 22), 10, "not open on Sundays"),
    ],
)
def test_reschedule_keeps_the_spacing_with_neighbours(
    db: Database, series_id: int, c: Clinic, number: int, day: dt.date, hour: int, message: str
) -> None:
    target = session_ids(db, series_id)[number - 1]
    if message:
        with pytest.raises(BookingRefused, match=message), db.transaction() as s:
            life.reschedule(s, target, starts_at=at(day, hour), chair_id=None, actor=ACTOR, now=NOW)
        return
    with db.transaction() as s:
        life.confirm(s, target, actor=ACTOR, now=NOW)
    with db.transaction() as s:
        moved = life.reschedule(
            s, target, starts_at=at(day, hour), chair_id=c.chairs[1], actor=ACTOR, now=NOW
        )
        assert (moved.starts_at, moved.chair_id) == (at(day, hour), c.chairs[1])
        # The patient confirmed the old time, so the new one waits for confirmation.
        assert moved.status is SessionStatus.BOOKED
        row = s.get(TreatmentSession, moved.session_id)
        assert row is not None
        assert row.history[-1].reason.startswith("Moved from Fri, Nov 20, 2026, 10:00 AM")


THU = dt.date(2026, 11, 19)


def test_an_undo_puts_the_session_back_from_where_the_move_left_it(
    db: Database, series_id: int, c: Clinic
) -> None:
    second = session_ids(db, series_id)[1]
    with db.reading() as s:
        was = life.session_state(s, second)
    with db.transaction() as s:  # dragged on the calendar
        life.reschedule(s, second, starts_at=at(THU, 10), chair_id=c.chairs[1], actor=ACTOR,
                        now=NOW)  # fmt: skip
    with db.transaction() as s:
        back = life.undo_move(
            s, second, moved_to=life.Spot(at(THU, 10), c.chairs[1]),
            back_to=life.Spot(was.starts_at, was.chair_id), actor=ACTOR, now=NOW,
        )  # fmt: skip
    assert (back.starts_at, back.chair_id) == (was.starts_at, was.chair_id)
    with db.reading() as s:
        trail = s.scalars(
            select(AuditEntry.actor)
            .where(AuditEntry.action == "session.reschedule", AuditEntry.entity_id == second)
            .order_by(AuditEntry.id)
        )
        assert list(trail) == [ACTOR.sign_in, ACTOR.sign_in]


def test_an_undo_refuses_a_session_moved_again_since(
    db: Database, series_id: int, c: Clinic
) -> None:
    second = session_ids(db, series_id)[1]
    with db.reading() as s:
        was = life.session_state(s, second)
        name = life.get_session(s, second).patient.display_name
    with db.transaction() as s:  # dragged on the calendar
        life.reschedule(s, second, starts_at=at(THU, 10), chair_id=c.chairs[1], actor=ACTOR,
                        now=NOW)  # fmt: skip
    with db.transaction() as s:  # and moved again at another workstation
        life.reschedule(s, second, starts_at=at(THU, 14), chair_id=c.chairs[0], actor=ACTOR,
                        now=NOW)  # fmt: skip
    with (
        pytest.raises(
            life.MovedSince,
            match=f"^{name}'s session has been moved again since. Open it to move it.$",
        ),
        db.transaction() as s,
    ):
        life.undo_move(
            s, second, moved_to=life.Spot(at(THU, 10), c.chairs[1]),
            back_to=life.Spot(was.starts_at, was.chair_id), actor=ACTOR, now=NOW,
        )  # fmt: skip
    with db.reading() as s:
        now = life.session_state(s, second)
    assert (now.starts_at, now.chair_id) == (at(THU, 14), c.chairs[0])


def test_a_completed_session_cannot_move(db: Database, series_id: int) -> None:
    first = session_ids(db, series_id)[0]
    with db.transaction() as s:
        life.complete(s, first, actor=ACTOR, now=during(db, first, 90), escort=RIDE)
    with (
        pytest.raises(ServiceError, match="A completed session cannot be moved"),
        db.transaction() as s,
    ):
        life.reschedule(s, first, starts_at=at(dt.date(2026, 11, 19), 10), chair_id=None,
                        actor=ACTOR, now=NOW)  # fmt: skip


@pytest.mark.parametrize(
    ("status", "starts_in", "problem"),
    [
        (SessionStatus.BOOKED, 60, ""),
        (SessionStatus.CONFIRMED, 60, ""),
        (SessionStatus.BOOKED, 0, "already started"),
        (SessionStatus.CHECKED_IN, 60, "checked in cannot be moved"),
        (SessionStatus.COMPLETED, 60, "A completed session cannot be moved"),
        (SessionStatus.CANCELLED, 60, "cancelled cannot be moved"),
        (SessionStatus.NO_SHOW, 60, "cannot be moved"),
    ],
)
def test_which_sessions_may_move_at_all(
    status: SessionStatus, starts_in: int, problem: str
) -> None:
    # The calendar asks this before it lets a block be dragged; reschedule refuses the same.
    found = life.move_problem(status, NOW + dt.timedelta(minutes=starts_in), NOW)
    assert (found == "") if not problem else (problem in found)


def test_a_missed_induction_session_is_made_up_after_the_last(db: Database, series_id: int) -> None:
    ids = session_ids(db, series_id)
    third = ids[2]
    with db.transaction() as s:
        life.mark_no_show(s, third, actor=ACTOR, now=during(db, third, 30))
    now = during(db, third, 60)
    with db.reading() as s:
        row = life.propose_makeup(s, third, now=now)
    assert row.starts_at is not None
    with db.transaction() as s:
        calendar = clinic_calendar(s)
        # Session 6 is Mon 30 Nov; the protocol's next preferred day is Wed 2 Dec, at 10:00.
        assert calendar.when_text(row.starts_at) == "Wed, Dec 2, 2026, 10:00 AM"
        assert row.number == 6
        made = life.book_makeup(s, third, starts_at=row.starts_at, chair_id=row.chair_id,
                                actor=ACTOR, now=now)  # fmt: skip
        assert made.makeup_for_id == third
        assert made.number == 6
        series = s.get(Series, series_id)
        assert series is not None
        numbers = sorted((x.starts_at, x.number, x.status) for x in series.sessions)
        assert [n for _, n, st in numbers if st != "no_show"] == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ServiceError, match="already been made up"), db.reading() as s:
        life.propose_makeup(s, third, now=now)


def test_an_eight_session_course_never_gets_a_ninth(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        series = book_series(s, propose(s, c, count=8), actor=ACTOR, now=NOW)
        ids = [x.id for x in sorted(series.sessions, key=lambda x: x.starts_at)]
        life.cancel(s, ids[1], reason="Ill", actor=ACTOR, now=NOW)
        row = life.propose_makeup(s, ids[1], now=NOW)
        assert row.starts_at is not None
        made = life.book_makeup(s, ids[1], starts_at=row.starts_at, chair_id=row.chair_id,
                                actor=ACTOR, now=NOW)  # fmt: skip
        assert len([x for x in series.sessions if SessionStatus(x.status).holds_slot]) == 8
    with pytest.raises(ServiceError, match="already been made up"), db.reading() as s:
        life.propose_makeup(s, ids[1], now=NOW)
    with db.transaction() as s:
        # Even a course somehow planned longer, with an unlinked extra session, stops at eight.
        s.get(TreatmentSession, made.session_id).makeup_for_id = None  # type: ignore[union-attr]
        s.get(Series, series.id).planned_count = 9  # type: ignore[union-attr]
    with pytest.raises(BookingRefused, match="already has 8 sessions of 8"), db.reading() as s:
        life.propose_makeup(s, ids[1], now=NOW)


def test_make_up_beyond_the_span_says_why(db: Database, c: Clinic) -> None:
    with db.transaction() as s:
        series = book_series(s, propose(s, c), actor=ACTOR, now=NOW)
        ids = [x.id for x in sorted(series.sessions, key=lambda x: x.starts_at)]
        life.cancel(s, ids[0], reason="Ill", actor=ACTOR, now=NOW)
        later = NOW + dt.timedelta(days=20)
        row = life.propose_makeup(s, ids[0], now=later)
    assert row.starts_at is None
    assert "spacing" in row.reason


def test_reflow_moves_the_rest_later_keeping_the_gaps(db: Database, series_id: int) -> None:
    ids = session_ids(db, series_id)
    with db.transaction() as s:
        life.cancel(s, ids[2], reason="Patient has flu", actor=ACTOR, now=NOW)
        moved = life.reflow_series(s, series_id, from_number=3, actor=ACTOR, now=NOW,
                                   not_before=dt.date(2026, 11, 30))  # fmt: skip
        calendar = clinic_calendar(s)
        walls = [calendar.when_text(x.starts_at) for x in moved]
    assert walls == [
        "Mon, Nov 30, 2026, 10:00 AM",
        "Wed, Dec 2, 2026, 10:00 AM",
        "Fri, Dec 4, 2026, 10:00 AM",
    ]
    with db.reading() as s:
        actions = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.action == "session.reflow"))
        )
    assert len(actions) == 3


def test_reflow_refuses_when_nothing_fits_and_changes_nothing(db: Database, series_id: int) -> None:
    ids = session_ids(db, series_id)
    with db.reading() as s:
        before = [(x.starts_at, x.chair_id) for x in life.sessions_of_series(s, series_id)]
    with pytest.raises(ServiceError), db.transaction() as s:
        life.reflow_series(s, series_id, from_number=99, actor=ACTOR, now=NOW)
    with db.transaction() as s:
        for hours in s.scalars(select(OpeningHours)):
            if hours.weekday != 0:
                s.delete(hours)  # open on Mondays only: no gap of at most 4 days can be kept
    with pytest.raises(BookingRefused), db.transaction() as s:
        life.reflow_series(s, series_id, from_number=2, actor=ACTOR, now=NOW)
    with db.reading() as s:
        assert [(x.starts_at, x.chair_id) for x in life.sessions_of_series(s, series_id)] == before
    assert len(ids) == 6


def test_cancel_series_cancels_what_is_to_come(db: Database, series_id: int) -> None:
    ids = session_ids(db, series_id)
    with db.transaction() as s:
        life.complete(s, ids[0], actor=ACTOR, now=during(db, ids[0], 90), escort=RIDE)
    with db.transaction() as s:
        series = life.cancel_series(s, series_id, reason="Moved away", actor=ACTOR,
                                    now=during(db, ids[0], 120))  # fmt: skip
        statuses = [x.status for x in sorted(series.sessions, key=lambda x: x.starts_at)]
        assert statuses == ["completed"] + ["cancelled"] * 5
        assert series.status is SeriesStatus.CANCELLED
