"""A small clinic with known numbers for the report tests: two chairs, a few weeks of sessions.

Mon–Fri 9 AM–5 PM (480 minutes a day), closed Thu Nov 19, 2026 for a holiday. In the week
of Mon Nov 16: Chair 1 holds 105 + 90 = 195 booked minutes (a no-show and a late
cancellation beside them hold nothing), Chair 2 holds 150; open minutes are 4 × 480 = 1920.
In the week of Mon Nov 23: Chair 1 holds 105 of 2400. November has one no-show and one late
cancellation (and one cancelled in good time). An IV induction started in October and
finished in November; another started in November. One letter was printed on Nov 17. Two
patients had a single IV infusion (boosters every 28 days) and nothing booked since: Uma's on
Oct 5 (due Nov 2: overdue), Otto's on Oct 19 (due Nov 16, today).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from scheduler.domain.enums import LetterKind, Place, SeriesStatus, SessionStatus
from scheduler.store import Database
from scheduler.store.models import (
    Letter,
    LetterEmail,
    OpeningHours,
    Series,
    TreatmentSession,
)
from tests.factories import (
    IV_INDUCTION,
    IV_SINGLE,
    MADE_AT,
    add_chairs,
    add_closure,
    at,
    make_patient,
    protocol_id,
    therapy_id,
)

FIRST = dt.date(2026, 10, 1)
LAST = dt.date(2026, 11, 29)
TODAY = dt.date(2026, 11, 16)


@dataclass(frozen=True)
class KnownClinic:
    chairs: list[int]


def build_known_clinic(database: Database) -> KnownClinic:
    """The clinic the module docstring describes."""
    with database.transaction() as s:
        s.execute(delete(OpeningHours))
        for weekday in range(5):
            s.add(OpeningHours(weekday=weekday, opens=dt.time(9), closes=dt.time(17)))
        add_closure(s, dt.date(2026, 11, 19), "Holiday")
        chairs = add_chairs(s, 2)
        patient = make_patient(s, first_name="Rhea")
        visit = _Visits(s, patient, therapy_id(s, "iv_ketamine"))
        nov16, nov17, nov18 = dt.date(2026, 11, 16), dt.date(2026, 11, 17), dt.date(2026, 11, 18)
        visit.add(chairs[0], at(nov16, 10), (60, 30, 15), SessionStatus.COMPLETED)
        visit.add(chairs[0], at(nov17, 10), (45, 30, 15), SessionStatus.BOOKED)
        visit.add(chairs[0], at(nov18, 10), (60, 30, 15), SessionStatus.NO_SHOW)
        visit.add(chairs[0], at(nov18, 13), (60, 30, 15), SessionStatus.CANCELLED, late=True)
        visit.add(chairs[1], at(nov18, 13), (60, 30, 15), SessionStatus.CANCELLED)
        visit.add(chairs[1], at(nov16, 12), (120, 0, 30), SessionStatus.CONFIRMED)
        visit.add(chairs[0], at(dt.date(2026, 11, 23), 9), (60, 30, 15), SessionStatus.BOOKED)
        # Outside the range: the Sunday before it starts is not in it, the day after it ends.
        visit.add(chairs[0], at(dt.date(2026, 9, 30), 10), (60, 30, 15), SessionStatus.COMPLETED)
        visit.add(chairs[0], at(dt.date(2026, 11, 30), 10), (60, 30, 15), SessionStatus.BOOKED)
        induction = protocol_id(s, IV_INDUCTION)
        finished = visit.course(induction, SeriesStatus.COMPLETED)
        for day in (dt.date(2026, 10, 5), dt.date(2026, 10, 7), dt.date(2026, 11, 2)):
            visit.add(None, at(day, 10), (45, 60, 0), SessionStatus.COMPLETED, series=finished)
        started = visit.course(induction, SeriesStatus.ACTIVE)
        visit.add(None, at(nov17, 15), (45, 60, 0), SessionStatus.COMPLETED, series=started)
        visit.add(None, at(nov18, 15), (45, 60, 0), SessionStatus.BOOKED, series=started)
        single = protocol_id(s, IV_SINGLE)
        for name, day in (("Uma", dt.date(2026, 10, 5)), ("Otto", dt.date(2026, 10, 19))):
            once = _Visits(s, make_patient(s, first_name=name), visit.therapy)
            course = once.course(single, SeriesStatus.COMPLETED, planned=1)
            once.add(None, at(day, 10), (45, 60, 0), SessionStatus.COMPLETED, series=course)
        s.add(
            Letter(
                kind=LetterKind.PREP,
                patient_id=patient,
                generated_at=at(nov17, 16),
                generated_by="test",
            )
        )
        # Emailed on the 18th; the attempt on the 19th failed, so it sent nothing.
        for day, sent in ((nov18, True), (dt.date(2026, 11, 19), False)):
            s.add(
                LetterEmail(
                    kind=LetterKind.PREP, patient_id=patient, session_id=None, sent=sent,
                    reason="" if sent else "the server refused the address",
                    at=at(day, 16), actor="test",
                )
            )  # fmt: skip
    return KnownClinic(chairs)


@dataclass
class _Visits:
    s: Session
    patient: int
    therapy: int

    def course(self, protocol: int, status: SeriesStatus, *, planned: int = 6) -> int:
        series = Series(
            patient_id=self.patient,
            protocol_id=protocol,
            status=status,
            planned_count=planned,
            created_at=MADE_AT,
        )
        self.s.add(series)
        self.s.flush()
        return series.id

    def add(
        self,
        chair: int | None,
        starts: dt.datetime,
        minutes: tuple[int, int, int],
        status: SessionStatus,
        *,
        late: bool = False,
        series: int | None = None,
    ) -> None:
        treatment, observation, buffer = minutes
        self.s.add(
            TreatmentSession(
                patient_id=self.patient,
                series_id=series,
                therapy_id=self.therapy,
                place=Place.CHAIR if chair is not None else Place.HOME,
                chair_id=chair,
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=treatment + observation),
                treatment_minutes=treatment,
                observation_minutes=observation,
                buffer_minutes=buffer,
                status=status,
                status_changed_at=MADE_AT,
                late_cancellation=late,
                created_at=MADE_AT,
            )
        )
        self.s.flush()
