"""The booster-due list: one query, paged, the same patients and order as checking each one."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scheduler.domain.enums import HOLDING, Phase, SessionStatus
from scheduler.services.boosters import BoosterDue, boosters_due
from scheduler.services.schedule import clinic_calendar
from scheduler.store import Database
from scheduler.store.models import Patient, Protocol, Series, TreatmentSession
from tests.factories import (
    ESK_MAINTENANCE,
    IV_MAINTENANCE,
    IV_SINGLE,
    NAD,
    make_patient,
    protocol_id,
    set_up_test_clinic,
)
from tests.test_maintenance import _completed_single

TODAY = dt.date(2026, 11, 16)


def _checked_one_by_one(db: Session, today: dt.date) -> list[tuple[int, int, dt.date, int]]:
    """(patient, days overdue, last session day, protocol): every session looked at in Python."""
    calendar = clinic_calendar(db)
    ahead = set(
        db.scalars(
            select(TreatmentSession.patient_id).where(
                TreatmentSession.status.in_(HOLDING),
                TreatmentSession.status != SessionStatus.COMPLETED.value,
                TreatmentSession.starts_at >= calendar.at(today, dt.time()),
            )
        )
    )
    protocols = list(db.scalars(select(Protocol).order_by(Protocol.id)))
    last: dict[int, tuple[TreatmentSession, Series]] = {}
    for session, series in db.execute(
        select(TreatmentSession, Series)
        .join(Series, TreatmentSession.series_id == Series.id)
        .where(TreatmentSession.status == SessionStatus.COMPLETED.value)
        .order_by(TreatmentSession.starts_at, TreatmentSession.id)
    ):
        last[session.patient_id] = (session, series)
    found = []
    for patient_id, (session, series) in last.items():
        patient = db.get(Patient, patient_id)
        assert patient is not None
        protocol = series.protocol
        if not protocol.maintenance_interval_days:
            protocol = next(
                (p for p in protocols if p.therapy_id == protocol.therapy_id
                 and p.phase is Phase.MAINTENANCE and p.active
                 and p.maintenance_interval_days is not None),
                protocol,
            )  # fmt: skip
        if patient.archived or patient_id in ahead or not protocol.maintenance_interval_days:
            continue
        day = calendar.local_day(session.starts_at)
        overdue = (today - day).days - protocol.maintenance_interval_days
        if overdue > 0:
            found.append((overdue, patient.display_name, patient_id, day, protocol.id))
    found.sort(key=lambda f: (-f[0], f[1], f[2]))
    return [(p, overdue, day, protocol) for overdue, _, p, day, protocol in found]


def _all_pages(db: Session, today: dt.date, limit: int) -> list[BoosterDue]:
    found: list[BoosterDue] = []
    while page := boosters_due(db, today=today, limit=limit, after=found[-1] if found else None):
        assert len(page) <= limit
        found.extend(page)
    return found


def _as_checked(due: list[BoosterDue]) -> list[tuple[int, int, dt.date, int]]:
    return [(d.patient_id, d.days_overdue, d.last_session_on, d.protocol_id) for d in due]


@pytest.fixture
def clinic(db: Database) -> Database:
    return add_booster_clinic(db)


def add_booster_clinic(db: Database) -> Database:
    """Patients due and not: ties in days overdue, an evening session, the archived, a
    NAD+ infusion after the last ketamine, esketamine's shorter interval."""
    c = set_up_test_clinic(db)
    with db.transaction() as s:
        iv_maintenance = protocol_id(s, IV_MAINTENANCE)
        esketamine = protocol_id(s, ESK_MAINTENANCE)
        nad = protocol_id(s, NAD)
        iv_single = protocol_id(s, IV_SINGLE)
        people = {
            name: make_patient(s, first_name=name, rems=name == "Esme")
            for name in ("Ben", "Cai", "Dee", "Eve", "Esme", "Gus", "Hal")
        }
    for name, protocol, day in (
        ("Ben", iv_maintenance, dt.date(2026, 10, 1)),  # 18 overdue
        ("Cai", iv_maintenance, dt.date(2026, 10, 1)),  # 18 overdue: after Ben by name
        ("Dee", iv_single, dt.date(2026, 7, 1)),  # long overdue
        ("Eve", iv_maintenance, dt.date(2026, 11, 2)),  # not yet due
        ("Esme", esketamine, dt.date(2026, 10, 20)),  # 14 days: 13 overdue
        ("Gus", iv_maintenance, dt.date(2026, 8, 3)),
        ("Gus", nad, dt.date(2026, 8, 10)),  # last came an NAD+ infusion: not listed
        ("Hal", iv_maintenance, dt.date(2026, 9, 1)),
    ):
        _completed_single(db, people[name], protocol, day)
    _completed_single(db, c.patient, iv_maintenance, dt.date(2026, 10, 5))
    with db.transaction() as s:
        s.execute(update(Patient).where(Patient.id == people["Hal"]).values(archived=True))
        # Ann's last session ended late in the evening: the next day in UTC, not locally.
        late = clinic_calendar(s).at(dt.date(2026, 10, 6), dt.time(21, 30))
        s.execute(
            update(TreatmentSession)
            .where(TreatmentSession.patient_id == c.patient)
            .values(starts_at=late, ends_at=late + dt.timedelta(minutes=30))
        )
    return db


def test_every_page_together_is_the_list_checked_one_by_one(clinic: Database) -> None:
    with clinic.reading() as s:
        expected = _checked_one_by_one(s, TODAY)
        whole = boosters_due(s, today=TODAY)
        assert _as_checked(whole) == expected
        for limit in (1, 2, 3):
            assert _all_pages(s, TODAY, limit) == whole
    names = [d.patient_name.split()[0] for d in whole]
    assert names == ["Dee", "Ben", "Cai", "Esme", "Zoë"]
    zoe = whole[-1]
    assert (zoe.last_session_on, zoe.days_overdue) == (dt.date(2026, 10, 6), 13)


@pytest.mark.parametrize("today", [dt.date(2026, 11, 2), TODAY, dt.date(2027, 3, 20)])
def test_the_list_on_other_days_matches_too(clinic: Database, today: dt.date) -> None:
    with clinic.reading() as s:
        assert _as_checked(_all_pages(s, today, 2)) == _checked_one_by_one(s, today)
