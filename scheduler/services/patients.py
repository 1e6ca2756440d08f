"""Patients: create, edit, archive and find them."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, fields

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session as DbSession

from scheduler.domain.access import Actor, Permission
from scheduler.domain.patients import PatientDetails, parse_date, validate
from scheduler.domain.text import digits, fold, name_key, name_words
from scheduler.errors import FieldProblem, NotFound, ServiceError, ValidationFailed
from scheduler.services import audit
from scheduler.services.access import require
from scheduler.store.models import Patient

FIRST_CHART_NUMBER = 100001
SEARCH_PAGE = 200


class LikelyDuplicate(ServiceError):
    """Another patient has the same name and date of birth; saving needs the desk to confirm."""

    def __init__(self, matches: list[Patient]) -> None:
        self.chart_numbers = [p.chart_number for p in matches]
        first = matches[0]
        super().__init__(
            f"{first.full_name}, born {first.date_of_birth.isoformat()}, is already on file "
            f"(chart {', '.join(self.chart_numbers)}). Open that chart, or confirm this is "
            "a different person."
        )


def create_patient(
    db: DbSession,
    details: PatientDetails,
    *,
    actor: Actor,
    now: dt.datetime,
    confirm_duplicate: bool = False,
    chart_number: str | None = None,
) -> Patient:
    """Register a new patient with the next free chart number (or the one given, if free)."""
    require(actor, Permission.EDIT_PATIENTS)
    details = _checked(details, now)
    if not confirm_duplicate and (matches := likely_duplicates(db, details)):
        raise LikelyDuplicate(matches)
    if chart_number is not None:
        chart_number = chart_number.strip()
        if not chart_number:
            raise ValidationFailed([FieldProblem("chart_number", "Chart number is empty.")])
        if _chart_taken(db, chart_number):
            raise ValidationFailed(
                [FieldProblem("chart_number", f"Chart number {chart_number} is already taken.")]
            )
    patient = Patient(
        chart_number=chart_number or _next_chart_number(db), created_at=now, updated_at=now
    )
    _apply(patient, details)
    db.add(patient)
    audit.record(
        db, actor=actor.sign_in, now=now, action="patient.create", row=patient, before=None
    )
    return patient


def update_patient(
    db: DbSession,
    patient_id: int,
    details: PatientDetails,
    *,
    actor: Actor,
    now: dt.datetime,
    confirm_duplicate: bool = False,
) -> Patient:
    require(actor, Permission.EDIT_PATIENTS)
    patient = get_patient(db, patient_id)
    details = _checked(details, now)
    if not confirm_duplicate and (
        matches := [p for p in likely_duplicates(db, details) if p.id != patient.id]
    ):
        raise LikelyDuplicate(matches)
    before = audit.snapshot(patient)
    _apply(patient, details)
    patient.updated_at = now
    audit.record(
        db, actor=actor.sign_in, now=now, action="patient.update", row=patient, before=before
    )
    return patient


def set_archived(
    db: DbSession, patient_id: int, archived: bool, *, actor: Actor, now: dt.datetime
) -> Patient:
    """Archive a patient (hidden from search, history kept) or bring one back."""
    require(actor, Permission.EDIT_PATIENTS)
    patient = get_patient(db, patient_id)
    before = audit.snapshot(patient)
    patient.archived = archived
    patient.updated_at = now
    action = "patient.archive" if archived else "patient.unarchive"
    audit.record(db, actor=actor.sign_in, now=now, action=action, row=patient, before=before)
    return patient


def get_patient(db: DbSession, patient_id: int) -> Patient:
    patient = db.get(Patient, patient_id)
    if patient is None:
        raise NotFound(f"No patient with id {patient_id}.")
    return patient


def get_by_chart_number(db: DbSession, chart_number: str) -> Patient:
    patient = db.scalar(select(Patient).where(Patient.chart_number == chart_number.strip()))
    if patient is None:
        raise NotFound(f"No patient has chart number {chart_number}.")
    return patient


def details_of(patient: Patient) -> PatientDetails:
    """The editable details of a saved patient, for a form to start from."""
    return PatientDetails(**{f.name: getattr(patient, f.name) for f in fields(PatientDetails)})


def likely_duplicates(db: DbSession, details: PatientDetails) -> list[Patient]:
    """Patients on file with the same name (ignoring case and accents) and date of birth."""
    if details.date_of_birth is None:
        return []
    candidates = db.scalars(
        select(Patient).where(
            Patient.date_of_birth == details.date_of_birth, Patient.archived.is_(False)
        )
    )
    wanted = (fold(details.first_name), fold(details.last_name))
    return [p for p in candidates if (fold(p.first_name), fold(p.last_name)) == wanted]


def search_query(text: str, *, include_archived: bool = False) -> Select[Patient]:
    """Patients matching every word typed: a name prefix, chart number, phone digits or birth date.

    Name words match the start of any part of the first, last or preferred name, ignoring case,
    accents and apostrophes ("zoe" finds Zoë, "o'brien" and "obrien" find O'Brien).
    """
    query = select(Patient)
    if not include_archived:
        query = query.where(Patient.archived.is_(False))
    for word in text.split():
        query = query.where(_word_condition(word))
    # name_key starts with the folded last name, so it sorts Łukasiewicz among the Ls.
    return query.order_by(Patient.name_key, Patient.id)


def search_patients(
    db: DbSession,
    text: str,
    *,
    limit: int = SEARCH_PAGE,
    offset: int = 0,
    include_archived: bool = False,
) -> list[Patient]:
    query = search_query(text, include_archived=include_archived).limit(limit).offset(offset)
    return list(db.scalars(query))


def count_patients(db: DbSession, text: str = "", *, include_archived: bool = False) -> int:
    query = search_query(text, include_archived=include_archived).order_by(None)
    return db.scalar(select(func.count()).select_from(query.subquery())) or 0


def _word_condition(word: str) -> ColumnElement[bool]:
    born = parse_date(word)
    if born is not None:
        return Patient.date_of_birth == born
    if not any(ch.isalpha() for ch in word) and len(number := digits(word)) >= 3:
        return or_(
            Patient.chart_number.like(f"{number}%"),
            Patient.phone_digits.like(f"%{_escaped(number)}%", escape="\\"),
        )
    parts = name_words(word)
    if not parts:
        return Patient.chart_number == word
    return and_(*(Patient.name_key.like(f"% {_escaped(part)}%", escape="\\") for part in parts))


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _checked(details: PatientDetails, now: dt.datetime) -> PatientDetails:
    details = details.cleaned()
    problems = validate(details, today=now.date())
    if problems:
        raise ValidationFailed([FieldProblem(f, m) for f, m in problems])
    return details


def _apply(patient: Patient, details: PatientDetails) -> None:
    for name, value in asdict(details).items():
        setattr(patient, name, value)
    patient.name_key = name_key(details.last_name, details.first_name, details.preferred_name)
    patient.phone_digits = " ".join(
        d for d in (digits(details.mobile_phone), digits(details.home_phone)) if d
    )


def _chart_taken(db: DbSession, chart_number: str) -> bool:
    return db.scalar(select(Patient.id).where(Patient.chart_number == chart_number)) is not None


def _next_chart_number(db: DbSession) -> str:
    candidate = FIRST_CHART_NUMBER + (db.scalar(select(func.count(Patient.id))) or 0)
    while _chart_taken(db, str(candidate)):
        candidate += 1
    return str(candidate)
