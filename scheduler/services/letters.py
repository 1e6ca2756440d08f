"""Printing letters: prep letters for a day, aftercare for a day, a patient's schedule.

Each batch writes one combined PDF (to print) and one PDF per letter (to keep or send), and
records a ``Letter`` row for every letter written, so the desk sees what was printed.
Everything is laid out in memory first; files are written under temporary names and renamed
into place only when all were written, so a failure leaves no partial files and records
nothing. The wording (``TemplateSet``) and the renderer are handed in by the caller, which
keeps this module free of file formats and PDF code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from scheduler.domain.access import Actor, Permission
from scheduler.domain.enums import HOLDING, UPCOMING, LetterKind
from scheduler.domain.letters import (
    LetterContent,
    LetterRenderer,
    TemplateSet,
    aftercare_letter,
    prep_letter,
    schedule_letter,
)
from scheduler.domain.text import fold
from scheduler.domain.when import long_date
from scheduler.errors import ServiceError
from scheduler.services import audit
from scheduler.services.access import require
from scheduler.services.calendar_files import patient_calendar
from scheduler.services.clinic import get_settings
from scheduler.services.letter_facts import clinic_facts, patient_facts, session_facts
from scheduler.services.patients import get_by_chart_number
from scheduler.services.rows import get_or_refuse
from scheduler.services.schedule import SessionIds, day_bounds, overlapping
from scheduler.services.staging import stage_files
from scheduler.store.models import ClinicSettings, Letter, Patient, TreatmentSession


@dataclass(frozen=True)
class LetterBatch:
    """What a print run produced: the files written and the worklist notes for the desk."""

    kind: LetterKind
    letters: tuple[LetterContent, ...]
    files: tuple[Path, ...]  # one per letter, in the order of ``letters``
    combined: Path | None  # all letters in one PDF; None when there was nothing to print
    notes: tuple[str, ...]  # e.g. "no address on file": the letter printed, someone should look
    reprints: int  # how many of the letters had been printed before
    skipped: int = 0  # sessions of the day that have no such letter (e.g. no aftercare sheet)
    left_out: int = 0  # sessions whose letter was printed before, left out of a "new only" run
    calendar: Path | None = None  # the schedule letter's calendar file (.ics), beside the PDF

    @property
    def written(self) -> tuple[Path, ...]:
        extra = (self.calendar,) if self.calendar else ()
        return ((self.combined,) if self.combined else ()) + self.files + extra


@dataclass(frozen=True)
class _Planned:
    content: LetterContent
    patient: Patient
    session: TreatmentSession | None
    series_id: int | None
    file_name: str


# --- Reading the facts ------------------------------------------------------------------


def live_sessions_on(
    db: Session, first: dt.date, last: dt.date, zone: ZoneInfo
) -> list[TreatmentSession]:
    """The sessions that still take place on the clinic's local days ``first`` to ``last``."""
    start, end = day_bounds(zone, first, last)
    query = (
        select(TreatmentSession)
        .where(overlapping(start, end), TreatmentSession.status.in_(HOLDING))
        .options(
            selectinload(TreatmentSession.patient).selectinload(Patient.findings),
            selectinload(TreatmentSession.therapy),
            selectinload(TreatmentSession.series),
        )
        .order_by(TreatmentSession.starts_at, TreatmentSession.id)
    )
    return list(db.scalars(query))


def _later_in_series(
    db: Session, sessions: Sequence[TreatmentSession]
) -> dict[int, list[TreatmentSession]]:
    """For each session, the live sessions after it in its series: one query for a whole day."""
    series_ids = {s.series_id for s in sessions if s.series_id is not None}
    by_series: dict[int, list[TreatmentSession]] = {}
    if series_ids:
        query = select(TreatmentSession).where(
            TreatmentSession.series_id.in_(series_ids), TreatmentSession.status.in_(HOLDING)
        )
        for other in db.scalars(query.order_by(TreatmentSession.starts_at)):
            by_series.setdefault(other.series_id or 0, []).append(other)
    return {
        s.id: [x for x in by_series.get(s.series_id or 0, []) if x.starts_at > s.starts_at]
        for s in sessions
    }


# --- The print runs ---------------------------------------------------------------------


def prep_letters(
    db: Session,
    *,
    first_day: dt.date,
    last_day: dt.date | None = None,
    out_dir: Path,
    templates: TemplateSet,
    renderer: LetterRenderer,
    actor: Actor,
    now: dt.datetime,
    only_unprinted: bool = False,
) -> LetterBatch:
    """The prep letters of every session on a day (or each day of a range).

    With ``only_unprinted`` the sessions that have had a prep letter printed are left out
    (counted in ``left_out``), so a second run prints only those booked since the first.
    """
    require(actor, Permission.PRINT)
    last_day = last_day or first_day
    if last_day < first_day:
        raise ServiceError(
            f"The range ends ({long_date(last_day)}) before it starts ({long_date(first_day)})."
        )
    settings = get_settings(db)
    clinic, notes = clinic_facts(settings)
    today = now.astimezone(clinic.zone).date()
    sessions = live_sessions_on(db, first_day, last_day, clinic.zone)
    left_out = 0
    if only_unprinted:
        printed = printed_kinds(db, [s.id for s in sessions])
        new = [s for s in sessions if (s.id, LetterKind.PREP) not in printed]
        left_out = len(sessions) - len(new)
        sessions = new
    planned = [
        _plan(
            prep_letter(
                clinic, patient_facts(s.patient, s), session_facts(s), templates, today=today
            ),
            s,
            clinic.zone,
        )
        for s in sessions
    ]
    span = first_day.isoformat()
    if last_day != first_day:
        span += f"_to_{last_day.isoformat()}"
    batch = _issue(
        db, LetterKind.PREP, planned, notes, settings, renderer, out_dir,
        combined_name=f"prep-{span}-{'new' if only_unprinted else 'all'}.pdf",
        combined_title=f"Prep letters, {_span_words(first_day, last_day)}",
        actor=actor, now=now,
    )  # fmt: skip
    return replace(batch, left_out=left_out)


def nothing_new(batch: LetterBatch, span: str) -> str:
    """The one sentence for a "new only" run that found every letter printed already."""
    count = batch.left_out
    every = "The prep letter" if count == 1 else f"All {count} prep letters"
    verb = "has" if count == 1 else "have"
    return f"{every} for {span} {verb} been printed already; nothing new to print."


def aftercare_letters(
    db: Session,
    *,
    day: dt.date,
    out_dir: Path,
    templates: TemplateSet,
    renderer: LetterRenderer,
    actor: Actor,
    now: dt.datetime,
) -> LetterBatch:
    """The aftercare letters of every session on a day."""
    require(actor, Permission.PRINT)
    settings = get_settings(db)
    clinic, notes = clinic_facts(settings)
    today = now.astimezone(clinic.zone).date()
    planned = []
    everyone = live_sessions_on(db, day, day, clinic.zone)
    # Consultations, follow-up visits and video calls send no one home with a sheet.
    day_sessions = [s for s in everyone if session_facts(s).has_aftercare]
    after = _later_in_series(db, day_sessions)
    for s in day_sessions:
        later = [session_facts(x) for x in after[s.id]]
        content = aftercare_letter(
            clinic, patient_facts(s.patient, s), session_facts(s), later, templates, today=today
        )
        planned.append(_plan(content, s, clinic.zone))
    batch = _issue(
        db, LetterKind.AFTERCARE, planned, notes, settings, renderer, out_dir,
        combined_name=f"aftercare-{day.isoformat()}-all.pdf",
        combined_title=f"Aftercare letters, {long_date(day)}",
        actor=actor, now=now,
    )  # fmt: skip
    return replace(batch, skipped=len(everyone) - len(day_sessions))


def session_letter(
    db: Session,
    session_id: int,
    kind: LetterKind,
    *,
    out_dir: Path,
    templates: TemplateSet,
    renderer: LetterRenderer,
    actor: Actor,
    now: dt.datetime,
) -> LetterBatch:
    """The prep or aftercare letter of one session (e.g. a reprint at the desk)."""
    require(actor, Permission.PRINT)
    session = get_or_refuse(db, TreatmentSession, session_id, f"No session with id {session_id}.")
    settings = get_settings(db)
    clinic, notes = clinic_facts(settings)
    day = session.starts_at.astimezone(clinic.zone).date()
    if not session.status.holds_slot:
        status = session.status.label.lower()
        raise ServiceError(
            f"The session of {session.patient.full_name} on {long_date(day)} is {status}; "
            "no letter is printed for it."
        )
    today = now.astimezone(clinic.zone).date()
    patient, facts = patient_facts(session.patient, session), session_facts(session)
    if kind is LetterKind.PREP:
        content = prep_letter(clinic, patient, facts, templates, today=today)
    elif kind is LetterKind.AFTERCARE:
        if not facts.has_aftercare:
            raise ServiceError(
                f"{facts.no_aftercare_reason()} (the session of {session.patient.full_name} "
                f"on {long_date(day)})."
            )
        later = [session_facts(x) for x in _later_in_series(db, [session])[session.id]]
        content = aftercare_letter(clinic, patient, facts, later, templates, today=today)
    else:
        raise ServiceError("A schedule letter is printed for a patient, not for one session.")
    return _issue(
        db, kind, [_plan(content, session, clinic.zone)], notes, settings, renderer, out_dir,
        combined_name=None, combined_title="", actor=actor, now=now,
    )  # fmt: skip


def upcoming_sessions(db: Session, patient_id: int, now: dt.datetime) -> list[TreatmentSession]:
    """A patient's booked and confirmed sessions from ``now`` on: what a schedule letter lists."""
    return list(
        db.scalars(
            select(TreatmentSession)
            .where(
                TreatmentSession.patient_id == patient_id,
                TreatmentSession.starts_at >= now,
                TreatmentSession.status.in_(UPCOMING),
            )
            .order_by(TreatmentSession.starts_at)
        )
    )


def schedule_letter_for(
    db: Session,
    chart_number: str,
    *,
    out_dir: Path,
    templates: TemplateSet,
    renderer: LetterRenderer,
    actor: Actor,
    now: dt.datetime,
) -> LetterBatch:
    """A patient's upcoming sessions (every series and maintenance visit) in one letter."""
    require(actor, Permission.PRINT)
    patient = get_by_chart_number(db, chart_number)
    settings = get_settings(db)
    clinic, notes = clinic_facts(settings)
    today = now.astimezone(clinic.zone).date()
    sessions = upcoming_sessions(db, patient.id, now)
    planned = []
    calendars: dict[str, bytes] = {}
    if sessions:
        content = schedule_letter(
            clinic, patient_facts(patient), [session_facts(s) for s in sessions], templates,
            today=today,
        )  # fmt: skip
        series_ids = {s.series_id for s in sessions}
        planned.append(
            _Planned(
                content=content,
                patient=patient,
                session=None,
                series_id=series_ids.pop() if len(series_ids) == 1 else None,
                file_name=f"schedule-{today.isoformat()}-{_patient_slug(patient)}.pdf",
            )
        )
        # The same sessions for the phone, with the cancelled ones so the phone drops them.
        ics = patient_calendar(db, clinic, patient.id, now=now)
        if ics is not None:
            calendars[planned[0].file_name.removesuffix(".pdf") + ".ics"] = ics
    return _issue(
        db, LetterKind.SCHEDULE, planned, notes, settings, renderer, out_dir,
        combined_name=None, combined_title="", actor=actor, now=now, calendars=calendars,
    )  # fmt: skip


# --- Writing and recording --------------------------------------------------------------


def _plan(content: LetterContent, session: TreatmentSession, zone: ZoneInfo) -> _Planned:
    starts = session.starts_at.astimezone(zone)
    name = f"{content.kind.value}-{starts:%Y-%m-%d-%H%M}-{_patient_slug(session.patient)}.pdf"
    return _Planned(content, session.patient, session, session.series_id, name)


def _patient_slug(patient: Patient) -> str:
    """Chart number and an ASCII form of the name, safe in any file system."""
    name = re.sub(r"[^a-z0-9]+", "-", fold(f"{patient.last_name} {patient.first_name}")).strip("-")
    return f"{patient.chart_number}-{name}" if name else patient.chart_number


def _span_words(first: dt.date, last: dt.date) -> str:
    if first == last:
        return long_date(first)
    return f"{long_date(first)} to {long_date(last)}"


def _issue(
    db: Session,
    kind: LetterKind,
    planned: Sequence[_Planned],
    notes: tuple[str, ...],
    settings: ClinicSettings,
    renderer: LetterRenderer,
    out_dir: Path,
    *,
    combined_name: str | None,
    combined_title: str,
    actor: Actor,
    now: dt.datetime,
    calendars: dict[str, bytes] | None = None,
) -> LetterBatch:
    """Lay out, write atomically, then record: a failure at any step records nothing.

    ``calendars`` are calendar files (by file name) written beside the letters, all or none.
    """
    notes = notes + tuple(dict.fromkeys(n for p in planned for n in p.content.notes))
    for plan in planned:
        missing = renderer.unprintable(plan.content)
        if missing:
            notes += (
                f"The letter for {plan.patient.full_name} (chart {plan.patient.chart_number}) "
                f"has characters no installed font can print ({' '.join(missing)}); they show "
                "as blank boxes. Check the name before sending it.",
            )
    if not planned:
        return LetterBatch(kind, (), (), None, notes, 0)
    paper = settings.paper_size
    author = settings.name
    documents: dict[str, bytes] = {}
    names = _unique_names([p.file_name for p in planned])
    for plan, name in zip(planned, names, strict=True):
        title = f"{plan.content.title}: {plan.patient.full_name}"
        documents[name] = renderer.render(
            [plan.content], title=title, author=author, paper_size=paper
        )
    if combined_name is not None:
        documents[combined_name] = renderer.render(
            [p.content for p in planned], title=combined_title, author=author, paper_size=paper
        )
    # The order that leaves nothing half-done: every PDF on disk under a temporary name, then
    # every letter recorded (a read-only or locked database refuses here, before any file
    # has its name), then the renames; the caller's commit comes last, and a failed commit
    # withdraws the files (``withdraw``).
    staged = stage_files(out_dir, documents | (calendars or {}))
    try:
        reprints = _record(db, kind, planned, names, actor=actor, now=now)
        paths = staged.publish()
    finally:
        staged.discard()
    combined = paths[combined_name] if combined_name is not None else None
    files = tuple(paths[name] for name in names)
    calendar = next((paths[name] for name in calendars or {}), None)
    return LetterBatch(
        kind, tuple(p.content for p in planned), files, combined, notes, reprints,
        calendar=calendar,
    )  # fmt: skip


def _record(
    db: Session,
    kind: LetterKind,
    planned: Sequence[_Planned],
    names: Sequence[str],
    *,
    actor: Actor,
    now: dt.datetime,
) -> int:
    """Add a ``Letter`` row (and its audit entry) for each letter; returns how many reprints."""
    reprints = 0
    for plan, name in zip(planned, names, strict=True):
        reprint = _printed_before(db, kind, plan)
        reprints += reprint
        letter = Letter(
            kind=kind,
            patient_id=plan.patient.id,
            session_id=plan.session.id if plan.session else None,
            series_id=plan.series_id,
            generated_at=now,
            generated_by=actor.sign_in,
            reprint=reprint,
            file_name=name,
        )
        db.add(letter)
        audit.record(
            db, actor=actor.sign_in, now=now, action="letter.generate", row=letter, before=None
        )
    db.flush()
    return reprints


def _unique_names(names: list[str]) -> list[str]:
    """The same names, with -2, -3... added where two letters would share a file."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen[name] = seen.get(name, 0) + 1
        unique.append(name if count == 1 else name.replace(".pdf", f"-{count}.pdf"))
    return unique


def printed_kinds(db: Session, session_ids: SessionIds) -> dict[tuple[int, str], bool]:
    """Which letters have been printed for these sessions, keyed by (session id, letter kind).

    One query for a whole day's list, so the desk can show "printed" beside every session.
    """
    if not isinstance(session_ids, Select) and not session_ids:
        return {}
    rows = db.execute(
        select(Letter.session_id, Letter.kind).where(Letter.session_id.in_(session_ids)).distinct()
    )
    return {(session_id, kind): True for session_id, kind in rows if session_id is not None}


def _printed_before(db: Session, kind: LetterKind, plan: _Planned) -> bool:
    query = select(Letter.id).where(Letter.kind == kind)
    if plan.session is not None:
        query = query.where(Letter.session_id == plan.session.id)
    else:
        query = query.where(Letter.patient_id == plan.patient.id, Letter.session_id.is_(None))
    return db.scalar(query.limit(1)) is not None


def write_files(out_dir: Path, documents: dict[str, bytes]) -> dict[str, Path]:
    """Write every document into ``out_dir``, or none of them (see ``staging``)."""
    staged = stage_files(out_dir, documents)
    try:
        return staged.publish()
    finally:
        staged.discard()


def withdraw(batch: LetterBatch) -> None:
    """Remove a batch's files when its transaction failed to commit: unrecorded, unprinted."""
    for path in batch.written:
        path.unlink(missing_ok=True)
