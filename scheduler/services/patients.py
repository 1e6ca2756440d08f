"""Patients: create, edit, archive and find them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, and_, exists, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.orm.util import AliasedClass

from scheduler.domain.access import Actor, Permission
from scheduler.domain.enums import FindingSeverity, FindingStatus
from scheduler.domain.patients import PatientDetails, parse_date, validate
from scheduler.domain.text import (
    MIN_NUMBER_DIGITS,
    NAME,
    NUMBER,
    SEARCH_WORD_MAX,
    SHORT_START,
    digits,
    fold,
    name_key,
    name_words,
    search_words,
)
from scheduler.domain.when import date_of_birth
from scheduler.errors import FieldProblem, NotFound, ServiceError, ValidationFailed
from scheduler.services import audit
from scheduler.services.access import require
from scheduler.services.chart_numbers import (
    LOOKUP_CHUNK,
    ChartNumbers,
    given_charts,
)
from scheduler.services.clinic import clinic_day
from scheduler.services.rows import get_or_refuse
from scheduler.store.models import Patient, PatientSearchWord, ScreeningFinding

SEARCH_PAGE = 200


class LikelyDuplicate(ServiceError):
    """Another patient has the same name and date of birth; saving needs the desk to confirm."""

    def __init__(self, matches: list[Patient]) -> None:
        self.chart_numbers = [p.chart_number for p in matches]
        self.patient_ids = [p.id for p in matches]
        first = matches[0]
        super().__init__(
            f"{first.full_name}, born {date_of_birth(first.date_of_birth)}, is already on file "
            f"(chart {', '.join(self.chart_numbers)}). Open that chart, or confirm this is "
            "a different person."
        )


@dataclass(frozen=True, slots=True)
class PatientView:
    """One patient as a list or a heading shows them: values read inside the transaction."""

    patient_id: int
    chart_number: str
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: dt.date
    phone: str  # the mobile, else the home phone
    archived: bool

    @property
    def display_name(self) -> str:
        """The name the desk and letters call the patient by."""
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def list_name(self) -> str:
        """Last name first, as lists sort them: "Łukasiewicz, Zoë (Zo)"."""
        name = f"{self.last_name}, {self.first_name}"
        if self.preferred_name and self.preferred_name != self.first_name:
            name += f" ({self.preferred_name})"
        return name


@dataclass(frozen=True, slots=True)
class FindingView:
    """One screening finding of a patient, with who resolved it (if anyone)."""

    finding_id: int
    kind: str
    severity: FindingSeverity
    status: FindingStatus
    detail: str
    recorded_at: dt.datetime
    resolved_at: dt.datetime | None
    resolved_by: str  # the clinician's name; "" when unresolved or unknown
    resolution_reason: str


@dataclass(frozen=True, slots=True)
class PatientChart:
    """Everything the desk shows of one open patient: details, screening and clearance."""

    patient: PatientView
    details: PatientDetails
    findings: tuple[FindingView, ...]
    screening_cleared_at: dt.datetime | None
    screening_cleared_by: str  # the clinician's name, "" when not cleared
    rems_enrolled_on: dt.date | None  # None unless enrolled
    email_consent_on: dt.date | None = None  # the day the patient agreed to email, if they did


class _Viewed(Protocol):
    """What a patient's view is made of: a patient, or a row of just these columns."""

    id: int
    chart_number: str
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: dt.date
    mobile_phone: str
    home_phone: str
    archived: bool


def view_of(patient: _Viewed) -> PatientView:
    return PatientView(
        patient_id=patient.id,
        chart_number=patient.chart_number,
        first_name=patient.first_name,
        last_name=patient.last_name,
        preferred_name=patient.preferred_name,
        date_of_birth=patient.date_of_birth,
        phone=patient.mobile_phone or patient.home_phone,
        archived=patient.archived,
    )


def finding_view(finding: ScreeningFinding) -> FindingView:
    return FindingView(
        finding_id=finding.id,
        kind=finding.kind,
        severity=finding.severity,
        status=finding.status,
        detail=finding.detail,
        recorded_at=finding.recorded_at,
        resolved_at=finding.resolved_at,
        resolved_by=finding.resolved_by.name if finding.resolved_by else "",
        resolution_reason=finding.resolution_reason,
    )


def patient_view(db: Session, patient_id: int) -> PatientView:
    """One patient's name, chart number and birthday, for a heading or a letter's title."""
    return view_of(get_patient(db, patient_id))


def patient_chart(db: Session, patient_id: int) -> PatientChart:
    """The open patient: details, screening findings and who cleared them, in one read."""
    return chart_of(get_patient(db, patient_id))


def chart_of(patient: Patient) -> PatientChart:
    return PatientChart(
        patient=view_of(patient),
        details=details_of(patient),
        findings=tuple(finding_view(f) for f in patient.findings),
        screening_cleared_at=patient.screening_cleared_at,
        screening_cleared_by=(
            patient.screening_cleared_by.name if patient.screening_cleared_by else ""
        ),
        rems_enrolled_on=patient.rems_enrolled_on if patient.rems_enrolled else None,
        email_consent_on=patient.email_consent_on,
    )


def save_patient(
    db: Session,
    patient_id: int | None,
    details: PatientDetails,
    *,
    actor: Actor,
    now: dt.datetime,
    confirm_duplicate: bool = False,
) -> PatientView:
    """The patient form's Save: register a new patient (no id yet) or update one."""
    if patient_id is None:
        patient = create_patient(
            db, details, actor=actor, now=now, confirm_duplicate=confirm_duplicate
        )
    else:
        patient = update_patient(
            db, patient_id, details, actor=actor, now=now, confirm_duplicate=confirm_duplicate
        )
    return view_of(patient)


def create_patient(
    db: Session,
    details: PatientDetails,
    *,
    actor: Actor,
    now: dt.datetime,
    confirm_duplicate: bool = False,
    chart_number: str | None = None,
    reason: str = "",
) -> Patient:
    """Register a new patient with the next free chart number (or the one given, if free).

    ``reason`` goes into the audit entry (an import says where the patient came from).
    """
    require(actor, Permission.EDIT_PATIENTS)
    details = _checked(details, now)
    if not confirm_duplicate and (matches := likely_duplicates(db, details)):
        raise LikelyDuplicate(matches)
    (chart_number,) = given_charts(db, [chart_number])
    patient = _new_patient(
        details, chart_number or ChartNumbers(db).next(), now=now, today=clinic_day(db, now)
    )
    keep_search_words(patient)
    db.add(patient)
    audit.record(
        db,
        actor=actor.sign_in,
        now=now,
        action="patient.create",
        row=patient,
        before=None,
        reason=reason,
    )
    return patient


# New patients written (with their search words and audit entries) per flush.
CREATE_BATCH = 500


def create_patients(
    db: Session,
    people: Sequence[tuple[PatientDetails, str | None]],
    *,
    actor: Actor,
    now: dt.datetime,
    reason: str = "",
) -> list[Patient]:
    """Register many new patients at once, each as ``create_patient`` would (duplicates confirmed).

    Each person comes with the chart number they bring, or None for the next free one. What
    every patient shares (the numbers on file, the clinic's day) is read once, and patients
    are written in batches: an import of thousands takes seconds, not minutes. A chart number
    brought by one is never given to another, wherever they stand in the list.
    """
    require(actor, Permission.EDIT_PATIENTS)
    checked = [_checked(details, now) for details, _ in people]
    charts = given_charts(db, [chart for _, chart in people])
    numbers = ChartNumbers(db, reserved=[c for c in charts if c], expected=len(charts))
    today = clinic_day(db, now)
    created: list[Patient] = []
    for start in range(0, len(checked), CREATE_BATCH):
        batch = []
        for details, chart in zip(
            checked[start : start + CREATE_BATCH], charts[start : start + CREATE_BATCH], strict=True
        ):
            if chart:
                numbers.registered()
            batch.append(_new_patient(details, chart or numbers.next(), now=now, today=today))
        db.add_all(batch)
        audit.record_new_rows(
            db, actor=actor.sign_in, now=now, action="patient.create", rows=batch, reason=reason
        )
        # The words as rows, not objects: a patient has a dozen or more, and building each as
        # an object costs more than all the rest of the import.
        db.execute(insert(_Word), [row for patient in batch for row in _word_rows(patient)])
        created += batch
    return created


def _new_patient(
    details: PatientDetails, chart_number: str, *, now: dt.datetime, today: dt.date
) -> Patient:
    """A new patient with checked ``details``, not yet added; their search words are to come."""
    patient = Patient(chart_number=chart_number, archived=False, created_at=now, updated_at=now)
    _apply_details(patient, details, today)
    return patient


def update_patient(
    db: Session,
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
    _apply(patient, details, clinic_day(db, now))
    patient.updated_at = now
    audit.record(
        db, actor=actor.sign_in, now=now, action="patient.update", row=patient, before=before
    )
    return patient


def set_archived(
    db: Session, patient_id: int, archived: bool, *, actor: Actor, now: dt.datetime
) -> PatientView:
    """Archive a patient (hidden from search, history kept) or bring one back."""
    require(actor, Permission.EDIT_PATIENTS)
    patient = get_patient(db, patient_id)
    before = audit.snapshot(patient)
    patient.archived = archived
    patient.updated_at = now
    keep_search_words(patient)
    action = "patient.archive" if archived else "patient.unarchive"
    audit.record(db, actor=actor.sign_in, now=now, action=action, row=patient, before=before)
    return view_of(patient)


def get_patient(db: Session, patient_id: int) -> Patient:
    """The patient's row, for the services to change; the desk reads ``patient_view``."""
    return get_or_refuse(db, Patient, patient_id, f"No patient with id {patient_id}.")


def get_by_chart_number(db: Session, chart_number: str) -> Patient:
    patient = db.scalar(select(Patient).where(Patient.chart_number == chart_number.strip()))
    if patient is None:
        raise NotFound(f"No patient has chart number {chart_number}.")
    return patient


def details_of(patient: Patient) -> PatientDetails:
    """The editable details of a saved patient, for a form to start from."""
    return PatientDetails(**{f.name: getattr(patient, f.name) for f in fields(PatientDetails)})


def likely_duplicates(db: Session, details: PatientDetails) -> list[Patient]:
    """Patients on file with the same name (ignoring case and accents) and date of birth."""
    if details.date_of_birth is None:
        return []
    candidates = db.scalars(
        select(Patient).where(
            Patient.date_of_birth == details.date_of_birth, Patient.archived.is_(False)
        )
    )
    wanted = person_key(details.first_name, details.last_name)
    return [p for p in candidates if person_key(p.first_name, p.last_name) == wanted]


def person_key(first_name: str, last_name: str) -> tuple[str, str]:
    """What two patients with the same date of birth must share to be likely the same person."""
    return (fold(first_name), fold(last_name))


def charts_of_likely_duplicates(
    db: Session, people: Sequence[PatientDetails]
) -> list[tuple[str, ...]]:
    """For each of many people, the chart numbers of ``likely_duplicates`` on file.

    A few queries for a whole list (an import), not one a person.
    """
    born = sorted({p.date_of_birth for p in people if p.date_of_birth is not None})
    on_file: dict[tuple[dt.date, tuple[str, str]], list[str]] = {}
    for start in range(0, len(born), LOOKUP_CHUNK):
        rows = db.execute(
            select(
                Patient.date_of_birth, Patient.first_name, Patient.last_name, Patient.chart_number
            )
            .where(
                Patient.date_of_birth.in_(born[start : start + LOOKUP_CHUNK]),
                Patient.archived.is_(False),
            )
            .order_by(Patient.id)
        )
        for day, first, last, chart in rows:
            on_file.setdefault((day, person_key(first, last)), []).append(chart)
    return [
        tuple(on_file.get((p.date_of_birth, person_key(p.first_name, p.last_name)), ()))
        if p.date_of_birth is not None
        else ()
        for p in people
    ]


# Above every character: ``word < start + _AFTER_ALL`` holds for each word starting with start.
_AFTER_ALL = "\U0010ffff"
# A number matched by fewer search words than this leads the search (its patients are
# gathered and sorted); a commoner one (an area code) is checked patient by patient in name
# order instead, which soon fills a page because most patients match.
FEW_MATCHES = 3000
# Words typed are counted this far to choose the rarest to lead, since walking a common
# word and checking a rarer one costs far more; past this, all are common alike. (At least
# FEW_MATCHES, which decides on these counts.)
LEAD_COUNT_LIMIT = 5000
# Patients of each common word looked at to see how often they match the others.
SAMPLE = 400
# The desk counts a search's matches only as far as one page ("more than 200 found"):
# counting further costs time on every keystroke and tells the desk nothing it can use.
COUNT_LIMIT = SEARCH_PAGE
# With nothing typed, counting the patients on file checks no words, so it goes further.
ON_FILE_COUNT_LIMIT = 10_000

_Word = PatientSearchWord


@dataclass(frozen=True)
class _Prefix:
    """A typed word as the start of a patient's search words of one kind."""

    kind: str
    start: str

    @property
    def exact(self) -> bool:
        """Short name starts are search words themselves: one key, already in name order."""
        return self.kind == NAME and len(self.start) <= SHORT_START

    def matches(
        self, word: type[_Word] | AliasedClass[_Word] = _Word, *, by_word: bool = True
    ) -> ColumnElement[bool]:
        """The condition on a search word; ``by_word=False`` keeps it off the word index."""
        text: ColumnElement[str] = word.word.expression if by_word else word.word.concat("")
        if self.exact:
            return and_(word.kind == self.kind, text == self.start)
        return and_(word.kind == self.kind, text >= self.start, text < self.start + _AFTER_ALL)

    def patient_ids(self) -> Select[int]:
        return select(_Word.patient_id).where(self.matches())

    def holds_for(
        self,
        patient_id: InstrumentedAttribute[int],
        name_key: InstrumentedAttribute[str],
        *,
        guessing: bool,
    ) -> ColumnElement[bool]:
        """Whether the patient has a word with this start.

        A name word is looked for in the name key of the row being checked, which holds every
        folded name word after a space: no other row is read ("jennifer s" checks the 2,000
        Jennifers' keys for " s" rather than looking up each one's words).

        A number is looked up among that patient's own words. For a database that plans by
        guesses from its statistics (``guessing``: PostgreSQL) the word is compared as an
        expression no index holds, so it looks the patient up by the primary key (patient,
        kind, word) whatever it guesses: guessing a common start rare, PostgreSQL otherwise
        read every patient's words with that start again for each patient checked. SQLite
        plans by rules and seeks the key with the word range too.
        """
        if self.kind == NAME:
            return name_key.contains(f" {self.start}", autoescape=True)
        found = aliased(_Word)
        return exists().where(
            found.patient_id == patient_id, self.matches(found, by_word=not guessing)
        )


@dataclass(frozen=True)
class _Typed:
    """What was typed, split into word prefixes and conditions on the patient's own columns."""

    prefixes: tuple[_Prefix, ...]
    conditions: tuple[ColumnElement[bool], ...]

    @classmethod
    def read(cls, text: str) -> _Typed:
        prefixes: list[_Prefix] = []
        conditions: list[ColumnElement[bool]] = []
        for word in text.split():
            born = parse_date(word)
            number = digits(word)
            if born is not None:
                conditions.append(Patient.date_of_birth == born)
            elif not any(ch.isalpha() for ch in word) and len(number) >= MIN_NUMBER_DIGITS:
                prefixes.append(_Prefix(NUMBER, number[:SEARCH_WORD_MAX]))
            elif parts := name_words(word):
                prefixes.extend(_Prefix(NAME, part[:SEARCH_WORD_MAX]) for part in parts)
            else:
                conditions.append(Patient.chart_number == word)
        return cls(tuple(dict.fromkeys(prefixes)), tuple(conditions))

    def by_patient(self, *, include_archived: bool, guessing: bool) -> Select[int]:
        """Matching patient ids, checked patient by patient in name order."""
        query = select(Patient.id).where(*self.conditions)
        if not include_archived:
            query = query.where(Patient.archived.is_(False))
        query = query.where(
            *(p.holds_for(Patient.id, Patient.name_key, guessing=guessing) for p in self.prefixes)
        )
        # name_key starts with the folded last name, so it sorts Łukasiewicz among the Ls.
        return query.order_by(Patient.name_key, Patient.id)

    def by_word(self, lead: _Prefix, *, include_archived: bool, guessing: bool) -> Select[int]:
        """Matching patient ids, gathered from the search words of ``lead``, in name order."""
        query = select(_Word.patient_id).where(lead.matches())
        if not include_archived:
            query = query.where(_Word.archived.is_(False))
        query = query.where(
            *(
                p.holds_for(_Word.patient_id, _Word.name_key, guessing=guessing)
                for p in self.prefixes
                if p != lead
            )
        )
        if not lead.exact:
            # Two words of one patient may share the start ("5555", "555").
            query = query.group_by(_Word.name_key, _Word.patient_id)
        return query.order_by(_Word.name_key, _Word.patient_id)

    def planned(self, db: Session, *, include_archived: bool) -> Select[int]:
        """Matching patient ids in name order, by the quickest way for this database."""
        if self.conditions or not self.prefixes:
            # A birth date or chart number is served by its own index; nothing typed is a
            # walk down the name index.
            return self.by_patient(include_archived=include_archived, guessing=_guessing(db))
        lead = _CHOSEN.lead(db, self)
        if lead is None:
            return self.by_patient(include_archived=include_archived, guessing=_guessing(db))
        return self.by_word(lead, include_archived=include_archived, guessing=_guessing(db))

    def _lead(self, db: Session) -> _Prefix | None:
        """The word to gather the patients from, or None to check patient by patient."""
        names = [p for p in self.prefixes if p.kind == NAME]
        counts = {p: _CHOSEN.commonness(db, p) for p in self.prefixes}
        if len(self.prefixes) > 1 and min(counts.values()) == LEAD_COUNT_LIMIT:
            # Every word is common ("sam l"): the quickest to lead is the one whose patients
            # most often match the other words too, as it fills a page soonest.
            counts = {p: -self._sampled_hits(db, p) for p in counts}
        # Among words equally common, a short name start is read in name order and stops at
        # a page, and a longer start is the likelier to narrow the others down.
        lead = min(names or self.prefixes, key=lambda p: (counts[p], not p.exact, -len(p.start)))
        # Name words lead even when common: their patients cluster in name order (last names
        # come first), so checking patient by patient would pass over most of the clinic.
        return lead if names or counts[lead] < FEW_MATCHES else None

    def _sampled_hits(self, db: Session, lead: _Prefix) -> int:
        """Of the first patients ``lead`` matches, how many match every other word too."""
        first = select(_Word).where(lead.matches()).limit(SAMPLE).subquery()
        sampled = aliased(_Word, first)
        others = (
            p.holds_for(sampled.patient_id, sampled.name_key, guessing=_guessing(db))
            for p in self.prefixes
            if p != lead
        )
        return db.scalar(select(func.count()).select_from(sampled).where(*others)) or 0


def _guessing(db: Session) -> bool:
    """Whether the database plans by guesses from its statistics (a server), not by rules."""
    return db.get_bind().dialect.name != "sqlite"


class _Choices:
    """The way chosen for the last searches, and how common their words were.

    The desk asks again as the user scrolls, and typing "jennifer s", "jennifer sm" asks how
    common "jennifer" is each time. A choice only makes a search quicker or slower, never
    changes what it finds, so a slightly old one is kept rather than counted again.
    """

    KEPT = 64

    def __init__(self) -> None:
        self.leads: dict[_Typed, _Prefix | None] = {}
        self.counts: dict[_Prefix, int] = {}

    def lead(self, db: Session, typed: _Typed) -> _Prefix | None:
        if typed not in self.leads:
            self.leads[typed] = typed._lead(db)
            _forget_oldest(self.leads, self.KEPT)
        return self.leads[typed]

    def commonness(self, db: Session, prefix: _Prefix) -> int:
        """How many search words start with ``prefix``, counted up to ``LEAD_COUNT_LIMIT``."""
        if prefix not in self.counts:
            self.counts[prefix] = _count_up_to(db, prefix.patient_ids(), LEAD_COUNT_LIMIT)
            _forget_oldest(self.counts, self.KEPT)
        return self.counts[prefix]


def _forget_oldest(kept: dict[Any, Any], most: int) -> None:
    while len(kept) > most:
        del kept[next(iter(kept))]


_CHOSEN = _Choices()


def search_query(text: str, *, include_archived: bool = False) -> Select[Patient]:
    """Patients matching every word typed: a name prefix, chart number, phone digits or birth date.

    Name words match the start of any part of the first, last or preferred name, ignoring case,
    accents and apostrophes ("zoe" finds Zoë, "o'brien" and "obrien" find O'Brien). A number
    of three digits or more matches the start of a chart number or any run of a phone's digits.
    """
    typed = _Typed.read(text)
    query = select(Patient).where(*typed.conditions)
    if not include_archived:
        query = query.where(Patient.archived.is_(False))
    query = query.where(*(Patient.id.in_(p.patient_ids()) for p in typed.prefixes))
    return query.order_by(Patient.name_key, Patient.id)


def search_patients(
    db: Session,
    text: str,
    *,
    limit: int = SEARCH_PAGE,
    offset: int = 0,
    include_archived: bool = False,
) -> list[PatientView]:
    """One page of the patients matching ``text`` (see ``search_query``), in name order."""
    query = _Typed.read(text).planned(db, include_archived=include_archived)
    return _views(db, list(db.scalars(query.limit(limit).offset(offset))))


@dataclass(frozen=True)
class PatientsFound:
    """The first page of a search and how many patients match, as far as the count goes."""

    page: list[PatientView]
    total: int  # counted no further than ``counted_to`` + 1
    counted_to: int  # a total above it means "more than" it (``count_limit``)

    @property
    def more_than_counted(self) -> bool:
        return self.total > self.counted_to


def find_patients(
    db: Session, text: str, *, limit: int = SEARCH_PAGE, include_archived: bool = False
) -> PatientsFound:
    """The first ``limit`` patients matching ``text``, and how many match (see ``count_limit``).

    The desk shows both on every keystroke. A typed search is counted no further than it
    can cheaply read, so reading that many ids in name order answers both in one statement:
    counting separately would find the same patients a second time.
    """
    query = _Typed.read(text).planned(db, include_archived=include_archived)
    most = count_limit(text)
    # The patients on file are counted further than is worth reading: only past a full page.
    reach = max(limit, most) if most <= COUNT_LIMIT else limit
    ids = list(db.scalars(query.limit(reach + 1)))
    if len(ids) <= reach or reach >= most:
        total = min(len(ids), most + 1)
    else:
        total = _count_up_to(db, query.order_by(None), most + 1)
    return PatientsFound(_views(db, ids[:limit]), total, most)


def _views(db: Session, ids: list[int]) -> list[PatientView]:
    """The patients' views in the order of ``ids``, read as plain rows: a search shows a list
    and keeps no patient, so it skips the cost of a hundred objects per keystroke."""
    found = {
        row.id: view_of(row) for row in db.execute(select(*_VIEWED).where(Patient.id.in_(ids)))
    }
    return [found[i] for i in ids]


_VIEWED = (
    Patient.id,
    Patient.chart_number,
    Patient.first_name,
    Patient.last_name,
    Patient.preferred_name,
    Patient.date_of_birth,
    Patient.mobile_phone,
    Patient.home_phone,
    Patient.archived,
)


def count_limit(text: str) -> int:
    """How far ``count_patients`` counts: a count above it means "more than" it."""
    return COUNT_LIMIT if text.strip() else ON_FILE_COUNT_LIMIT


def count_patients(db: Session, text: str = "", *, include_archived: bool = False) -> int:
    """How many patients match ``text``, counted no further than ``count_limit(text)`` + 1."""
    query = _Typed.read(text).planned(db, include_archived=include_archived)
    return _count_up_to(db, query.order_by(None), count_limit(text) + 1)


def _count_up_to(db: Session, query: Select[Any], most: int) -> int:
    return db.scalar(select(func.count()).select_from(query.limit(most).subquery())) or 0


def keep_search_words(patient: Patient) -> None:
    """Bring the patient's search words in step with their name, phones, chart and archiving.

    Words that stay are updated in place: removing and adding the same row in one flush
    would insert it before the old one is deleted.
    """
    wanted = _wanted_words(patient)
    kept = [w for w in patient.search_words if (w.kind, w.word) in wanted]
    have = {(w.kind, w.word) for w in kept}
    patient.search_words = kept + [
        _Word(kind=kind, word=word) for kind, word in sorted(wanted - have)
    ]
    for word in patient.search_words:
        word.name_key, word.archived = patient.name_key, patient.archived


def _wanted_words(patient: Patient) -> set[tuple[str, str]]:
    """The (kind, word) pairs the patient is found by."""
    return search_words(
        last_name=patient.last_name,
        first_name=patient.first_name,
        preferred_name=patient.preferred_name,
        chart_number=patient.chart_number,
        phones=[patient.mobile_phone, patient.home_phone],
    )


def _word_rows(patient: Patient) -> list[dict[str, Any]]:
    """A saved patient's search words as rows to insert."""
    shared = {"patient_id": patient.id, "name_key": patient.name_key, "archived": patient.archived}
    return [{**shared, "kind": kind, "word": word} for kind, word in sorted(_wanted_words(patient))]


def _checked(details: PatientDetails, now: dt.datetime) -> PatientDetails:
    details = details.cleaned()
    problems = validate(details, today=now.date())
    if problems:
        raise ValidationFailed([FieldProblem(f, m) for f, m in problems])
    return details


def _apply(patient: Patient, details: PatientDetails, today: dt.date) -> None:
    _apply_details(patient, details, today)
    keep_search_words(patient)


def _apply_details(patient: Patient, details: PatientDetails, today: dt.date) -> None:
    values = asdict(details)
    # Consent is kept with the day it was given; withdrawing it clears the day.
    if not values.pop("email_consent"):
        patient.email_consent_on = None
    elif patient.email_consent_on is None:
        patient.email_consent_on = today
    for name, value in values.items():
        setattr(patient, name, value)
    patient.name_key = name_key(details.last_name, details.first_name, details.preferred_name)
