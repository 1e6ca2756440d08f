"""The aftercare sheet a patient takes home after a session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from scheduler.domain.enums import LetterKind
from scheduler.domain.letters.content import DrivingAdvice, Glance, LetterContent, Section
from scheduler.domain.letters.facts import ClinicFacts, PatientFacts, SessionFacts
from scheduler.domain.letters.parts import base_content, capitalised, kept_sections, session_values
from scheduler.domain.letters.timing import driving_advice, local
from scheduler.domain.letters.wording import TemplateSet, Wording
from scheduler.domain.when import clock_time, date_and_time, day_and_date, long_date, weekday


def _when_day(at: dt.datetime, reference: dt.date) -> str:
    """ "4:45 AM, Monday" on another day than ``reference``; "6:15 PM today" on it."""
    if at.date() == reference:
        return f"{clock_time(at)} today"
    return f"{clock_time(at)}, {weekday(at)}"


def _crisis_lines(
    clinic: ClinicFacts, wording: Wording, values: Mapping[str, str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The crisis line and after-hours sentences, and a note when Settings has no number.

    A letter never prints an empty number: without one it says when to call the clinic.
    """
    lines = wording.items("crisis", values)
    if not lines:
        return (), ()
    if clinic.after_hours_phone:
        after = wording.text(
            "after_hours", {**values, "after_hours_phone": clinic.after_hours_phone}
        )
        return (*lines, after), ()
    note = (
        "Settings has no after-hours phone number; aftercare letters print the clinic's "
        "number for opening hours instead. Add it under Settings, Clinic."
    )
    return (*lines, wording.text("after_hours_missing", values)), (note,)


def _aftercare_glance(
    session: SessionFacts,
    clinic: ClinicFacts,
    driving: DrivingAdvice | None,
    upcoming: Sequence[SessionFacts],
    crisis: bool,
    wording: Wording,
    values: Mapping[str, str],
) -> Glance:
    ended = local(session.ends_at, clinic.zone)
    lines = []
    if driving is not None:
        label = wording.text("glance_no_driving", values)
        if driving.not_before is not None:
            until = {**values, "until_time": clock_time(driving.not_before)}
            until["until_day"] = _when_day(driving.not_before, ended.date())
            lines.append((label, wording.text("glance_driving_hours", until)))
        else:
            day = {**values, "until_day": day_and_date(driving.not_before_day)}
            lines.append((label, wording.text("glance_driving_next_day", day)))
    if upcoming:
        at = local(upcoming[0].starts_at, clinic.zone)
        lines.append((wording.text("glance_next", values), date_and_time(at)))
    if crisis:
        label, _, value = wording.text("glance_crisis", values).partition(": ")
        lines.append((label, value))
        if clinic.after_hours_phone:
            lines.append((wording.text("glance_after_hours", values), clinic.after_hours_phone))
    return Glance(wording.text("glance_heading", values), tuple(lines))


def aftercare_letter(
    clinic: ClinicFacts,
    patient: PatientFacts,
    session: SessionFacts,
    next_sessions: Sequence[SessionFacts],
    templates: TemplateSet,
    *,
    today: dt.date,
) -> LetterContent:
    """The sheet a patient takes home: driving, the coming days, effects, emergencies, next.

    Only for a session that has one (``SessionFacts.has_aftercare``); the service refuses the
    others by name before it gets here.
    """
    if not session.has_aftercare:
        raise ValueError(session.no_aftercare_reason())
    wording = templates.for_therapy(LetterKind.AFTERCARE, session.therapy)
    values = session_values(clinic, patient, session, today)
    zone = clinic.zone
    driving = driving_advice(session, zone, wording, values)
    if driving is not None:
        driving_section = Section(
            wording.text("driving_heading", values), (driving.sentence,), key_facts=True
        )
    else:
        driving_section = Section(
            wording.text("driving_heading", values), (wording.text("may_drive", values),)
        )
    crisis, crisis_notes = _crisis_lines(clinic, wording, values)
    later = sorted(next_sessions, key=lambda s: s.starts_at)
    upcoming = []
    for other in later:
        at = local(other.starts_at, zone)
        upcoming.append(
            wording.text(
                "next_session",
                {
                    **values,
                    "label": capitalised(other.label),
                    "session_date": long_date(at.date()),
                    "session_time": clock_time(at),
                },
            )
        )
    sections = kept_sections(
        driving_section,
        Section(
            wording.text("coming_days_heading", values),
            bullets=wording.items("coming_days", values),
        ),
        Section(wording.text("effects_heading", values), bullets=wording.items("effects", values)),
        Section(
            wording.text("emergency_heading", values),
            (wording.text("emergency_intro", values),),
            wording.items("emergency", values),
            caution=True,
        ),
        Section(wording.text("crisis_heading", values), crisis),
    )
    if upcoming:
        sections.append(Section(wording.text("next_heading", values), bullets=tuple(upcoming)))
    elif session.label != session.therapy.session_noun:
        # The last of a counted series; a single session has no series to speak of.
        sections.append(Section("", (wording.text("no_next_session", values),)))
    content = base_content(LetterKind.AFTERCARE, wording, values, clinic, patient, today, sections)
    return replace(
        content,
        glance=_aftercare_glance(session, clinic, driving, later, bool(crisis), wording, values),
        starts_at=local(session.starts_at, zone),
        driving=driving,
        next_sessions=tuple(upcoming),
        notes=content.notes + crisis_notes,
    )
