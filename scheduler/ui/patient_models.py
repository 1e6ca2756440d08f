"""Qt item models for the Patients screen, fed plain rows (never querying in ``data()``).

The search model is lazy (``tables.PagedRowsModel``): a clinic with tens of thousands of
patients loads one page at a time as the user scrolls.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor

from scheduler.domain.enums import FindingSeverity, FindingStatus, SessionStatus
from scheduler.domain.screening import FINDING_KINDS
from scheduler.domain.when import date_of_birth, date_span, short_date
from scheduler.services.schedule import CourseView, SessionView
from scheduler.ui.tables import ID_ROLE, PagedRowsModel, RowsModel, clock

_MUTED = QBrush(QColor("#7a8591"))
_BLOCKING = QBrush(QColor("#b3261e"))


@dataclass(frozen=True)
class PatientRow:
    patient_id: int
    name: str  # "Łukasiewicz, Zoë (Zo)"
    chart_number: str
    date_of_birth: dt.date
    phone: str
    archived: bool


class PatientSearchModel(PagedRowsModel[PatientRow]):
    """Patients found by the search box, loaded a page at a time."""

    COL_NAME, COL_CHART, COL_BORN, COL_PHONE = range(4)
    HEADERS = ("Name", "Chart", "Born", "Phone")

    def value(self, row: PatientRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_NAME:
                return f"{row.name} (archived)" if row.archived else row.name
            if column == self.COL_CHART:
                return row.chart_number
            if column == self.COL_BORN:
                return date_of_birth(row.date_of_birth)
            if column == self.COL_PHONE:
                return row.phone
        if role == ID_ROLE:
            return row.patient_id
        if role == Qt.ItemDataRole.ForegroundRole and row.archived:
            return _MUTED
        return None


@dataclass(frozen=True)
class FindingRow:
    finding_id: int
    kind: str
    severity: FindingSeverity
    status: FindingStatus
    detail: str
    recorded_on: dt.date
    resolution: str  # "Overridden by Dr Ng on 2026-11-02: controlled on review"

    @property
    def label(self) -> str:
        spec = FINDING_KINDS.get(self.kind)
        return spec.label if spec else self.kind

    @property
    def is_open(self) -> bool:
        return self.status is FindingStatus.OPEN

    @property
    def blocks(self) -> bool:
        return self.is_open and self.severity is FindingSeverity.BLOCKING


class FindingsModel(RowsModel[FindingRow]):
    """A patient's screening findings: blocking ones that are open stand out in red."""

    COL_FINDING, COL_SEVERITY, COL_STATUS, COL_DETAIL = range(4)
    HEADERS = ("Finding", "Kind", "Status", "Detail / resolution")

    def value(self, row: FindingRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_FINDING:
                return row.label
            if column == self.COL_SEVERITY:
                return "Contraindication" if row.severity is FindingSeverity.BLOCKING else "Caution"
            if column == self.COL_STATUS:
                return row.status.capitalize()
            if column == self.COL_DETAIL:
                return " — ".join(t for t in (row.detail, row.resolution) if t)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Recorded {short_date(row.recorded_on)}"
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.blocks:
                return _BLOCKING
            if not row.is_open:
                return _MUTED
        if role == ID_ROLE:
            return row.finding_id
        return None


class CoursesModel(RowsModel[CourseView]):
    """A patient's series, newest first, with "3 of 6" progress."""

    COL_PROTOCOL, COL_PROGRESS, COL_STATUS, COL_DATES = range(4)
    HEADERS = ("Series", "Done", "Status", "Dates")

    def __init__(self, zone: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zone = zone

    def value(self, row: CourseView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_PROTOCOL:
                return row.protocol_name
            if column == self.COL_PROGRESS:
                return row.progress
            if column == self.COL_STATUS:
                return row.status.value.capitalize()
            if column == self.COL_DATES:
                held = [s for s in row.sessions if s.status.holds_slot] or row.sessions
                if not held:
                    return ""
                first = held[0].starts_at.astimezone(self.zone).date()
                last = held[-1].starts_at.astimezone(self.zone).date()
                return date_span(first, last)
        if role == ID_ROLE:
            return row.series_id
        return None


class CourseSessionsModel(RowsModel[SessionView]):
    """The sessions of one series: number, when, where and what happened."""

    COL_NUMBER, COL_DATE, COL_TIME, COL_THERAPY, COL_CHAIR, COL_STATUS = range(6)
    HEADERS = ("#", "Date", "Time", "Therapy", "Chair", "Status")

    def __init__(self, zone: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zone = zone

    def value(self, row: SessionView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            local = row.starts_at.astimezone(self.zone)
            if column == self.COL_NUMBER:
                return row.progress or (str(row.number) if row.number else "")
            if column == self.COL_DATE:
                return short_date(local.date())
            if column == self.COL_TIME:
                return clock(row.starts_at, self.zone)
            if column == self.COL_THERAPY:
                return row.therapy_name
            if column == self.COL_CHAIR:
                return row.chair_name or row.place.label
            if column == self.COL_STATUS:
                reason = f": {row.status_reason}" if row.status_reason else ""
                return f"{row.status.label}{reason}"
        if role == Qt.ItemDataRole.ForegroundRole and row.status in (
            SessionStatus.CANCELLED,
            SessionStatus.NO_SHOW,
        ):
            return _MUTED
        if role == ID_ROLE:
            return row.session_id
        return None
