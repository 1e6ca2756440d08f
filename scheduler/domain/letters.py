"""What a prep, aftercare or schedule letter says: every computed time and sentence, as values.

The facts come in as plain values (built from the database by the letters service); the
wording comes from editable templates (``Wording``); out comes a ``LetterContent`` that a
renderer lays out and that tests compare exactly. Instants are aware datetimes; every time a
patient reads is converted to the clinic's zone only here, after the arithmetic was done on
real elapsed time, so a fasting cut-off stays right across a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol
from zoneinfo import ZoneInfo

from scheduler.domain.enums import DrivingRule, LetterKind, PaperSize, Place
from scheduler.domain.escort import needs_escort
from scheduler.domain.screening import FINDING_KINDS

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# A cut-off earlier than this on the session's own day is "during the night before".
NIGHT_ENDS = dt.time(5, 0)
# A cut-off at or after this on an earlier day is "the evening before".
EVENING_STARTS = dt.time(12, 0)


# --- Formatting -------------------------------------------------------------------------


def clock_time(moment: dt.datetime | dt.time) -> str:
    """US clock time: "4:00 AM", "12:00 noon", "12:00 midnight" (never the ambiguous 12:00 AM)."""
    if moment.hour == 0 and moment.minute == 0:
        return "12:00 midnight"
    if moment.hour == 12 and moment.minute == 0:
        return "12:00 noon"
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def day_and_date(day: dt.date) -> str:
    """ "Monday, November 16" (locale-independent, so letters read the same on every machine)."""
    return f"{_DAYS[day.weekday()]}, {_MONTHS[day.month - 1]} {day.day}"


def long_date(day: dt.date) -> str:
    """ "Monday, November 16, 2026"."""
    return f"{day_and_date(day)}, {day.year}"


def short_date(day: dt.date) -> str:
    """ "Mon, Nov 16, 2026", for table cells."""
    return f"{_DAYS[day.weekday()][:3]}, {_MONTHS[day.month - 1][:3]} {day.day}, {day.year}"


def hours_text(minutes: int) -> str:
    """ "6 hours", "1 hour", "30 minutes", "1 hour 30 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


# --- Facts in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicFacts:
    name: str
    address_lines: tuple[str, ...]
    phone: str
    email: str
    timezone: str
    arrival_minutes_before: int
    signature: str
    logo_path: str | None = None
    after_hours_phone: str = ""  # empty until the clinic sets it; never printed empty

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class TherapyFacts:
    code: str
    name: str
    session_noun: str
    fasting_solids_minutes: int | None
    fasting_liquids_minutes: int | None
    driving_rule: DrivingRule
    driving_hours: int | None
    needs_driver: bool
    letter_wording: str = "general"  # the shipped wording its letters start from
    aftercare_letter: bool = True


@dataclass(frozen=True)
class SessionFacts:
    """One session as a letter needs it; ``ends_at`` is the end of observation."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    place: Place
    therapy: TherapyFacts
    number: int | None = None
    planned_count: int | None = None

    @property
    def label(self) -> str:
        """ "infusion 3 of 6", or just "infusion" outside a counted series."""
        noun = self.therapy.session_noun
        if self.number is None or self.planned_count == 1:
            return noun
        if self.planned_count:
            return f"{noun} {self.number} of {self.planned_count}"
        return f"{noun} {self.number}"

    @property
    def has_aftercare(self) -> bool:
        """Whether the patient goes home with an aftercare sheet (never after a video call)."""
        return self.therapy.aftercare_letter and self.place is not Place.VIDEO

    def no_aftercare_reason(self) -> str:
        """The one sentence refusing an aftercare letter for this session."""
        if not self.therapy.aftercare_letter:
            return f"{self.therapy.name} has no aftercare letter"
        return f"A {self.therapy.session_noun} by video call has no aftercare letter"


@dataclass(frozen=True)
class PatientFacts:
    name: str  # what the letter calls the patient (preferred name + last name)
    full_name: str
    chart_number: str
    address_lines: tuple[str, ...]
    driver_name: str = ""
    driver_phone: str = ""
    caution_kinds: tuple[str, ...] = ()  # keys of FINDING_KINDS with a caution still in force


# --- Wording ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeySpec:
    """One entry a wording template may (and, once merged, must) define."""

    is_list: bool = False
    extras: frozenset[str] = frozenset()  # placeholders only this entry may use


_SESSION_FACTS = frozenset(
    {
        "patient", "patient_full_name", "clinic", "clinic_phone", "clinic_email", "today",
        "therapy", "noun", "session_label", "date", "time", "arrival_time", "arrival_minutes",
        "place", "observation",
    }
)  # fmt: skip
_SCHEDULE_FACTS = frozenset(
    {
        "patient", "patient_full_name", "clinic", "clinic_phone", "clinic_email", "today",
        "count", "arrival_minutes",
    }
)  # fmt: skip
_CUTOFF = frozenset({"cutoff_time", "cutoff_date", "night_from"})
_PLAIN, _LIST = KeySpec(), KeySpec(is_list=True)

# Every entry of each kind's templates; the letter code fills the placeholders.
TEMPLATE_KEYS: dict[LetterKind, dict[str, KeySpec]] = {
    LetterKind.PREP: {
        "title": _PLAIN,
        "greeting": _PLAIN,
        "intro": _PLAIN,
        "glance_heading": _PLAIN,
        "glance_date": _PLAIN,
        "glance_stop_eating": _PLAIN,
        "glance_liquids": _PLAIN,
        "glance_arrive": _PLAIN,
        "glance_video": _PLAIN,
        "glance_driver": _PLAIN,
        "glance_no_driver": _PLAIN,
        "when_heading": _PLAIN,
        "arrival": _PLAIN,
        "arrival_video": _PLAIN,
        "fasting_heading": _PLAIN,
        "fasting_solids": KeySpec(extras=frozenset({"cutoff", "hours"})),
        "fasting_liquids": KeySpec(extras=frozenset({"cutoff", "hours"})),
        "cutoff_evening_before": KeySpec(extras=_CUTOFF),
        "cutoff_day_before": KeySpec(extras=_CUTOFF),
        "cutoff_night_before": KeySpec(extras=_CUTOFF),
        "cutoff_same_day": KeySpec(extras=_CUTOFF),
        "driver_heading": _PLAIN,
        "driver_on_file": KeySpec(extras=frozenset({"driver", "driver_phone"})),
        "driver_needed": _PLAIN,
        "bring_heading": _PLAIN,
        "items": _LIST,
        "therapy_items": KeySpec(is_list=True, extras=frozenset({"one_hour_before"})),
        "video_items": _LIST,
        "during_heading": _PLAIN,
        "during": _LIST,
        "cautions_heading": _PLAIN,
        "cancel": _PLAIN,
        "closing": _PLAIN,
    },
    LetterKind.AFTERCARE: {
        "title": _PLAIN,
        "greeting": _PLAIN,
        "intro": _PLAIN,
        "glance_heading": _PLAIN,
        "glance_no_driving": _PLAIN,
        "glance_driving_hours": KeySpec(extras=frozenset({"until_time", "until_day"})),
        "glance_driving_next_day": KeySpec(extras=frozenset({"until_day"})),
        "glance_next": _PLAIN,
        "glance_crisis": _PLAIN,
        "glance_after_hours": _PLAIN,
        "driving_heading": _PLAIN,
        "driving_hours": KeySpec(extras=frozenset({"until_time", "until_date", "hours"})),
        "driving_next_morning": KeySpec(extras=frozenset({"until_date"})),
        "may_drive": _PLAIN,
        "coming_days_heading": _PLAIN,
        "coming_days": _LIST,
        "effects_heading": _PLAIN,
        "effects": _LIST,
        "emergency_heading": _PLAIN,
        "emergency_intro": _PLAIN,
        "emergency": _LIST,
        "crisis_heading": _PLAIN,
        "crisis": _LIST,
        "after_hours": KeySpec(extras=frozenset({"after_hours_phone"})),
        "after_hours_missing": _PLAIN,
        "next_heading": _PLAIN,
        "next_session": KeySpec(extras=frozenset({"label", "session_date", "session_time"})),
        "no_next_session": _PLAIN,
        "closing": _PLAIN,
    },
    LetterKind.SCHEDULE: {
        "title": _PLAIN,
        "greeting": _PLAIN,
        "intro": _PLAIN,
        "table_header": _LIST,
        "at_clinic": _PLAIN,
        "at_home": _PLAIN,
        "by_video": _PLAIN,
        "prep_heading": _PLAIN,
        "fasting_solids": KeySpec(extras=frozenset({"therapy", "hours"})),
        "fasting_liquids": KeySpec(extras=frozenset({"therapy", "hours"})),
        "arrival": _PLAIN,
        "driver_on_file": KeySpec(extras=frozenset({"driver", "driver_phone"})),
        "driver_needed": _PLAIN,
        "therapy_note": KeySpec(extras=frozenset({"therapy"})),
        "cancel": _PLAIN,
        "closing": _PLAIN,
    },
}


def allowed_placeholders(kind: LetterKind, key: str) -> frozenset[str]:
    base = _SCHEDULE_FACTS if kind is LetterKind.SCHEDULE else _SESSION_FACTS
    return base | TEMPLATE_KEYS[kind][key].extras


class _Template(string.Template):
    # Only ${name} is a placeholder, so a plain "$" in clinic wording ("$50 fee") prints as is.
    flags = re.RegexFlag(0)
    pattern = r"""
    \$(?:
      (?P<escaped>\$) |
      (?P<named>(?!)) |
      {(?P<braced>[_a-z][_a-z0-9]*)} |
      (?P<invalid>{[^}\n]*}?)
    )
    """  # type: ignore[assignment]


def template(text: str) -> string.Template:
    """The placeholder syntax of letter wording: ``${name}``; ``$$`` prints a dollar sign."""
    return _Template(text)


@dataclass(frozen=True)
class Wording:
    """The merged, checked wording of one letter kind for one therapy."""

    kind: LetterKind
    texts: Mapping[str, str | tuple[str, ...]]

    def text(self, key: str, values: Mapping[str, str]) -> str:
        raw = self.texts[key]
        assert isinstance(raw, str)
        return template(raw).substitute(values)

    def items(self, key: str, values: Mapping[str, str]) -> tuple[str, ...]:
        raw = self.texts[key]
        assert isinstance(raw, tuple)
        return tuple(template(item).substitute(values) for item in raw)


Texts = Mapping[str, str | tuple[str, ...]]


@dataclass(frozen=True)
class TemplateSet:
    """All wording: the general wording per kind, and the entries that differ per name.

    A name is a therapy's wording ("ketamine", "visit") or its code ("iv_ketamine"); a letter
    merges the general wording, then its therapy's wording, then its therapy's code, so a
    therapy nobody wrote wording for reads the neutral general letter.
    """

    general: Mapping[LetterKind, Wording]
    layers: Mapping[tuple[LetterKind, str], Texts] = field(default_factory=dict)

    def wording(self, kind: LetterKind, *names: str) -> Wording:
        texts = dict(self.general[kind].texts)
        for name in dict.fromkeys(names):
            texts.update(self.layers.get((kind, name), {}))
        return Wording(kind, texts)

    def for_therapy(self, kind: LetterKind, therapy: TherapyFacts) -> Wording:
        return self.wording(kind, therapy.letter_wording, therapy.code)


# --- Content out --------------------------------------------------------------------------


@dataclass(frozen=True)
class Letterhead:
    clinic_name: str
    address_lines: tuple[str, ...]
    phone: str
    email: str
    logo_path: str | None


@dataclass(frozen=True)
class Section:
    """A heading with paragraphs and then bullet points (either may be empty)."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    # Times the patient must act on (fasting, driving): the renderer makes them stand out.
    key_facts: bool = False
    # Warnings (screening cautions, signs to act on): shaded like the key facts.
    caution: bool = False


@dataclass(frozen=True)
class Glance:
    """The shaded box at the top: the few facts that matter most, as "label: value" lines."""

    heading: str
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class FastingCutoff:
    """ "No solid food after ..." with the instant it falls on, in the clinic's zone."""

    what: str  # "solids" or "liquids"
    at: dt.datetime  # aware, clinic zone
    sentence: str


@dataclass(frozen=True)
class DrivingAdvice:
    rule: DrivingRule
    not_before: dt.datetime | None  # aware, clinic zone; None for "next morning"
    not_before_day: dt.date
    sentence: str


@dataclass(frozen=True)
class LetterContent:
    """Everything one letter says, computed; the renderer only lays it out."""

    kind: LetterKind
    title: str  # also the PDF title
    letterhead: Letterhead
    recipient: tuple[str, ...]  # name, then address lines
    date_line: str
    greeting: str
    intro: str
    sections: tuple[Section, ...]
    closing: str
    signature: str
    table: Table | None = None
    glance: Glance | None = None
    # The computed facts, also present in the sentences above, for checks and worklists.
    starts_at: dt.datetime | None = None  # clinic zone
    arrival_at: dt.datetime | None = None
    fasting: tuple[FastingCutoff, ...] = ()
    driver_line: str | None = None
    cautions: tuple[str, ...] = ()
    driving: DrivingAdvice | None = None
    next_sessions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # for the worklist, never printed (e.g. "no address on file")

    @property
    def text(self) -> str:
        """All printed words in reading order, one block per line (for search and tests)."""
        lines = [self.letterhead.clinic_name, *self.recipient, self.date_line, self.title]
        if self.glance is not None:
            lines += [self.glance.heading]
            lines += [f"{label}: {value}" for label, value in self.glance.lines]
        lines += [self.greeting, self.intro]
        for section in self.sections:
            lines += [section.heading, *section.paragraphs, *section.bullets]
        if self.table is not None:
            lines += [" | ".join(self.table.header)]
            lines += [" | ".join(row) for row in self.table.rows]
        lines += [self.closing, self.signature]
        return "\n".join(line for line in lines if line)


class LetterRenderer(Protocol):
    """Lays letters out and returns the document's bytes (one letter after another)."""

    def render(
        self,
        letters: Sequence[LetterContent],
        *,
        title: str,
        author: str,
        paper_size: PaperSize = PaperSize.LETTER,
    ) -> bytes: ...

    def unprintable(self, letter: LetterContent) -> str:
        """The characters of a letter that no font can print (empty when every one prints)."""
        ...


# --- Computation --------------------------------------------------------------------------


def local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given for an instant; attach a time zone")
    return moment.astimezone(zone)


def fasting_cutoffs(
    session: SessionFacts, zone: ZoneInfo, wording: Wording, values: Mapping[str, str]
) -> tuple[FastingCutoff, ...]:
    """The clock times after which the patient may not eat, then not drink.

    Minutes are subtracted from the instant (real elapsed time), then shown on the local
    clock: an 8:00 AM session on the spring-forward morning has its 6-hour cut-off at
    1:00 AM, not at the 2:00 AM that did not exist.
    """
    therapy = session.therapy
    cutoffs = []
    for what, minutes in (
        ("solids", therapy.fasting_solids_minutes),
        ("liquids", therapy.fasting_liquids_minutes),
    ):
        if not minutes:
            continue
        at = local(session.starts_at - dt.timedelta(minutes=minutes), zone)
        when = wording.text(
            _cutoff_key(at, local(session.starts_at, zone).date()),
            {
                **values,
                "cutoff_time": clock_time(at),
                "cutoff_date": day_and_date(at.date()),
                "night_from": _DAYS[(at.weekday() - 1) % 7],
            },
        )
        sentence = wording.text(
            f"fasting_{what}", {**values, "cutoff": when, "hours": hours_text(minutes)}
        )
        cutoffs.append(FastingCutoff(what, at, sentence))
    return tuple(cutoffs)


def _cutoff_key(at: dt.datetime, session_day: dt.date) -> str:
    if at.date() < session_day:
        return "cutoff_evening_before" if at.time() >= EVENING_STARTS else "cutoff_day_before"
    return "cutoff_night_before" if at.time() < NIGHT_ENDS else "cutoff_same_day"


def driving_advice(
    session: SessionFacts, zone: ZoneInfo, wording: Wording, values: Mapping[str, str]
) -> DrivingAdvice | None:
    """When the patient may drive again, or None when the therapy sets no limit.

    ``hours``: that many real hours after the end of observation. ``next_morning``: not on the
    day of the session at all, only the next day after sleep.
    """
    therapy = session.therapy
    ended = local(session.ends_at, zone)
    rule = therapy.driving_rule
    if rule is DrivingRule.HOURS and therapy.driving_hours:
        until = local(session.ends_at + dt.timedelta(hours=therapy.driving_hours), zone)
        sentence = wording.text(
            "driving_hours",
            {
                **values,
                "until_time": clock_time(until),
                "until_date": day_and_date(until.date()),
                "hours": hours_text(therapy.driving_hours * 60),
            },
        )
        return DrivingAdvice(rule, until, until.date(), sentence)
    if rule is DrivingRule.NEXT_MORNING:
        day = ended.date() + dt.timedelta(days=1)
        sentence = wording.text("driving_next_morning", {**values, "until_date": day_and_date(day)})
        return DrivingAdvice(rule, None, day, sentence)
    return None


def _capitalised(text: str) -> str:
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


def _content(
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


def _common_values(clinic: ClinicFacts, patient: PatientFacts, today: dt.date) -> dict[str, str]:
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
        **_common_values(clinic, patient, today),
        "therapy": session.therapy.name,
        "noun": session.therapy.session_noun,
        "session_label": session.label,
        "date": long_date(starts.date()),
        "time": clock_time(starts),
        "arrival_time": clock_time(arrival),
        "arrival_minutes": str(clinic.arrival_minutes_before),
        "place": _place_text(session.place, clinic),
        "observation": hours_text(int(observed.total_seconds() // 60)),
    }


def _driver_line(patient: PatientFacts, wording: Wording, values: Mapping[str, str]) -> str:
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


def _when_day(at: dt.datetime, reference: dt.date) -> str:
    """ "4:45 AM, Monday" on another day than ``reference``; "6:15 PM today" on it."""
    if at.date() == reference:
        return f"{clock_time(at)} today"
    return f"{clock_time(at)}, {_DAYS[at.weekday()]}"


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
            value = f"{value}, {_DAYS[at.weekday()]}"
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


def _sections(*sections: Section) -> list[Section]:
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
        driver_line = _driver_line(patient, wording, values)
        sections.append(Section(wording.text("driver_heading", values), (driver_line,)))
    one_hour_before = {**values, "one_hour_before": clock_time(starts - dt.timedelta(hours=1))}
    items = wording.items("items", values) + wording.items("therapy_items", one_hour_before)
    if video:
        items += wording.items("video_items", values)
    cautions = caution_notes(patient)
    sections += _sections(
        # Cautions ask the patient to act before the day, so they come before the day's list.
        Section(wording.text("cautions_heading", values), cautions, caution=True),
        Section(wording.text("bring_heading", values), bullets=items),
        Section(wording.text("during_heading", values), bullets=wording.items("during", values)),
        Section("", (wording.text("cancel", values),)),
    )
    return replace(
        _content(LetterKind.PREP, wording, values, clinic, patient, today, sections),
        glance=_prep_glance(session, clinic, patient, fasting, wording, values),
        starts_at=starts,
        arrival_at=starts - dt.timedelta(minutes=clinic.arrival_minutes_before),
        fasting=fasting,
        driver_line=driver_line,
        cautions=cautions,
    )


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
        lines.append(
            (wording.text("glance_next", values), f"{short_date(at.date())}, {clock_time(at)}")
        )
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
                    "label": _capitalised(other.label),
                    "session_date": long_date(at.date()),
                    "session_time": clock_time(at),
                },
            )
        )
    sections = _sections(
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
    content = _content(LetterKind.AFTERCARE, wording, values, clinic, patient, today, sections)
    return replace(
        content,
        glance=_aftercare_glance(session, clinic, driving, later, bool(crisis), wording, values),
        starts_at=local(session.starts_at, zone),
        driving=driving,
        next_sessions=tuple(upcoming),
        notes=content.notes + crisis_notes,
    )


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
        **_common_values(clinic, patient, today),
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
                _capitalised(session.label),
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
                essentials.append(wording.text(key, {**own, "hours": hours_text(minutes)}))
        note = templates.for_therapy(LetterKind.SCHEDULE, therapy).text("therapy_note", own)
        if note:
            essentials.append(note)
    driver_line = None
    if any(s.therapy.needs_driver for s in ordered):
        driver_line = _driver_line(patient, wording, values)
        essentials.append(driver_line)
    essentials.append(wording.text("cancel", values))
    sections = [Section(wording.text("prep_heading", values), bullets=tuple(essentials))]
    return replace(
        _content(LetterKind.SCHEDULE, wording, values, clinic, patient, today, sections),
        table=Table(tuple(wording.items("table_header", values)), tuple(rows)),
        driver_line=driver_line,
        cautions=caution_notes(patient),
    )
