"""The demo clinic's waitlist: a few patients waiting, so the Waitlist screen has something
to show and a cancelled chair has someone to offer it to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor
from scheduler.services.waitlist import WaitlistTerms, add_entry
from scheduler.store.models import Chair, Patient, Protocol


@dataclass(frozen=True)
class DemoWait:
    """One demo entry: which patient (by their place in the demo's list), for what, on what
    terms, and how many days ago they were put on the list."""

    patient: int
    protocol: str
    days_ago: int
    weekdays: tuple[int, ...] = ()
    earliest_start: dt.time | None = None
    latest_start: dt.time | None = None
    chairs: tuple[str, ...] = ()
    starts_in_days: int | None = None
    notice_hours: int = 0
    note: str = ""


DEMO_WAITLIST = (
    # Patient 51 is one of the demo's few still waiting on a clinician (a blocking finding):
    # listed, but below those who could be booked, with the reason.
    DemoWait(51, "IV ketamine induction", 30, weekdays=(1, 3),
             note="Waiting on the blood pressure review"),
    DemoWait(20, "IV ketamine induction", 21, weekdays=(0, 2, 4), earliest_start=dt.time(9),
             latest_start=dt.time(12), notice_hours=24,
             note="New referral: first induction as soon as a morning frees up"),
    DemoWait(45, "Esketamine maintenance", 12, weekdays=(1, 4), chairs=("Spravato room",)),
    DemoWait(30, "IV ketamine single infusion", 9, earliest_start=dt.time(13),
             chairs=("Chair 1", "Chair 2"), notice_hours=2,
             note="Can come at short notice; call her mobile"),
    DemoWait(41, "NAD+ infusion", 4, latest_start=dt.time(11), starts_in_days=3),
)  # fmt: skip


def add_demo_waitlist(
    db: Session, patients: Sequence[Patient], *, today: dt.date, actor: Actor, now: dt.datetime
) -> int:
    """Put the demo's waiting patients on the list; how many."""
    protocols = {p.name: p.id for p in db.scalars(select(Protocol))}
    chairs = {c.name: c.id for c in db.scalars(select(Chair))}
    for wait in DEMO_WAITLIST:
        terms = WaitlistTerms(
            patient_id=patients[wait.patient].id,
            protocol_id=protocols[wait.protocol],
            weekdays=wait.weekdays,
            earliest_start=wait.earliest_start,
            latest_start=wait.latest_start,
            chair_ids=tuple(chairs[name] for name in wait.chairs),
            earliest_day=(
                today + dt.timedelta(days=wait.starts_in_days)
                if wait.starts_in_days is not None
                else None
            ),
            notice_hours=wait.notice_hours,
            note=wait.note,
        )
        add_entry(db, terms, actor=actor, now=now - dt.timedelta(days=wait.days_ago))
    return len(DEMO_WAITLIST)
