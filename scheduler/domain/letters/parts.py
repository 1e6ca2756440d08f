"""The pieces every letter kind shares: letterhead, placeholders, driver line, cautions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from scheduler.domain.enums import LetterKind, Place
from scheduler.domain.letters.content import LetterContent, Letterhead, Section
from scheduler.domain.letters.facts import ClinicFacts, PatientFacts, SessionFacts
from scheduler.domain.letters.timing import local
from scheduler.domain.letters.wording import Wording
from scheduler.domain.screening import FINDING_KINDS
from scheduler.domain.when import clock_time, duration, long_date


def capitalised(text: str) -> str:
    """ "infusion 4 of 6" -> "Infusion 4 of 6", for a label that starts a line."""
    return text[:1].upper() + text[1:]


def _letterhead(clinic: ClinicFacts) -> Letterhead:
    return Letterhead(
        clinic.name, clinic.address_lines, clinic.phone, clinic.email, clinic.logo_path
    )


def _place_text(place: Place, clinic: ClinicFacts) -> str:
    if place is Place.HOME:
        return "at your home"
    if place is Place.VIDEO:
        return "by video call"
    return ", ".join(("at " + clinic.name, *clinic.address_lines))


def base_content(
    kind: LetterKind,
    wording: Wording,
    values: Mapping[str, str],
    clinic: ClinicFacts,
    patient: PatientFacts,
    today: dt.date,
    sections: Sequence[Section],
) -> LetterContent:
    """The parts every letter has; each kind adds its computed facts to this."""
    notes: tuple[str, ...] = ()
    if not patient.address_lines:
        notes = (f"{patient.full_name} (chart {patient.chart_number}) has no address on file.",)
    return LetterContent(
        kind=kind,
        title=wording.text("title", values),
        letterhead=_letterhead(clinic),
        recipient=(patient.full_name, *patient.address_lines),
        date_line=long_date(today),
        greeting=wording.text("greeting", values),
        intro=wording.text("intro", values),
        sections=tuple(sections),
        closing=wording.text("closing", values),
        signature=clinic.signature,
        notes=notes,
    )


def common_values(clinic: ClinicFacts, patient: PatientFacts, today: dt.date) -> dict[str, str]:
    return {
        "patient": patient.name,
        "patient_full_name": patient.full_name,
        "clinic": clinic.name,
        "clinic_phone": clinic.phone,
        "clinic_email": clinic.email,
        "today": long_date(today),
    }


def session_values(
    clinic: ClinicFacts, patient: PatientFacts, session: SessionFacts, today: dt.date
) -> dict[str, str]:
    """The placeholders every entry of a prep or aftercare template may use."""
    zone = clinic.zone
    starts = local(session.starts_at, zone)
    arrival = starts - dt.timedelta(minutes=clinic.arrival_minutes_before)
    observed = session.ends_at - session.starts_at
    return {
        **common_values(clinic, patient, today),
        "therapy": session.therapy.name,
        "noun": session.therapy.session_noun,
        "session_label": session.label,
        "date": long_date(starts.date()),
        "time": clock_time(starts),
        "arrival_time": clock_time(arrival),
        "arrival_minutes": str(clinic.arrival_minutes_before),
        "place": _place_text(session.place, clinic),
        "observation": duration(int(observed.total_seconds() // 60)),
    }


def driver_sentence(patient: PatientFacts, wording: Wording, values: Mapping[str, str]) -> str:
    if patient.driver_name:
        phone = patient.driver_phone or "no phone number on file"
        return wording.text(
            "driver_on_file", {**values, "driver": patient.driver_name, "driver_phone": phone}
        )
    return wording.text("driver_needed", values)


def caution_notes(patient: PatientFacts) -> tuple[str, ...]:
    """The letter lines of the patient's cautions, in the order screening recorded them."""
    notes = []
    for key in dict.fromkeys(patient.caution_kinds):
        kind = FINDING_KINDS.get(key)
        if kind is not None and kind.letter_note:
            notes.append(kind.letter_note)
    return tuple(notes)


def kept_sections(*sections: Section) -> list[Section]:
    """The sections that have something to say (a wording may leave an entry empty)."""
    kept = []
    for section in sections:
        section = replace(
            section,
            paragraphs=tuple(p for p in section.paragraphs if p),
            bullets=tuple(b for b in section.bullets if b),
        )
        if section.paragraphs or section.bullets:
            kept.append(section)
    return kept
