"""The nurses' day sheet: what each chair, room and visiting nurse has on one clinic day.

The sheet is built here from plain facts (``SheetVisit``), so every sentence it prints (the
times, "3 of 6", "None on file", the cautions) is computed and tested without a database or a
PDF. The service reads the facts; the renderer only lays them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from scheduler.domain.enums import FindingSeverity, FindingStatus, Phase, Place
from scheduler.domain.escort import needs_escort
from scheduler.domain.screening import FINDING_KINDS
from scheduler.domain.when import clock_time, long_date, time_range, weekday

NONE_ON_FILE = "None on file"
NOT_NEEDED = "Not needed"
NO_NURSE = "No nurse assigned"
VIDEO_CALLS = "Video calls"
NO_CHAIR = "No chair or room assigned"


# --- The facts read from the clinic's records -----------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A screening finding of the patient's, as recorded."""

    kind: str  # a key of ``FINDING_KINDS`` (an unknown key prints as itself)
    severity: FindingSeverity
    status: FindingStatus
    detail: str = ""


@dataclass(frozen=True)
class SheetVisit:
    """One live session of the day with the facts the sheet prints about it."""

    session_id: int
    starts_at: dt.datetime  # aware
    ends_at: dt.datetime
    patient_name: str
    chart_number: str
    therapy_name: str
    therapy_code: str
    needs_driver: bool
    place: Place
    chair_id: int | None
    chair_name: str
    chair_order: tuple[int, str]  # the desk's chair order: sort order, then name
    nurse_name: str
    number: int | None
    planned_count: int | None
    phase: Phase | None  # None for a session outside any course
    driver_name: str
    driver_phone: str
    escort_name: str  # who was recorded at check-in as taking the patient home today
    escort_phone: str
    no_escort_reason: str  # a nurse's reason for letting the patient go with no one
    address: str  # one line; printed for home visits
    findings: tuple[Finding, ...]
    prep_printed: bool
    aftercare_printed: bool
    has_aftercare: bool


# --- The sheet ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caution:
    """A line of the Cautions column; a contraindication still on record stands out."""

    text: str
    contraindication: bool = False
    # The finding's name alone, for a narrow column ("Takes benzodiazepines").
    label: str = field(default="", compare=False)


@dataclass(frozen=True)
class SheetLine:
    """One session as its row of the sheet says it."""

    session_id: int
    time: str  # "9:30 AM – 11:00 AM"
    patient: str
    chart_number: str
    therapy: str
    course: str  # "3 of 6", "Maintenance 1 of 3", "Single session"
    driver: str  # "Sam Lee, (207) 555-0101", "None on file", "Not needed"
    driver_missing: bool  # the therapy needs a driver and none is on file
    address: str
    cautions: tuple[Caution, ...]
    prep: str  # "Printed" / "Not yet"
    aftercare: str  # "Printed" / "Not yet" / "None" (no aftercare letter for this visit)


@dataclass(frozen=True)
class SheetSection:
    """A chair's or room's sessions, or one nurse's home visits, in time order."""

    heading: str
    home_visits: bool
    lines: tuple[SheetLine, ...]


@dataclass(frozen=True)
class DaySheet:
    """The whole day: chairs and rooms in the desk's order, then home visits per nurse."""

    clinic_name: str
    day: dt.date
    title: str  # "Day sheet: Monday, November 23, 2026"
    printed_at: str  # "Printed Saturday, November 21, 2026 at 6:05 PM"
    chairs: tuple[SheetSection, ...]
    home_visits: tuple[SheetSection, ...]
    empty_note: str  # why there is nothing on the sheet ("" when there is)

    @property
    def sections(self) -> tuple[SheetSection, ...]:
        return self.chairs + self.home_visits

    @property
    def session_count(self) -> int:
        return sum(len(s.lines) for s in self.sections)

    @property
    def summary(self) -> str:
        """ "14 sessions; 3 with no driver on file"."""
        count = self.session_count
        text = f"{count} session{'s' if count != 1 else ''}"
        missing = sum(line.driver_missing for s in self.sections for line in s.lines)
        if missing:
            text += f"; {missing} with no driver on file"
        return text


def course_text(phase: Phase | None, number: int | None, count: int | None) -> str:
    """Where the session stands in its course: "3 of 6", "Maintenance 1 of 3", "Single session"."""
    place = f"{number} of {count}" if number is not None and count is not None and count > 1 else ""
    if phase is Phase.MAINTENANCE:
        return f"Maintenance {place}".strip()
    if phase is Phase.SINGLE or not place:
        return "Single session"
    return place


def driver_text(visit: SheetVisit) -> tuple[str, bool]:
    """Who takes the patient home as the sheet prints it, and whether one is needed but missing.

    The person recorded at check-in comes first, then a nurse's reason for no one, then the
    driver on file. A home visit or a video call sends nobody home, whatever the therapy.
    """
    needed = needs_escort(visit.needs_driver, visit.place)
    if visit.escort_name:
        phone = visit.escort_phone or "no phone given"
        return f"{visit.escort_name}, {phone} (recorded today)", False
    if needed and visit.no_escort_reason:
        return f"No driver: {visit.no_escort_reason}", False
    if visit.driver_name:
        phone = visit.driver_phone or "no phone on file"
        return f"{visit.driver_name}, {phone}", False
    if needed:
        return NONE_ON_FILE, True
    return NOT_NEEDED, False


def cautions_of(findings: Iterable[Finding], therapy_code: str) -> tuple[Caution, ...]:
    """The screening findings a nurse must know at the chair, most serious first.

    Cleared findings no longer apply. A contraindication still on the record (overridden by a
    clinician, or open because it was found after booking) prints first and says which; one
    that concerns other therapies only (e.g. vascular disease for esketamine) is left out.
    Cautions print for every session.
    """
    blocking: list[Caution] = []
    cautions: list[Caution] = []
    for finding in findings:
        if finding.status is FindingStatus.CLEARED:
            continue
        kind = FINDING_KINDS.get(finding.kind)
        label = kind.label if kind is not None else finding.kind
        text = f"{label}: {finding.detail}" if finding.detail else label
        if finding.severity is FindingSeverity.CAUTION:
            cautions.append(Caution(text, label=label))
            continue
        if kind is not None and kind.therapies and therapy_code not in kind.therapies:
            continue
        state = "overridden" if finding.status is FindingStatus.OVERRIDDEN else "NOT cleared"
        blocking.append(
            Caution(f"Contraindication ({state}): {text}", contraindication=True, label=label)
        )
    return tuple(dict.fromkeys(blocking + cautions))


def sheet_line(visit: SheetVisit, zone: ZoneInfo) -> SheetLine:
    driver, missing = driver_text(visit)
    starts, ends = visit.starts_at.astimezone(zone), visit.ends_at.astimezone(zone)
    return SheetLine(
        session_id=visit.session_id,
        time=time_range(starts, ends),
        patient=visit.patient_name,
        chart_number=visit.chart_number,
        therapy=visit.therapy_name,
        course=course_text(visit.phase, visit.number, visit.planned_count),
        driver=driver,
        driver_missing=missing,
        address=visit.address,
        cautions=cautions_of(visit.findings, visit.therapy_code),
        prep=_printed(visit.prep_printed),
        aftercare=_printed(visit.aftercare_printed) if visit.has_aftercare else "None",
    )


def _printed(done: bool) -> str:
    return "Printed" if done else "Not yet"


def build_day_sheet(
    *,
    clinic_name: str,
    day: dt.date,
    zone: ZoneInfo,
    visits: Sequence[SheetVisit],
    closed_reason: str | None,
    open_that_day: bool,
    now: dt.datetime,
) -> DaySheet:
    """The day's sheet from its live sessions (any order); ``closed_reason`` names a closure."""
    chairs: dict[str, list[SheetVisit]] = {}
    order: dict[str, tuple[int, tuple[int, str]]] = {}
    nurses: dict[str, list[SheetVisit]] = {}
    for visit in visits:
        if visit.place is Place.HOME:
            nurses.setdefault(visit.nurse_name or NO_NURSE, []).append(visit)
            continue
        heading, rank = _chair_heading(visit)
        chairs.setdefault(heading, []).append(visit)
        order[heading] = rank
    chair_sections = tuple(
        _section(heading, chairs[heading], zone, home_visits=False)
        for heading in sorted(chairs, key=lambda h: order[h])
    )
    # Nurses by name; the visits nobody has been given to go last, where they stand out.
    home_sections = tuple(
        _section(f"Home visits: {name}", nurses[name], zone, home_visits=True)
        for name in sorted(nurses, key=lambda n: (n == NO_NURSE, n.casefold()))
    )
    local_now = now.astimezone(zone)
    return DaySheet(
        clinic_name=clinic_name,
        day=day,
        title=f"Day sheet: {long_date(day)}",
        printed_at=f"Printed {long_date(local_now.date())} at {clock_time(local_now)}",
        chairs=chair_sections,
        home_visits=home_sections,
        empty_note="" if visits else _empty_note(day, closed_reason, open_that_day),
    )


def _chair_heading(visit: SheetVisit) -> tuple[str, tuple[int, tuple[int, str]]]:
    """The section a visit at the clinic goes in, and where that section sorts."""
    if visit.chair_id is not None:
        return visit.chair_name, (0, visit.chair_order)
    if visit.place is Place.VIDEO:
        return VIDEO_CALLS, (1, (0, ""))
    return NO_CHAIR, (2, (0, ""))


def _section(
    heading: str, visits: list[SheetVisit], zone: ZoneInfo, *, home_visits: bool
) -> SheetSection:
    ordered = sorted(visits, key=lambda v: (v.starts_at, v.patient_name, v.session_id))
    return SheetSection(heading, home_visits, tuple(sheet_line(v, zone) for v in ordered))


def _empty_note(day: dt.date, closed_reason: str | None, open_that_day: bool) -> str:
    when = long_date(day)
    if closed_reason is not None:
        why = f" ({closed_reason})" if closed_reason else ""
        return f"The clinic is closed on {when}{why}: no sessions."
    if not open_that_day:
        return f"The clinic is not open on {weekday(day)}s: no sessions on {when}."
    return f"No sessions are booked on {when}."
