"""Helpers that put patients, chairs, staff and closures into a test clinic.

Each takes the open database ``Session`` of a transaction and returns the new row
(flushed, with an id).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, roles_value
from scheduler.domain.enums import ChairKind, FindingSeverity, StaffRole
from scheduler.domain.patients import PatientDetails
from scheduler.domain.planning import SeriesProposal
from scheduler.services import accounts
from scheduler.services.booking import propose_series
from scheduler.services.patients import create_patient
from scheduler.store import Database
from scheduler.store.models import (
    Chair,
    Closure,
    Protocol,
    ScreeningFinding,
    Staff,
    Therapy,
)

_names = itertools.count(1)
FACTORY_ACTOR = Actor(None, "test factory", "Test Factory", frozenset(StaffRole))
# Before tests' NOW (2026-11-16), so rows made here never look like future data.
MADE_AT = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)
# The tests' fixed clock (tests.conftest.NOW): Monday 16 November 2026, 09:00 in New York.
CLINIC_NOW = dt.datetime(2026, 11, 16, 14, 0, tzinfo=dt.UTC)


def make_patient(
    db: Session,
    *,
    first_name: str = "Pat",
    last_name: str | None = None,
    cleared: bool = True,
    rems: bool = False,
    driver_name: str = "",
    now: dt.datetime = MADE_AT,
) -> int:
    """A patient, by default cleared after screening; returns the patient id."""
    details = PatientDetails(
        first_name=first_name,
        last_name=last_name or f"Tester{next(_names)}",
        date_of_birth=dt.date(1980, 5, 17),
        driver_name=driver_name,
    )
    patient = create_patient(db, details, actor=FACTORY_ACTOR, now=now, confirm_duplicate=True)
    if cleared:
        patient.screening_cleared_at = now
    if rems:
        patient.rems_enrolled = True
        patient.rems_enrolled_on = now.date()
    db.flush()
    return patient.id


def add_finding(
    db: Session,
    patient_id: int,
    kind: str = "uncontrolled_hypertension",
    *,
    severity: FindingSeverity = FindingSeverity.BLOCKING,
) -> ScreeningFinding:
    finding = ScreeningFinding(
        patient_id=patient_id, kind=kind, severity=severity, recorded_at=MADE_AT
    )
    db.add(finding)
    db.flush()
    return finding


def add_chairs(
    db: Session, count: int, *, kind: ChairKind = ChairKind.CHAIR, prefix: str | None = None
) -> list[int]:
    """``count`` active chairs (or rooms) named "Chair 1"...; returns their ids in order."""
    label = prefix or kind.value.replace("_", " ").capitalize()
    have = len(list(db.scalars(select(Chair.id))))
    ids = []
    for i in range(1, count + 1):
        chair = Chair(name=f"{label} {i}", kind=kind, sort_order=have + i)
        db.add(chair)
        db.flush()
        ids.append(chair.id)
    return ids


def add_staff(db: Session, name: str, role: StaffRole, *roles: StaffRole) -> int:
    staff = Staff(name=name, roles=roles_value({role, *roles}))
    db.add(staff)
    db.flush()
    return staff.id


def add_account(
    db: Session, name: str, sign_in: str, *roles: StaffRole, password: str = "correct horse"
) -> Actor:
    """A staff member who can sign in (password "correct horse"); returns them as the actor."""
    staff = accounts.add_account(
        db,
        accounts.NewAccount(name, sign_in, password, frozenset(roles)),
        actor_sign_in="test factory",
        now=MADE_AT,
    )
    db.flush()
    return accounts.actor_of(staff)


# A nurse with no account, for entries made by someone other than the test desk.
NURSE_AMY = Actor(None, "nurse amy", "Amy Lee", frozenset({StaffRole.NURSE}))


def actor_for(db: Session, staff_id: int) -> Actor:
    """A staff member (an account or not) as the one who acts or signs."""
    staff = db.get(Staff, staff_id)
    assert staff is not None
    return accounts.actor_of(staff)


def add_closure(db: Session, day: dt.date, reason: str = "Holiday") -> None:
    db.add(Closure(day=day, reason=reason))
    db.flush()


def protocol_id(db: Session, name: str) -> int:
    found = db.scalar(select(Protocol.id).where(Protocol.name == name))
    assert found is not None, f"no protocol {name!r}"
    return found


def therapy_id(db: Session, code: str) -> int:
    found = db.scalar(select(Therapy.id).where(Therapy.code == code))
    assert found is not None, f"no therapy {code!r}"
    return found


IV_INDUCTION = "IV ketamine induction"
IV_MAINTENANCE = "IV ketamine maintenance"
IV_SINGLE = "IV ketamine single infusion"
ESK_INDUCTION = "Esketamine induction (twice weekly)"
ESK_MAINTENANCE = "Esketamine maintenance"
NAD = "NAD+ infusion"
CONSULTATION = "Consultation"

WED = dt.date(2026, 11, 18)
TEN = dt.time(10)


@dataclass(frozen=True)
class Clinic:
    chairs: list[int]
    room: int
    nurses: list[int]
    clinician: int
    front_desk: int
    patient: int
    other_patient: int
    iv: int
    iv_single: int
    esketamine: int


def set_up_test_clinic(db: Database) -> Clinic:
    """Two chairs, a room, two nurses, a clinician, a front desk and two cleared patients."""
    with db.transaction() as s:
        return Clinic(
            chairs=add_chairs(s, 2),
            room=add_chairs(s, 1, kind=ChairKind.ROOM)[0],
            nurses=[add_staff(s, "Maria", StaffRole.NURSE), add_staff(s, "James", StaffRole.NURSE)],
            clinician=add_staff(s, "Dr Park", StaffRole.CLINICIAN),
            front_desk=add_staff(s, "Tom", StaffRole.FRONT_DESK),
            patient=make_patient(s, first_name="Zoë"),
            other_patient=make_patient(s, first_name="Ann"),
            iv=protocol_id(s, IV_INDUCTION),
            iv_single=protocol_id(s, IV_SINGLE),
            esketamine=protocol_id(s, ESK_INDUCTION),
        )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock time in the test clinic's zone (New York)."""
    return dt.datetime.combine(day, dt.time(hour, minute), ZoneInfo("America/New_York"))


def propose(s: Session, c: Clinic, **kwargs: object) -> SeriesProposal:
    """An IV induction proposal for the clinic's first patient, from Wed 18 Nov at 10:00."""
    args: dict[str, object] = {
        "patient_id": c.patient, "protocol_id": c.iv, "count": 6, "first_day": WED,
        "preferred_time": TEN, "now": CLINIC_NOW,
    }  # fmt: skip
    args.update(kwargs)
    return propose_series(s, **args)  # type: ignore[arg-type]
