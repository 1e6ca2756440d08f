"""The schedule letter: every upcoming session of a patient in one table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from scheduler.domain.enums import LetterKind, Place
from scheduler.domain.letters.content import LetterContent, Section, Table
from scheduler.domain.letters.facts import ClinicFacts, PatientFacts, SessionFacts
from scheduler.domain.letters.parts import (
    base_content,
    capitalised,
    caution_notes,
    common_values,
    driver_sentence,
)
from scheduler.domain.letters.timing import local
from scheduler.domain.letters.wording import TemplateSet
from scheduler.domain.when import clock_time, duration, short_date


def schedule_letter(
    clinic: ClinicFacts,
    patient: PatientFacts,
    sessions: Sequence[SessionFacts],
    templates: TemplateSet,
    *,
    today: dt.date,
) -> LetterContent:
    """Every upcoming session in a table, with the prep essentials stated once per therapy."""
    wording = templates.wording(LetterKind.SCHEDULE)
    zone = clinic.zone
    values = {
        **common_values(clinic, patient, today),
        "count": str(len(sessions)),
        "arrival_minutes": str(clinic.arrival_minutes_before),
    }
    ordered = sorted(sessions, key=lambda s: s.starts_at)
    places = {
        Place.HOME: wording.text("at_home", values),
        Place.VIDEO: wording.text("by_video", values),
    }
    rows = []
    for session in ordered:
        starts = local(session.starts_at, zone)
        arrival = starts - dt.timedelta(minutes=clinic.arrival_minutes_before)
        rows.append(
            (
                capitalised(session.label),
                short_date(starts.date()),
                clock_time(starts),
                clock_time(arrival) if session.place is not Place.VIDEO else "",
                places.get(session.place) or wording.text("at_clinic", values),
            )
        )
    essentials = [wording.text("arrival", values)]
    for therapy in dict.fromkeys(s.therapy for s in ordered):
        own = {**values, "therapy": therapy.name}
        for key, minutes in (
            ("fasting_solids", therapy.fasting_solids_minutes),
            ("fasting_liquids", therapy.fasting_liquids_minutes),
        ):
            if minutes:
                essentials.append(wording.text(key, {**own, "hours": duration(minutes)}))
        note = templates.for_therapy(LetterKind.SCHEDULE, therapy).text("therapy_note", own)
        if note:
            essentials.append(note)
    driver_line = None
    if any(s.therapy.needs_driver for s in ordered):
        driver_line = driver_sentence(patient, wording, values)
        essentials.append(driver_line)
    essentials.append(wording.text("cancel", values))
    sections = [Section(wording.text("prep_heading", values), bullets=tuple(essentials))]
    return replace(
        base_content(LetterKind.SCHEDULE, wording, values, clinic, patient, today, sections),
        table=Table(tuple(wording.items("table_header", values)), tuple(rows)),
        driver_line=driver_line,
        cautions=caution_notes(patient),
    )
