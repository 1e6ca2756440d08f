"""Building patients, series and sessions straight through the ORM, for the letter tests.

Sessions are given explicit local start times in the clinic's zone; the factory does the
conversion to UTC the way the booking engine stores them.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.cli import main
from scheduler.domain.access import Actor
from scheduler.domain.enums import (
    FindingSeverity,
    FindingStatus,
    Phase,
    Place,
    SessionStatus,
    StaffRole,
)
from scheduler.domain.letters import LetterRenderer, TemplateSet
from scheduler.domain.text import name_key
from scheduler.store import Database
from scheduler.store.models import (
    Chair,
    Patient,
    Protocol,
    ScreeningFinding,
    Series,
    SessionStatusChange,
    Therapy,
    TreatmentSession,
)
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import add_account


class LetterKit(TypedDict):
    """The keyword arguments every letters service call in the tests shares."""

    templates: TemplateSet
    renderer: LetterRenderer
    actor: Actor
    now: dt.datetime


ZONE = ZoneInfo(CLINIC_TZ)
FIRST_CHART = 200001


@dataclass
class PatientSpec:
    first_name: str = "Ada"
    last_name: str = "Moreau"
    preferred_name: str = ""
    street: str = "12 Elm Street"
    city: str = "Springfield"
    region: str = "MA"
    postal_code: str = "01103"
    driver_name: str = ""
    driver_phone: str = ""
    cautions: tuple[str, ...] = ()
    cleared_cautions: tuple[str, ...] = ()


def add_patient(db: Session, spec: PatientSpec | None = None) -> Patient:
    spec = spec or PatientSpec()
    patient = Patient(
        chart_number=str(FIRST_CHART + (db.scalar(select(func.count(Patient.id))) or 0)),
        first_name=spec.first_name,
        last_name=spec.last_name,
        preferred_name=spec.preferred_name,
        date_of_birth=dt.date(1980, 5, 17),
        street=spec.street,
        city=spec.city,
        region=spec.region,
        postal_code=spec.postal_code,
        driver_name=spec.driver_name,
        driver_phone=spec.driver_phone,
        name_key=name_key(spec.last_name, spec.first_name, spec.preferred_name),
        created_at=NOW,
        updated_at=NOW,
    )
    db.add(patient)
    db.flush()
    for kind, status in [
        *((k, FindingStatus.OPEN) for k in spec.cautions),
        *((k, FindingStatus.CLEARED) for k in spec.cleared_cautions),
    ]:
        db.add(
            ScreeningFinding(
                patient_id=patient.id,
                kind=kind,
                severity=FindingSeverity.CAUTION,
                status=status.value,
                recorded_at=NOW,
            )
        )
    db.flush()
    return patient


def therapy(db: Session, code: str) -> Therapy:
    return db.scalars(select(Therapy).where(Therapy.code == code)).one()


def chair(db: Session) -> Chair:
    found = db.scalars(select(Chair).limit(1)).first()
    if found is None:
        found = Chair(name="Chair 1")
        db.add(found)
        db.flush()
    return found


def local_time(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE)


def add_series(
    db: Session,
    patient: Patient,
    code: str,
    starts: list[dt.datetime],
    *,
    planned_count: int | None = None,
    place: Place | None = None,
    statuses: dict[int, SessionStatus] | None = None,
) -> list[TreatmentSession]:
    """A series of sessions at the given local start times (numbered 1, 2, ...)."""
    chosen = therapy(db, code)
    protocol = (
        db.scalars(
            select(Protocol).where(
                Protocol.therapy_id == chosen.id, Protocol.phase == Phase.INDUCTION.value
            )
        ).first()
        or db.scalars(select(Protocol).where(Protocol.therapy_id == chosen.id)).one()
    )
    series = Series(
        patient_id=patient.id,
        protocol_id=protocol.id,
        planned_count=planned_count or len(starts),
        created_at=NOW,
    )
    db.add(series)
    db.flush()
    sessions = []
    for number, start in enumerate(starts, start=1):
        status = (statuses or {}).get(number, SessionStatus.BOOKED)
        sessions.append(
            add_session(
                db, patient, chosen, start, series=series, number=number, place=place,
                status=status,
            )
        )  # fmt: skip
    return sessions


def add_session(
    db: Session,
    patient: Patient,
    chosen: Therapy,
    start: dt.datetime,
    *,
    series: Series | None = None,
    number: int | None = None,
    place: Place | None = None,
    status: SessionStatus = SessionStatus.BOOKED,
) -> TreatmentSession:
    where = place or chosen.place_list[0]
    minutes = chosen.treatment_minutes + chosen.observation_minutes
    session = TreatmentSession(
        patient_id=patient.id,
        series_id=series.id if series else None,
        number=number,
        therapy_id=chosen.id,
        place=where.value,
        chair_id=chair(db).id if where.needs_chair else None,
        starts_at=start.astimezone(dt.UTC),
        ends_at=(start + dt.timedelta(minutes=minutes)).astimezone(dt.UTC),
        treatment_minutes=chosen.treatment_minutes,
        observation_minutes=chosen.observation_minutes,
        buffer_minutes=chosen.buffer_minutes,
        status=status.value,
        status_changed_at=NOW,
        created_at=NOW,
    )
    db.add(session)
    db.flush()
    db.add(
        SessionStatusChange(
            session_id=session.id,
            from_status=None,
            to_status=status.value,
            at=NOW,
            actor=ACTOR.sign_in,
        )
    )
    db.flush()
    return session


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, as a reader (and a screen reader) would get it."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squashed(text: str) -> str:
    """Whitespace folded to single spaces, since PDF text extraction breaks lines anywhere."""
    return " ".join(text.split())


_password_files: dict[str, Path] = {}  # by database, for run_letters


def add_printing_nurse(db: Database, db_path: Path | str, folder: Path) -> Path:
    """Maria, a nurse with an account; her password goes in a file in ``folder``."""
    with db.transaction() as s:
        add_account(s, "Maria Santos", "maria", StaffRole.NURSE)
    password_file = folder / "nurse-password"
    password_file.write_text("correct horse\n", encoding="utf-8")
    _password_files[str(db_path)] = password_file
    return password_file


def run_letters(db_path: Path | str, *args: str) -> int:
    """``main.py letters ARGS`` as Maria (see ``add_printing_nurse``)."""
    password = _password_files[str(db_path)]
    who = ["--user", "maria", "--password-file", str(password)]
    return main(["letters", *args, "--db", str(db_path), *who])
