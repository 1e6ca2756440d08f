"""The prep letter: what a patient reads before a session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from scheduler.domain.enums import LetterKind, Place
from scheduler.domain.escort import needs_escort
from scheduler.domain.letters.content import FastingCutoff, Glance, LetterContent, Section
from scheduler.domain.letters.facts import ClinicFacts, PatientFacts, SessionFacts
from scheduler.domain.letters.parts import (
    base_content,
    caution_notes,
    driver_sentence,
    kept_sections,
    session_values,
)
from scheduler.domain.letters.timing import fasting_cutoffs, local
from scheduler.domain.letters.wording import TemplateSet, Wording
from scheduler.domain.when import clock_time, day_and_date, weekday


def _prep_glance(
    session: SessionFacts,
    clinic: ClinicFacts,
    patient: PatientFacts,
    fasting: Sequence[FastingCutoff],
    wording: Wording,
    values: Mapping[str, str],
) -> Glance:
    starts = local(session.starts_at, clinic.zone)
    lines = [(wording.text("glance_date", values), day_and_date(starts.date()))]
    labels = {"solids": "glance_stop_eating", "liquids": "glance_liquids"}
    for cutoff in fasting:
        at = cutoff.at
        value = clock_time(at)
        if at.date() != starts.date() or cutoff.what == "solids":
            value = f"{value}, {weekday(at)}"
        lines.append((wording.text(labels[cutoff.what], values), value))
    if session.place is Place.VIDEO:
        lines.append((wording.text("glance_video", values), clock_time(starts)))
    else:
        arrival = starts - dt.timedelta(minutes=clinic.arrival_minutes_before)
        lines.append((wording.text("glance_arrive", values), clock_time(arrival)))
    if needs_escort(session.therapy.needs_driver, session.place):
        driver = ", ".join(x for x in (patient.driver_name, patient.driver_phone) if x)
        lines.append(
            (
                wording.text("glance_driver", values),
                driver or wording.text("glance_no_driver", values),
            )
        )
    return Glance(wording.text("glance_heading", values), tuple(lines))


def prep_letter(
    clinic: ClinicFacts,
    patient: PatientFacts,
    session: SessionFacts,
    templates: TemplateSet,
    *,
    today: dt.date,
) -> LetterContent:
    """The letter a patient reads before a session: when, where, fasting, driver, cautions."""
    wording = templates.for_therapy(LetterKind.PREP, session.therapy)
    values = session_values(clinic, patient, session, today)
    zone = clinic.zone
    starts = local(session.starts_at, zone)
    fasting = fasting_cutoffs(session, zone, wording, values)
    video = session.place is Place.VIDEO
    arrival = wording.text("arrival_video" if video else "arrival", values)
    sections = [Section(wording.text("when_heading", values), (arrival,))]
    if fasting:
        sections.append(
            Section(
                wording.text("fasting_heading", values),
                tuple(f.sentence for f in fasting),
                key_facts=True,
            )
        )
    driver_line = None
    if needs_escort(session.therapy.needs_driver, session.place):
        driver_line = driver_sentence(patient, wording, values)
        sections.append(Section(wording.text("driver_heading", values), (driver_line,)))
    one_hour_before = {**values, "one_hour_before": clock_time(starts - dt.timedelta(hours=1))}
    items = wording.items("items", values) + wording.items("therapy_items", one_hour_before)
    if video:
        items += wording.items("video_items", values)
    cautions = caution_notes(patient)
    sections += kept_sections(
        # Cautions ask the patient to act before the day, so they come before the day's list.
        Section(wording.text("cautions_heading", values), cautions, caution=True),
        Section(wording.text("bring_heading", values), bullets=items),
        Section(wording.text("during_heading", values), bullets=wording.items("during", values)),
        Section("", (wording.text("cancel", values),)),
    )
    return replace(
        base_content(LetterKind.PREP, wording, values, clinic, patient, today, sections),
        glance=_prep_glance(session, clinic, patient, fasting, wording, values),
        starts_at=starts,
        arrival_at=starts - dt.timedelta(minutes=clinic.arrival_minutes_before),
        fasting=fasting,
        driver_line=driver_line,
        cautions=cautions,
    )
