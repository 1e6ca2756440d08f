"""The clinic's lists as CSV files: the patients, a day's sessions, the boosters due.

The files hold patient data, so they are written owner-only and whole (``privacy``), and
encoded UTF-8 with a BOM, which spreadsheets need to show accents and other scripts.
Dates are US style, as the desk shows them; the patients' file reads back through the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor, Permission
from scheduler.domain.patient_csv import IMPORT_FIELDS
from scheduler.domain.when import numeric_date, time_range
from scheduler.errors import ServiceError
from scheduler.private_files import write_private
from scheduler.services.access import require
from scheduler.services.boosters import BOOSTER_PAGE, BoosterDue, boosters_due
from scheduler.services.schedule import clinic_calendar, sessions_on_day
from scheduler.store.models import Patient

PATIENT_COLUMNS = (*IMPORT_FIELDS, "archived")
SESSION_HEADERS = ("Date", "Time", "Chair", "Patient", "Chart number", "Therapy", "Session",
                   "Status")  # fmt: skip
BOOSTER_HEADERS = ("Patient", "Chart number", "Phone", "Last session", "Therapy", "Booster",
                   "Due", "Days overdue")  # fmt: skip
# A cell starting with one of these is a formula to a spreadsheet: a name typed as
# "=HYPERLINK(...)" must stay text when the file is opened.
_FORMULA_START = ("=", "@", "\t", "\r")


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A CSV document in UTF-8 with a BOM, every cell safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _safe(cell: str) -> str:
    if cell.startswith(_FORMULA_START) or (
        cell[:1] in "+-" and not cell[1:2].isdigit() and cell[1:2] not in " ("
    ):
        return "'" + cell
    return cell


def patients_csv(db: Session, *, actor: Actor) -> bytes:
    """Every patient on file (archived ones marked), in name order, with every detail."""
    require(actor, Permission.EDIT_PATIENTS)
    headers = [*IMPORT_FIELDS.values(), "Archived"]
    patients = db.scalars(select(Patient).order_by(Patient.name_key, Patient.id))
    return csv_bytes(headers, (_patient_row(p) for p in patients))


def _patient_row(patient: Patient) -> list[str]:
    cells = []
    for field in PATIENT_COLUMNS:
        value = getattr(patient, field)
        if isinstance(value, dt.date):
            cells.append(numeric_date(value))
        elif isinstance(value, bool):
            cells.append("yes" if value else "no")
        else:
            cells.append(value)
    return cells


def sessions_csv(db: Session, day: dt.date, *, actor: Actor) -> bytes:
    """A clinic day's sessions, by start time and chair, cancelled ones included."""
    require(actor, Permission.PRINT)
    zone = clinic_calendar(db, names=False).zone
    rows = (
        (
            numeric_date(day),
            time_range(s.starts_at.astimezone(zone), s.ends_at.astimezone(zone)),
            s.chair_name,
            s.patient_name,
            s.chart_number,
            s.therapy_name,
            s.progress,
            s.status.label,
        )
        for s in sessions_on_day(db, day)
    )
    return csv_bytes(SESSION_HEADERS, rows)


def boosters_csv(db: Session, *, today: dt.date, actor: Actor) -> bytes:
    """The whole booster-due list, most overdue first, as the Boosters due dialog shows it."""
    require(actor, Permission.BOOK)
    due: list[BoosterDue] = []
    while page := boosters_due(db, today=today, after=due[-1] if due else None):
        due.extend(page)
        if len(page) < BOOSTER_PAGE:
            break
    rows = (
        (
            b.patient_name,
            b.chart_number,
            b.phone,
            numeric_date(b.last_session_on),
            b.last_therapy_name,
            f"{b.protocol_name} (every {b.interval_days} days)",
            numeric_date(b.last_session_on + dt.timedelta(days=b.interval_days)),
            str(b.days_overdue),
        )
        for b in due
    )
    return csv_bytes(BOOSTER_HEADERS, rows)


def write_export(path: Path, data: bytes) -> Path:
    """Write an export owner-only and whole; one sentence when the file cannot be written."""
    try:
        write_private(path, data)
    except OSError as exc:
        raise ServiceError(
            f"Cannot write {path}: {exc.strerror or exc}. Nothing was exported."
        ) from exc
    return path
