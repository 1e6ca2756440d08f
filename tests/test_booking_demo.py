"""The demo clinic's calendar is booked through the booking code and obeys every rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.domain.enums import SeriesStatus, SessionStatus
from scheduler.services.boosters import boosters_due
from scheduler.services.schedule import clinic_calendar
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Series, TreatmentSession
from tests.conftest import open_demo_copy
from tests.test_booking_properties import check_invariants

TODAY = dt.date(2026, 11, 16)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path: Path = tmp_path_factory.mktemp("demo-courses") / "demo.sqlite3"
    database = open_demo_copy(demo_template, path)
    yield database
    database.close()


def test_the_demo_calendar_keeps_every_booking_rule(demo: Database) -> None:
    with demo.reading() as s:
        assert check_invariants(s) > 150


def test_the_demo_shows_courses_and_sessions_in_every_state(demo: Database) -> None:
    with demo.reading() as s:
        statuses = set(s.scalars(select(TreatmentSession.status)))
        series_statuses = set(s.scalars(select(Series.status)))
        calendar = clinic_calendar(s)
        days = [calendar.local_day(x) for x in s.scalars(select(TreatmentSession.starts_at))]
        late = s.scalars(select(TreatmentSession).where(TreatmentSession.late_cancellation)).all()
        makeups = s.scalars(
            select(TreatmentSession).where(TreatmentSession.makeup_for_id.is_not(None))
        ).all()
        overrides = s.scalars(
            select(AuditEntry).where(AuditEntry.reason.like("Override by%"))
        ).all()
        due = boosters_due(s, today=TODAY)
        home = s.scalars(select(TreatmentSession).where(TreatmentSession.place == "home")).all()
    expected = {s.value for s in SessionStatus} - {SessionStatus.CHECKED_IN.value}
    assert expected <= statuses
    assert series_statuses == {s.value for s in SeriesStatus}
    assert min(days) <= TODAY - dt.timedelta(days=55)
    assert max(days) >= TODAY + dt.timedelta(days=35)
    assert TODAY in days
    assert late
    assert list(makeups)
    assert list(overrides)
    assert due
    assert all(x.nurse_id is not None and x.chair_id is None for x in home)
