"""A believable demo clinic, for trying the desk, training staff and stable screenshots.

Everything is derived from a fixed seed and the given ``today``: the same day gives the same
clinic, byte for byte. Patients are created through the patient service and treatment courses
through the booking services, so the demo obeys every rule a real clinic does.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from dateutil.relativedelta import TH, relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.domain.access import set_up_actor
from scheduler.domain.enums import ChairKind, FindingSeverity, StaffRole
from scheduler.domain.patients import PatientDetails
from scheduler.domain.screening import FINDING_KINDS
from scheduler.errors import ServiceError
from scheduler.services import audit
from scheduler.services.accounts import NewAccount, add_account, sign_in_taken
from scheduler.services.clinic import get_settings, is_set_up, set_up_clinic
from scheduler.services.demo_courses import book_demo_courses
from scheduler.services.demo_waitlist import add_demo_waitlist
from scheduler.services.patients import create_patient
from scheduler.store.models import (
    Chair,
    Closure,
    Patient,
    ScreeningFinding,
    Staff,
    TreatmentSession,
)

SEED = 20261121
CLINIC_NAME = "Riverside Ketamine & Infusion Center"
CLINIC_TIMEZONE = "America/New_York"
PATIENT_COUNT = 60
# The demo's courses run from two months before its day to six weeks after.
DEMO_PAST = dt.timedelta(days=62)
DEMO_AHEAD = dt.timedelta(days=60)

CHAIRS = (
    ("Chair 1", ChairKind.CHAIR),
    ("Chair 2", ChairKind.CHAIR),
    ("Chair 3", ChairKind.CHAIR),
    ("Chair 4", ChairKind.CHAIR),
    ("Spravato room", ChairKind.ROOM),
    ("Procedure room", ChairKind.PROCEDURE_ROOM),
    ("Consult office", ChairKind.OFFICE),
)
# Staff listed without an account (nurses to assign to home visits).
STAFF = (
    ("James Okafor, RN", StaffRole.NURSE),
    ("Priya Raman, RN", StaffRole.NURSE),
)


@dataclass(frozen=True)
class DemoAccount:
    """One demo staff account; the README and the sign-in screen print them."""

    name: str
    sign_in: str
    password: str
    role: StaffRole


# One account per role. The passwords are public: the demo clinic is for trying the desk.
DEMO_ACCOUNTS = (
    DemoAccount("Tom Becker", "tom", "demo-frontdesk", StaffRole.FRONT_DESK),
    DemoAccount("Maria Santos, RN", "maria", "demo-nurse", StaffRole.NURSE),
    DemoAccount("Dr. Helen Park", "helen", "demo-clinician", StaffRole.CLINICIAN),
    DemoAccount("Alex Morgan", "alex", "demo-admin", StaffRole.ADMINISTRATOR),
)
# Who builds the demo in the audit trail: the set-up, before anyone has signed in.
DEMO_BUILDER = "demo set-up"

# Names a real clinic meets: accents, apostrophes, hyphens and non-Latin scripts.
NAMED_PATIENTS = (
    ("Zoë", "Łukasiewicz-Núñez", ""),
    ("An", "Nguyễn", ""),
    ("Seán", "O'Brien", "Sean"),
    ("Anne-Marie", "Dubois-Lefèvre", ""),
    ("花子", "山田", "Hanako"),
    ("Мария", "Иванова", "Masha"),
    ("Σοφία", "Παπαδοπούλου", "Sofia"),
    ("José", "Martínez", ""),
    ("Björn", "Åkesson", ""),
    ("Siobhán", "D'Arcy", ""),
    ("Chloé", "Müller", ""),
    ("François", "Côté", ""),
)
# fmt: off
FIRST_NAMES = (
    "James", "Olivia", "Michael", "Emma", "Robert", "Ava", "David", "Sophia", "William",
    "Isabella", "Daniel", "Mia", "Joseph", "Charlotte", "Thomas", "Amelia", "Christopher",
    "Harper", "Matthew", "Evelyn", "Anthony", "Abigail", "Mark", "Emily", "Steven", "Grace",
    "Andrew", "Lily", "Joshua", "Hannah", "Kevin", "Nora", "Brian", "Leah", "Aaron", "Maya",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson",
    "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White",
    "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Hill", "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts",
)
STREETS = (
    "Maple Street", "Harbor Avenue", "Congress Street", "Forest Avenue", "Pine Street",
    "Brackett Street", "Ocean Avenue", "Elm Street", "Washington Avenue", "Park Avenue",
)
TOWNS = (
    ("Portland", "ME", "04101"), ("South Portland", "ME", "04106"), ("Falmouth", "ME", "04105"),
    ("Westbrook", "ME", "04092"), ("Scarborough", "ME", "04074"), ("Cape Elizabeth", "ME", "04107"),
)
REFERRERS = ("Dr. Alan Reyes (psychiatry)", "Dr. Susan Cho (primary care)", "Self-referred",
             "Dr. Mark Feldman (pain clinic)", "Casco Bay Counseling")
INDICATIONS = ("Treatment-resistant depression", "PTSD", "Chronic pain (fibromyalgia)",
               "Generalized anxiety", "Postpartum depression", "Bipolar depression",
               "Obsessive-compulsive disorder")
DRIVER_FIRST = ("Sam", "Alex", "Jordan", "Chris", "Pat", "Robin", "Taylor", "Jamie")
# fmt: on


@dataclass(frozen=True)
class DemoSummary:
    clinic_name: str
    patients: int
    sessions: int


def build_demo_clinic(db: Session, *, today: dt.date, now: dt.datetime) -> DemoSummary:
    """Fill a new database with the demo clinic. Refuses a database that already has patients.

    Needs nobody signed in: it builds the staff accounts (``DEMO_ACCOUNTS``) that sign in
    afterwards. Its writes are audited as the demo set-up.
    """
    actor = DEMO_BUILDER
    existing = db.scalar(select(func.count(Patient.id))) or 0
    if existing:
        raise ServiceError(
            f"This database already has {existing} patients; the demo clinic is only "
            "built into a new database, so nothing was changed."
        )
    rng = random.Random(SEED)
    if not is_set_up(db):
        set_up_clinic(
            db,
            name=CLINIC_NAME,
            timezone=CLINIC_TIMEZONE,
            address="1200 Harbor Avenue, Suite 300\nPortland, ME 04101",
            phone="(207) 555-0142",
            email="desk@riverside-infusion.example",
            actor=actor,
            now=now,
        )
        # Aftercare letters print it beside the crisis line.
        get_settings(db).after_hours_phone = "(207) 555-0199"
    _add_places_and_people(db, actor=actor, now=now)
    _add_closures(db, today=today, actor=actor, now=now)
    patients = _add_patients(db, rng, today=today, actor=actor, now=now)
    book_demo_courses(db, patients=patients, today=today, actor=set_up_actor(actor), rng=rng)
    add_demo_waitlist(db, patients, today=today, actor=set_up_actor(actor), now=now)
    sessions = db.scalar(select(func.count(TreatmentSession.id))) or 0
    return DemoSummary(CLINIC_NAME, len(patients), sessions)


def _add_places_and_people(db: Session, *, actor: str, now: dt.datetime) -> None:
    have = set(db.scalars(select(Chair.name)))
    for order, (name, kind) in enumerate(CHAIRS):
        if name not in have:
            chair = Chair(name=name, kind=kind, active=True, sort_order=order)
            db.add(chair)
            audit.record(db, actor=actor, now=now, action="chair.create", row=chair, before=None)
    for account in DEMO_ACCOUNTS:
        if not sign_in_taken(db, account.sign_in, None):
            new = NewAccount(
                account.name, account.sign_in, account.password, frozenset({account.role})
            )
            add_account(db, new, actor_sign_in=actor, now=now)
    for name, role in STAFF:
        member = Staff(name=name, roles=role.value, active=True)
        db.add(member)
        audit.record(db, actor=actor, now=now, action="staff.create", row=member, before=None)


def _add_closures(db: Session, *, today: dt.date, actor: str, now: dt.datetime) -> None:
    # A training day on the Thursday after next: inside the booked weeks, so series skip it.
    training = today + relativedelta(days=+8, weekday=TH)
    past = today - relativedelta(days=+30, weekday=TH(-1))
    closures = {past: "Building maintenance", training: "Staff training day"}
    first, last = today - DEMO_PAST, today + DEMO_AHEAD
    for year in range(first.year, last.year + 1):
        holidays = {
            dt.date(year, 1, 1): "New Year's Day",
            dt.date(year, 7, 4): "Independence Day",
            dt.date(year, 11, 1) + relativedelta(weekday=TH(+4)): "Thanksgiving",
            dt.date(year, 12, 25): "Christmas Day",
        }
        closures.update({d: r for d, r in holidays.items() if first <= d <= last})
    for day, reason in sorted(closures.items()):
        closure = Closure(day=day, reason=reason)
        db.add(closure)
        audit.record(db, actor=actor, now=now, action="closure.create", row=closure, before=None)


def _add_patients(
    db: Session, rng: random.Random, *, today: dt.date, actor: str, now: dt.datetime
) -> list[Patient]:
    clinician = db.scalar(select(Staff).where(Staff.holding(StaffRole.CLINICIAN)))
    names = list(NAMED_PATIENTS)
    while len(names) < PATIENT_COUNT:
        pair = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), "")
        if pair not in names:
            names.append(pair)
    patients = []
    for index, (first, last, preferred) in enumerate(names):
        details = _details(rng, first, last, preferred, today, index)
        patient = create_patient(db, details, actor=set_up_actor(actor), now=now)
        _screen(db, rng, patient, index, clinician, now=now, actor=actor)
        patients.append(patient)
    return patients


def _details(
    rng: random.Random, first: str, last: str, preferred: str, today: dt.date, index: int
) -> PatientDetails:
    town, region, postal = rng.choice(TOWNS)
    born = today - relativedelta(years=rng.randint(19, 78), days=rng.randint(0, 364))
    has_driver = rng.random() < 0.8
    # Drawn in the order they always were, so the same day still gives the same clinic.
    mobile = f"(207) 555-{rng.randint(0, 9999):04d}"
    email = f"patient{rng.randint(100, 999)}@mail.example" if rng.random() < 0.85 else ""
    return PatientDetails(
        first_name=first,
        last_name=last,
        preferred_name=preferred,
        date_of_birth=born,
        mobile_phone=mobile,
        email=email,
        # Two in three patients with an address agreed to email (no draw: nothing else moves).
        email_consent=bool(email) and index % 3 != 2,
        street=f"{rng.randint(1, 399)} {rng.choice(STREETS)}" if rng.random() < 0.95 else "",
        city=town,
        region=region,
        postal_code=postal,
        driver_name=f"{rng.choice(DRIVER_FIRST)} {last}" if has_driver else "",
        driver_phone=f"(207) 555-{rng.randint(0, 9999):04d}" if has_driver else "",
        referring_provider=rng.choice(REFERRERS),
        indications=rng.choice(INDICATIONS),
    )


def _screen(
    db: Session,
    rng: random.Random,
    patient: Patient,
    index: int,
    clinician: Staff | None,
    *,
    now: dt.datetime,
    actor: str,
) -> None:
    """Most patients are screened and cleared; a few wait on a blocking finding; some cautions."""
    before = audit.snapshot(patient)
    screened_at = now - dt.timedelta(days=rng.randint(70, 120))
    if index % 11 == 7:
        _finding(db, patient, "uncontrolled_hypertension", "BP 172/104 at consultation", now, actor)
    else:
        patient.screening_cleared_at = screened_at
        patient.screening_cleared_by_id = clinician.id if clinician else None
    if index % 4 == 1:
        patient.rems_enrolled = True
        patient.rems_enrolled_on = screened_at.date()
    if index % 5 == 2:
        _finding(db, patient, "benzodiazepines", "Lorazepam 0.5 mg at night", screened_at, actor)
    if index % 13 == 4:
        _finding(
            db, patient, "heart_disease", "Stable angina, cardiology aware", screened_at, actor
        )
    audit.record(db, actor=actor, now=now, action="patient.screening", row=patient, before=before)


def _finding(
    db: Session, patient: Patient, kind: str, detail: str, at: dt.datetime, actor: str
) -> ScreeningFinding:
    severity: FindingSeverity = FINDING_KINDS[kind].severity
    finding = ScreeningFinding(
        patient_id=patient.id, kind=kind, severity=severity, detail=detail, recorded_at=at
    )
    db.add(finding)
    audit.record(db, actor=actor, now=at, action="screening.record", row=finding, before=None)
    return finding
