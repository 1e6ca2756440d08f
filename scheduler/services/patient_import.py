"""Importing patients from another system's CSV export: preview, then all or nothing.

Every row goes through the patient form's rules and chart-number assignment
(``patients.create_patients``); a single row in error means nothing is stored, and the
refusal lists every row's problems. Rows that look like a patient already on file (or an
earlier row of the same file) are flagged; they are left out unless the desk says they are
different people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, cast

from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.domain.patient_csv import (
    CHART_NUMBER,
    CsvTable,
    DateOrder,
    Mapping,
    date_order,
    mapping_problem,
    read_birth_date,
)
from scheduler.domain.patients import PatientDetails, validate
from scheduler.errors import ServiceError
from scheduler.services.access import require
from scheduler.services.chart_numbers import charts_taken
from scheduler.services.patients import (
    PatientView,
    charts_of_likely_duplicates,
    create_patients,
    person_key,
    view_of,
)

# Why the audit trail holds each imported patient's creation.
IMPORT_REASON = "Imported from a CSV file"
# Errors the refusal's message spells out; the desk's preview shows every one.
ERRORS_NAMED = 10
_TEXT_FIELDS = tuple(f.name for f in fields(PatientDetails) if f.type == "str")


class ImportRefused(ServiceError):
    """The import stored nothing: the mapping is unusable, or rows have errors (``errors``)."""

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        self.errors = tuple(errors)
        super().__init__(message)


@dataclass(frozen=True)
class ImportRow:
    """One row of the file as it will be stored, with its problems and likely duplicates."""

    row: int  # the spreadsheet row (the header is row 1)
    details: PatientDetails
    chart_number: str  # "" to take the next free chart number
    problems: tuple[str, ...]
    duplicate_of: tuple[str, ...]  # "chart 100004" on file, or "row 5" of this file
    # The chart number is that of the patient on file this row duplicates (a file imported
    # twice): no problem while the row is left out as a duplicate.
    chart_of_duplicate: bool = False

    @property
    def errors(self) -> list[str]:
        return [f"Row {self.row}: {p}" for p in self.problems]

    @property
    def taken_chart_error(self) -> str:
        return f"Row {self.row}: {_taken(self.chart_number)}"


@dataclass(frozen=True)
class ImportPreview:
    """Every row as it will be stored, and what stands in the way."""

    rows: tuple[ImportRow, ...]
    date_note: str  # how birth dates were read, when not plain US or ISO

    @property
    def errors(self) -> list[str]:
        return [error for row in self.rows for error in row.errors]

    @property
    def duplicates(self) -> int:
        return sum(1 for row in self.rows if row.duplicate_of)


@dataclass(frozen=True)
class ImportResult:
    """What an import stored (or, for a dry run, would store) and what it left out."""

    imported: tuple[PatientView, ...]
    skipped: tuple[ImportRow, ...]  # likely duplicates left out
    dry_run: bool

    @property
    def summary(self) -> str:
        verb = "would be imported" if self.dry_run else "imported"
        text = f"{_counted(len(self.imported), 'patient')} {verb}"
        if self.skipped:
            rows = ", ".join(str(r.row) for r in self.skipped)
            text += f"; {_counted(len(self.skipped), 'likely duplicate')} left out (row {rows})"
        return text + "."


def preview_import(
    db: Session, table: CsvTable, mapping: Mapping, *, actor: Actor, now: dt.datetime
) -> ImportPreview:
    """The rows as they would be stored under ``mapping``, with each row's problems."""
    require(actor, Permission.EDIT_PATIENTS)
    problem = mapping_problem(mapping)
    if problem:
        raise ImportRefused(problem)
    column = {field: index for index, field in mapping.items()}
    order = date_order([row[column["date_of_birth"]] for row in table.rows])
    read = [
        _row(number, cells, column, order, now)
        for number, cells in zip(table.numbers, table.rows, strict=True)
    ]
    on_file = charts_of_likely_duplicates(db, [row.details for row in read])
    taken = charts_taken(db, [row.chart_number for row in read if row.chart_number])
    seen: dict[tuple[tuple[str, str], dt.date], int] = {}
    charts: dict[str, int] = {}
    rows = []
    for row, duplicates in zip(read, on_file, strict=True):
        row = _checked_on_file(row, () if row.problems else duplicates, taken)
        key = _person(row.details)
        earlier = seen.setdefault(key, row.row) if key else row.row
        if earlier != row.row:
            row = _flagged(row, f"row {earlier}")
        if row.chart_number:
            first = charts.setdefault(row.chart_number, row.row)
            if first != row.row:
                row = _with_problem(row, f"chart number {row.chart_number} is also in row {first}.")
        rows.append(row)
    return ImportPreview(tuple(rows), order.note)


def import_patients(
    db: Session,
    table: CsvTable,
    mapping: Mapping,
    *,
    actor: Actor,
    now: dt.datetime,
    include_duplicates: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Register every row of the file as a patient, or none of them when any row is wrong.

    Call inside one transaction: a row refused by the patient rules halfway through raises,
    and the caller's rollback takes back the rows before it.
    """
    preview = preview_import(db, table, mapping, actor=actor, now=now)
    errors = preview.errors
    if include_duplicates:
        errors += [r.taken_chart_error for r in preview.rows if r.chart_of_duplicate]
    if errors:
        raise ImportRefused(refusal(errors), errors)
    taken = [r for r in preview.rows if include_duplicates or not r.duplicate_of]
    skipped = tuple(r for r in preview.rows if not include_duplicates and r.duplicate_of)
    if dry_run:
        return _would_be(taken, skipped)
    created = create_patients(
        db,
        [(row.details, row.chart_number or None) for row in taken],
        actor=actor,
        now=now,
        reason=IMPORT_REASON,
    )
    imported = tuple(view_of(patient) for patient in created)
    return ImportResult(imported, skipped, dry_run=False)


def refusal(errors: Sequence[str]) -> str:
    """The one message of an import refused for rows in error: how many, and the first few."""
    count = len(errors)
    named = " ".join(errors[:ERRORS_NAMED])
    more = f" And {count - ERRORS_NAMED} more." if count > ERRORS_NAMED else ""
    return f"{refusal_headline(count)} {named}{more}"


def refusal_headline(count: int) -> str:
    """ "Nothing was imported: 2 problems in the file." """
    return f"Nothing was imported: {_counted(count, 'problem')} in the file."


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _would_be(taken: list[ImportRow], skipped: tuple[ImportRow, ...]) -> ImportResult:
    views = tuple(
        PatientView(
            patient_id=0,
            chart_number=row.chart_number,
            first_name=row.details.first_name,
            last_name=row.details.last_name,
            preferred_name=row.details.preferred_name,
            date_of_birth=row.details.date_of_birth or dt.date.min,
            phone=row.details.mobile_phone or row.details.home_phone,
            archived=False,
        )
        for row in taken
    )
    return ImportResult(views, skipped, dry_run=True)


def _row(
    number: int,
    cells: Sequence[str],
    column: dict[str, int],
    order: DateOrder,
    now: dt.datetime,
) -> ImportRow:
    """One row as it would be stored, with what the patient rules say of it."""
    text = {name: cells[column[name]] if name in column else "" for name in _TEXT_FIELDS}
    born, date_problem = read_birth_date(cells[column["date_of_birth"]], order, now.date())
    # Only text fields come from the file (consent to email is never imported: a patient
    # opts in at this clinic); mypy cannot see that the keys name only text fields.
    details = PatientDetails(date_of_birth=born, **cast("dict[str, Any]", text)).cleaned()
    problems = [date_problem + "."] if date_problem else []
    problems += [
        message
        for field, message in validate(details, today=now.date())
        if not (date_problem and field == "date_of_birth")
    ]
    chart = cells[column[CHART_NUMBER]].strip() if CHART_NUMBER in column else ""
    return ImportRow(number, details, chart, tuple(problems), duplicate_of=())


def _checked_on_file(row: ImportRow, duplicates: tuple[str, ...], taken: set[str]) -> ImportRow:
    """The row with the likely duplicates on file, and its chart number if another's."""
    chart_of_duplicate = bool(row.chart_number) and row.chart_number in duplicates
    problems = row.problems
    if row.chart_number in taken and not chart_of_duplicate:
        problems = (*problems, _taken(row.chart_number))
    return replace(
        row,
        problems=problems,
        duplicate_of=tuple(f"chart {chart}" for chart in duplicates),
        chart_of_duplicate=chart_of_duplicate,
    )


def _taken(chart: str) -> str:
    return f"chart number {chart} is already taken."


def _person(details: PatientDetails) -> tuple[tuple[str, str], dt.date] | None:
    if details.date_of_birth is None:
        return None
    return (person_key(details.first_name, details.last_name), details.date_of_birth)


def _flagged(row: ImportRow, duplicate: str) -> ImportRow:
    return replace(row, duplicate_of=(*row.duplicate_of, duplicate))


def _with_problem(row: ImportRow, problem: str) -> ImportRow:
    return replace(row, problems=(*row.problems, problem))
