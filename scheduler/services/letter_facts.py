"""The plain facts a letter (or a calendar file) is made from, read from the clinic's rows."""

from __future__ import annotations

from pathlib import Path

from scheduler.domain.enums import FindingSeverity, FindingStatus
from scheduler.domain.letters import ClinicFacts, PatientFacts, SessionFacts, TherapyFacts
from scheduler.store.models import ClinicSettings, Patient, Therapy, TreatmentSession


def clinic_facts(settings: ClinicSettings) -> tuple[ClinicFacts, tuple[str, ...]]:
    """The clinic as letters see it, and a note when the logo in Settings cannot be found.

    A missing logo does not stop a print run (the nurse needs tomorrow's letters now): the
    letters print without it and the note says why.
    """
    notes: tuple[str, ...] = ()
    logo = settings.logo_path or None
    if logo and not Path(logo).expanduser().is_file():
        notes = (
            f"The logo file {logo} was not found; letters were printed without a logo. "
            "Correct the logo in Settings.",
        )
        logo = None
    facts = ClinicFacts(
        name=settings.name,
        address_lines=tuple(line.strip() for line in settings.address.splitlines() if line.strip()),
        phone=settings.phone,
        email=settings.email,
        timezone=settings.timezone,
        arrival_minutes_before=settings.arrival_minutes_before,
        signature=settings.letter_signature or settings.name,
        logo_path=str(Path(logo).expanduser()) if logo else None,
        after_hours_phone=settings.after_hours_phone.strip(),
    )
    return facts, notes


def therapy_facts(therapy: Therapy) -> TherapyFacts:
    return TherapyFacts(
        code=therapy.code,
        name=therapy.name,
        session_noun=therapy.session_noun,
        fasting_solids_minutes=therapy.fasting_solids_minutes,
        fasting_liquids_minutes=therapy.fasting_liquids_minutes,
        driving_rule=therapy.driving_rule,
        driving_hours=therapy.driving_hours,
        needs_driver=therapy.needs_driver,
        letter_wording=therapy.letter_wording,
        aftercare_letter=therapy.aftercare_letter,
    )


def patient_facts(patient: Patient, session: TreatmentSession | None = None) -> PatientFacts:
    """The patient as a letter knows them; for one session's letter, the driver is the one
    recorded for that day when there is one, else the driver on file."""
    driver = (patient.driver_name, patient.driver_phone)
    if session is not None and session.escort_name:
        driver = (session.escort_name, session.escort_phone)
    cautions = tuple(
        f.kind
        for f in patient.findings
        if f.severity is FindingSeverity.CAUTION and f.status is not FindingStatus.CLEARED
    )
    return PatientFacts(
        name=patient.display_name,
        full_name=patient.full_name,
        chart_number=patient.chart_number,
        address_lines=tuple(patient.address_lines),
        driver_name=driver[0],
        driver_phone=driver[1],
        caution_kinds=cautions,
    )


def session_facts(session: TreatmentSession) -> SessionFacts:
    return SessionFacts(
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        place=session.place,
        therapy=therapy_facts(session.therapy),
        number=session.number,
        planned_count=session.series.planned_count if session.series else None,
    )
