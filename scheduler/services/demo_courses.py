"""The demo clinic's treatment courses, booked through the booking services.

Courses run from about two months before ``today`` to six weeks after. Past sessions are
booked as the desk would have booked them (with an earlier ``now``), then checked in,
completed, missed or cancelled at the time that would have happened, so the demo shows every
state and obeys every rule. Everything follows from ``rng``: the same seed and day give the
same calendar.
"""

from __future__ import annotations

import datetime as dt
import random
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor
from scheduler.domain.enums import Phase, Place, SessionStatus, StaffRole
from scheduler.domain.escort import Escort
from scheduler.errors import ServiceError
from scheduler.services import session_life as life
from scheduler.services.accounts import actor_of
from scheduler.services.booking import Override, book_series, book_single, propose_series
from scheduler.services.maintenance import plan_maintenance
from scheduler.services.schedule import clinic_calendar
from scheduler.store.models import Patient, Protocol, Series, Staff, TreatmentSession

TIMES = (dt.time(9), dt.time(10), dt.time(11), dt.time(13), dt.time(14), dt.time(15))
# Before opening: today's sessions are all still ahead when the demo opens.
DEMO_CLOCK = dt.time(7)
# Why a demo patient without a driver on file went home all the same.
RIDE_SERVICE = "Stayed until collected by a ride service"

IV_INDUCTION = "IV ketamine induction"
IV_MAINTENANCE = "IV ketamine maintenance"
IV_SINGLE = "IV ketamine single infusion"
ESK_INDUCTION = "Esketamine induction (twice weekly)"
ESK_MAINTENANCE = "Esketamine maintenance"


class Story(StrEnum):
    """Where a demo patient is in their treatment."""

    DONE_THEN_MAINTENANCE = "done_then_maintenance"
    DONE_BOOSTER_DUE = "done_booster_due"
    IN_PROGRESS = "in_progress"
    STARTING_SOON = "starting_soon"
    STOPPED = "stopped"
    SINGLE = "single"


# What a cleared patient without REMS enrolment is doing, and how likely each story is.
IV_STORIES = (
    (Story.DONE_THEN_MAINTENANCE, 3),
    (Story.DONE_BOOSTER_DUE, 2),
    (Story.IN_PROGRESS, 4),
    (Story.STARTING_SOON, 4),
    (Story.STOPPED, 1),
    (Story.SINGLE, 3),
)
ESK_STORIES = ((Story.DONE_THEN_MAINTENANCE, 1), (Story.IN_PROGRESS, 2), (Story.STARTING_SOON, 1))


class _DemoDesk:
    """A front desk replaying two months of bookings, one patient at a time."""

    def __init__(self, db: Session, today: dt.date, actor: Actor, rng: random.Random) -> None:
        self.db, self.today, self.actor, self.rng = db, today, actor, rng
        self.calendar = clinic_calendar(db)
        self.now = self.calendar.at(today, DEMO_CLOCK)
        self.protocols = {p.name: p.id for p in db.scalars(select(Protocol))}
        clinician = db.scalar(
            select(Staff).where(Staff.holding(StaffRole.CLINICIAN)).order_by(Staff.id)
        )
        # The demo's overrides are signed by its clinician, at the front desk's workstation.
        self.clinician = actor_of(clinician) if clinician is not None else None
        self.overrides = 0

    def day(self, offset: int) -> dt.date:
        return self.today + dt.timedelta(days=offset)

    def booked_at(self, first_day: dt.date) -> dt.datetime:
        """When the desk booked a course starting on ``first_day``: a few days before."""
        moment = self.calendar.at(first_day - dt.timedelta(days=3), dt.time(11))
        return min(moment, self.now)

    def course(
        self,
        patient: Patient,
        protocol: str,
        *,
        count: int,
        first_day: dt.date,
        place: Place | None = None,
        override: str = "",
    ) -> Series | None:
        when = self.booked_at(first_day)
        try:
            proposal = propose_series(
                self.db, patient_id=patient.id, protocol_id=self.protocols[protocol],
                count=count, first_day=first_day, preferred_time=self.rng.choice(TIMES),
                place=place, now=when,
            )  # fmt: skip
            if not proposal.complete:
                return None
            return book_series(
                self.db, proposal, actor=self.actor, now=when,
                override=Override(override, self.clinician) if override else None,
            )  # fmt: skip
        except ServiceError:
            return None  # a full week: this patient's story is told without this course

    def maintenance(self, patient: Patient, protocol: str, *, first_day: dt.date, weeks: int,
                    count: int) -> Series | None:  # fmt: skip
        when = self.booked_at(first_day)
        try:
            proposal = plan_maintenance(
                self.db, patient_id=patient.id, protocol_id=self.protocols[protocol],
                first_day=first_day, preferred_time=self.rng.choice(TIMES), every_weeks=weeks,
                count=count, now=when,
            )  # fmt: skip
            if not proposal.complete:
                return None
            return book_series(self.db, proposal, actor=self.actor, now=when)
        except ServiceError:
            return None

    def single(self, patient: Patient, protocol: str, *, offset: int,
               place: Place | None = None) -> TreatmentSession | None:  # fmt: skip
        day = self.day(offset)
        for time in self.rng.sample(TIMES, len(TIMES)):
            when = self.booked_at(day)
            try:
                return book_single(
                    self.db, patient_id=patient.id, protocol_id=self.protocols[protocol],
                    starts_at=self.calendar.at(day, time), chair_id=None, place=place,
                    actor=self.actor, now=when,
                )  # fmt: skip
            except ServiceError:
                continue
        return None

    def live(self, series: Series | None, *, until: dt.datetime | None = None) -> None:
        """Let the course's past sessions happen: mostly completed, a few missed or cancelled."""
        if series is None:
            return
        until = until or self.now
        while True:
            self.db.flush()
            self.db.refresh(series, ["sessions"])
            pending = [
                s for s in sorted(series.sessions, key=lambda s: (s.starts_at, s.id))
                if s.status in (SessionStatus.BOOKED, SessionStatus.CONFIRMED)
                and s.starts_at < until
            ]  # fmt: skip
            if not pending:
                break
            self.happen(series, pending[0])
        self.confirm_upcoming(series)

    def happen(self, series: Series, session: TreatmentSession) -> None:
        start, end = session.starts_at, session.ends_at
        roll = self.rng.random()
        if roll < 0.06:
            life.mark_no_show(self.db, session.id, actor=self.actor,
                              now=start + dt.timedelta(minutes=30))  # fmt: skip
            self.make_up(series, session, start + dt.timedelta(hours=2))
        elif roll < 0.12:
            hours = self.rng.choice((3, 20, 50, 70))
            cancelled_at = max(start - dt.timedelta(hours=hours), session.created_at)
            reason = self.rng.choice(("Unwell (cold)", "Driver not available", "Work trip"))
            life.cancel(self.db, session.id, reason=reason, actor=self.actor, now=cancelled_at)
            self.make_up(series, session, cancelled_at + dt.timedelta(minutes=5))
        else:
            life.confirm(self.db, session.id, actor=self.actor,
                         now=max(session.created_at, start - dt.timedelta(days=1)))  # fmt: skip
            patient = session.patient
            # Most arrive with their driver on file; the rest stay for a ride service.
            escort = (
                Escort(patient.driver_name, patient.driver_phone) if patient.driver_name else None
            )
            life.check_in(self.db, session.id, actor=self.actor,
                          now=start - dt.timedelta(minutes=10), escort=escort)  # fmt: skip
            life.complete(self.db, session.id, actor=self.actor, now=end,
                          no_escort_reason="" if escort else RIDE_SERVICE)  # fmt: skip

    def make_up(self, series: Series, missed: TreatmentSession, when: dt.datetime) -> None:
        if series.protocol.phase is not Phase.INDUCTION:
            return
        try:
            row = life.propose_makeup(self.db, missed.id, now=when)
            if row.starts_at is not None:
                life.book_makeup(self.db, missed.id, starts_at=row.starts_at,
                                 chair_id=row.chair_id, actor=self.actor, now=when)  # fmt: skip
        except ServiceError:
            return  # no room within the protocol: the desk will talk to the clinician

    def confirm_upcoming(self, series: Series) -> None:
        """Sessions in the next two days are mostly confirmed by phone already."""
        soon = self.now + dt.timedelta(days=2)
        for session in series.sessions:
            upcoming = self.now < session.starts_at < soon
            if session.status is SessionStatus.BOOKED and upcoming and self.rng.random() < 0.7:
                life.confirm(self.db, session.id, actor=self.actor, now=self.now)

    # Stories -------------------------------------------------------------------------------

    def iv_story(self, patient: Patient, story: Story) -> None:
        count = self.rng.choice((6, 6, 6, 7, 8))
        if story is Story.DONE_THEN_MAINTENANCE:
            induction = self.course(patient, IV_INDUCTION, count=count,
                                    first_day=self.day(-self.rng.randint(55, 62)))  # fmt: skip
            self.live(induction)
            maintenance = self.maintenance(
                patient, IV_MAINTENANCE, first_day=self.day(-self.rng.randint(10, 24)), weeks=4,
                count=3,
            )  # fmt: skip
            self.live(maintenance)
        elif story is Story.DONE_BOOSTER_DUE:
            self.live(self.course(patient, IV_INDUCTION, count=count,
                                  first_day=self.day(-self.rng.randint(56, 62))))  # fmt: skip
        elif story is Story.IN_PROGRESS:
            self.live(self.course(patient, IV_INDUCTION, count=count,
                                  first_day=self.day(-self.rng.randint(2, 12))))  # fmt: skip
        elif story is Story.STARTING_SOON:
            self.live(self.course(patient, IV_INDUCTION, count=count,
                                  first_day=self.day(self.rng.randint(0, 25))))  # fmt: skip
        elif story is Story.STOPPED:
            series = self.course(patient, IV_INDUCTION, count=6,
                                 first_day=self.day(-self.rng.randint(30, 40)))  # fmt: skip
            if series is None:
                return
            third = sorted(series.sessions, key=lambda s: s.starts_at)[2].starts_at
            stop = third - dt.timedelta(days=1)
            self.live(series, until=stop)
            life.cancel_series(self.db, series.id, reason="Patient chose to stop treatment",
                               actor=self.actor, now=stop)  # fmt: skip
        else:
            self.single_story(patient)

    def single_story(self, patient: Patient) -> None:
        kind = self.rng.choice(("nad", "sgb", "iv_home", "iv_single", "follow_up"))
        offset = self.rng.randint(-50, 40)
        if kind == "nad":
            session = self.single(patient, "NAD+ infusion", offset=offset)
        elif kind == "sgb":
            session = self.single(patient, "Stellate ganglion block", offset=offset)
        elif kind == "iv_home":
            session = self.single(patient, IV_SINGLE, offset=offset, place=Place.HOME)
        elif kind == "iv_single":
            session = self.single(patient, IV_SINGLE, offset=offset)
        else:
            place = self.rng.choice((Place.OFFICE, Place.VIDEO))
            session = self.single(patient, "Follow-up visit", offset=offset, place=place)
        if session is not None:
            self.live(session.series)

    def esketamine_story(self, patient: Patient, story: Story) -> None:
        if story is Story.DONE_THEN_MAINTENANCE:
            self.live(self.course(patient, ESK_INDUCTION, count=8,
                                  first_day=self.day(-self.rng.randint(58, 62))))  # fmt: skip
            self.live(self.maintenance(patient, ESK_MAINTENANCE,
                                       first_day=self.day(-self.rng.randint(20, 28)), weeks=2,
                                       count=4))  # fmt: skip
        elif story is Story.IN_PROGRESS:
            self.live(self.course(patient, ESK_INDUCTION, count=8,
                                  first_day=self.day(-self.rng.randint(3, 14))))  # fmt: skip
        else:
            self.live(self.course(patient, ESK_INDUCTION, count=8,
                                  first_day=self.day(self.rng.randint(1, 20))))  # fmt: skip

    def not_cleared_story(self, patient: Patient) -> None:
        """Waiting on screening: a consultation; once, a clinician's override to start anyway."""
        if self.clinician is not None and self.overrides == 0:
            self.overrides += 1
            series = self.course(
                patient, IV_INDUCTION, count=6, first_day=self.day(self.rng.randint(5, 10)),
                override="Blood pressure controlled on new medication (128/84 on recheck); "
                "benefit outweighs risk. Monitor BP before and during each infusion.",
            )  # fmt: skip
            self.live(series)
            return
        place = self.rng.choice((Place.OFFICE, Place.VIDEO))
        session = self.single(patient, "Consultation", offset=self.rng.randint(0, 10), place=place)
        if session is not None:
            self.live(session.series)


def _weighted(rng: random.Random, stories: tuple[tuple[Story, int], ...]) -> Story:
    names = [name for name, _ in stories]
    return rng.choices(names, weights=[weight for _, weight in stories])[0]


def book_demo_courses(
    db: Session,
    *,
    patients: list[Patient],
    today: dt.date,
    actor: Actor,
    rng: random.Random,
) -> None:
    """Book believable series for the demo patients, from two months ago to six weeks ahead.

    Inductions done, under way and about to start; maintenance plans; patients due a booster;
    a stopped course; single sessions (NAD+, SGB, a home visit, follow-ups); esketamine for the
    patients enrolled in REMS; consultations for those still waiting on screening, one with a
    clinician's override. Every booking goes through the booking services.
    """
    desk = _DemoDesk(db, today, actor, rng)
    for patient in patients:
        if patient.screening_cleared_at is None:
            desk.not_cleared_story(patient)
        elif patient.rems_enrolled:
            desk.esketamine_story(patient, _weighted(rng, ESK_STORIES))
        else:
            desk.iv_story(patient, _weighted(rng, IV_STORIES))
    db.flush()
