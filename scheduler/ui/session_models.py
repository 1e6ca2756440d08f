"""Qt item models for sessions, proposals and free slots, fed plain rows by the screens.

The models never query: a screen asks a service for rows (``SessionView``, ``ProposedSession``,
``Slot`` or the small wrappers below) and hands them over with ``set_rows()``. The rows are
described here by protocols of the attributes the models read, so a test can feed any plain
dataclass with those attributes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QObject,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from scheduler.domain.day_sheet import Caution
from scheduler.domain.enums import Place, SessionStatus
from scheduler.domain.lateness import late_text, minutes_late
from scheduler.domain.when import date_and_time, time_range
from scheduler.ui.tables import ID_ROLE, R, RowsModel


class SessionLike(Protocol):
    """What the desk shows of one booked session (the schedule service's ``SessionView``)."""

    @property
    def session_id(self) -> int: ...
    @property
    def patient_id(self) -> int: ...
    @property
    def patient_name(self) -> str: ...
    @property
    def chart_number(self) -> str: ...
    @property
    def therapy_id(self) -> int: ...
    @property
    def therapy_name(self) -> str: ...
    @property
    def therapy_colour(self) -> str: ...
    @property
    def chair_id(self) -> int | None: ...
    @property
    def chair_name(self) -> str: ...
    @property
    def place(self) -> Place: ...
    @property
    def starts_at(self) -> dt.datetime: ...
    @property
    def ends_at(self) -> dt.datetime: ...
    @property
    def treatment_minutes(self) -> int: ...
    @property
    def observation_minutes(self) -> int: ...
    @property
    def buffer_minutes(self) -> int: ...
    @property
    def status(self) -> SessionStatus: ...
    @property
    def progress(self) -> str: ...
    @property
    def driver_name(self) -> str: ...
    @property
    def has_aftercare(self) -> bool: ...
    @property
    def needs_escort(self) -> bool: ...
    @property
    def escort_name(self) -> str: ...
    @property
    def no_escort_reason(self) -> str: ...
    @property
    def escort_missing(self) -> bool: ...


class ProposedLike(Protocol):
    """One row of a series proposal (the booking service's ``ProposedSession``)."""

    @property
    def number(self) -> int: ...
    @property
    def starts_at(self) -> dt.datetime | None: ...
    @property
    def ends_at(self) -> dt.datetime | None: ...
    @property
    def chair_name(self) -> str | None: ...
    @property
    def moved(self) -> bool: ...
    @property
    def reason(self) -> str: ...
    @property
    def why(self) -> str: ...


class SlotLike(Protocol):
    """A free slot offered for booking or rescheduling (the schedule service's ``Slot``)."""

    @property
    def starts_at(self) -> dt.datetime: ...
    @property
    def chair_id(self) -> int | None: ...
    @property
    def chair_name(self) -> str | None: ...


@dataclass(frozen=True)
class DeskSession:
    """A session as the Today and Letters lists show it: the view plus what was printed."""

    view: SessionLike
    prep_printed: bool = False
    aftercare_printed: bool = False
    prep_emailed: bool = False


def _prep_text(row: DeskSession) -> str:
    """The prep letter's state: "Printed", "Emailed", "Printed, emailed" or "Not printed"."""
    if row.prep_emailed:
        return "Printed, emailed" if row.prep_printed else "Emailed"
    return "Printed" if row.prep_printed else "Not printed"


# Wider, and the patient's name beside it would be cut short instead.
ESCORT_COLUMN_CHARS = 24


def escort_text(view: SessionLike) -> str:
    """Who takes the patient home, as the day's lists say it.

    Recorded at check-in ("Sam Lee (recorded)"), a nurse's reason for no one, the driver on
    file still to be asked about, "None on file" (shown in red) or, after a visit that sends
    no one home sedated, "Not needed".
    """
    if not view.needs_escort:
        return "Not needed"
    if view.escort_name:
        return f"{view.escort_name} (recorded for today)"
    if view.no_escort_reason:
        return f"No driver: {view.no_escort_reason}"
    return view.driver_name or "None on file"


def short_escort_text(view: SessionLike) -> str:
    """``escort_text`` to fit a column: the name recorded (shown in green), a nurse's reason
    cut short (it may be a sentence)."""
    text = view.escort_name or escort_text(view)
    if len(text) <= ESCORT_COLUMN_CHARS:
        return text
    return text[: ESCORT_COLUMN_CHARS - 1].rstrip() + "…"


def day_and_clock(when: dt.datetime, zone: ZoneInfo) -> str:
    """A date and time as the desk writes it: Mon, Nov 16, 2026, 9:30 AM."""
    return date_and_time(when.astimezone(zone))


_STATUS_COLOURS = {
    SessionStatus.CANCELLED: "#9a9a9a",
    SessionStatus.NO_SHOW: "#b03a2e",
    SessionStatus.COMPLETED: "#2e7d32",
    SessionStatus.CHECKED_IN: "#1565c0",
}


class ZonedRowsModel(RowsModel[R]):
    """Rows whose times show on the clinic's clock; cells are text plus an optional colour."""

    def __init__(self, zone: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zone = zone

    def value(self, row: R, column: int, role: int) -> Any:
        if role == ID_ROLE:
            return self.row_id(row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row, column)
        return None

    def row_id(self, row: R) -> int | None:
        return None

    def cell(self, row: R, column: int) -> str:
        raise NotImplementedError

    def foreground(self, row: R, column: int) -> QBrush | None:
        return None


class DaySessionsModel(ZonedRowsModel[DeskSession]):
    """One day's sessions for the front desk (Today) and the nurses (Letters)."""

    COL_TIME, COL_PATIENT, COL_THERAPY, COL_PROGRESS, COL_CHAIR = range(5)
    COL_STATUS, COL_DRIVER, COL_PREP, COL_AFTERCARE = range(5, 9)
    HEADERS: ClassVar[tuple[str, ...]] = (
        "Time",
        "Patient",
        "Therapy",
        "Session",
        "Chair / room",
        "Status",
        "Driver",
        "Prep letter",
        "Aftercare",
    )

    def row_id(self, row: DeskSession) -> int:
        return row.view.session_id

    def value(self, row: DeskSession, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_DRIVER:
            return escort_text(row.view)  # the whole of a nurse's reason
        return super().value(row, column, role)

    def cell(self, row: DeskSession, column: int) -> str:
        view = row.view
        if column == self.COL_TIME:
            return time_range(
                view.starts_at.astimezone(self.zone), view.ends_at.astimezone(self.zone)
            )
        if column == self.COL_PATIENT:
            return f"{view.patient_name} ({view.chart_number})"
        if column == self.COL_THERAPY:
            return view.therapy_name
        if column == self.COL_PROGRESS:
            return view.progress or "Single"
        if column == self.COL_CHAIR:
            return view.chair_name or view.place.label
        if column == self.COL_STATUS:
            return view.status.label
        if column == self.COL_DRIVER:
            return short_escort_text(view)
        if column == self.COL_PREP:
            return _prep_text(row)
        if column == self.COL_AFTERCARE:
            if not view.has_aftercare:
                return "None for this visit"
            return "Printed" if row.aftercare_printed else "Not printed"
        return ""

    def foreground(self, row: DeskSession, column: int) -> QBrush | None:
        if column == self.COL_STATUS and row.view.status in _STATUS_COLOURS:
            return QBrush(QColor(_STATUS_COLOURS[row.view.status]))
        if column == self.COL_DRIVER and row.view.escort_missing and not row.view.driver_name:
            return QBrush(QColor("#b03a2e"))
        if column == self.COL_DRIVER and row.view.escort_name:
            return QBrush(QColor("#2e7d32"))
        if column == self.COL_DRIVER and not row.view.needs_escort:
            return QBrush(QColor("#9a9a9a"))
        if column == self.COL_PREP and not (row.prep_printed or row.prep_emailed):
            return QBrush(QColor("#b05a00"))
        return None

    def index_of_session(self, session_id: int) -> int | None:
        for number, row in enumerate(self._rows):
            if row.view.session_id == session_id:
                return number
        return None


# The Cautions cell shows the first caution cut to this; the tooltip has them all.
# Narrow, so the patient's name beside it keeps its room on a 1366-pixel screen.
CAUTION_COLUMN_CHARS = 22
_LATE_RED = "#c62828"


def short_cautions(cautions: Sequence[Caution]) -> str:
    """The most serious caution's name cut to fit a column, and how many more the tooltip
    holds (a contraindication shows in red, so its name alone says enough)."""
    if not cautions:
        return ""
    first = cautions[0].label or cautions[0].text
    if len(first) > CAUTION_COLUMN_CHARS:
        # Cut at a word: "Uncontrolled high…" reads better than "Uncontrolled high bl…".
        cut = first[:CAUTION_COLUMN_CHARS].rsplit(" ", 1)[0] or first[: CAUTION_COLUMN_CHARS - 1]
        first = cut.rstrip(" ,:") + "…"
    more = len(cautions) - 1
    return f"{first} (+{more})" if more else first


def waiting_text(count: int | None) -> str:
    """The Waitlist cell of a freed slot: "2 fit", "None fit"; "" for a slot not freed."""
    if count is None:
        return ""
    return f"{count} fit" if count else "None fit"


class TodaySessionsModel(DaySessionsModel):
    """Today's list: the day's sessions, which patients are late, and their cautions.

    ``set_now`` moves the desk's clock on (a timer calls it each minute), so a patient not
    checked in turns "Late" without a reload.
    """

    COL_CAUTIONS = len(DaySessionsModel.HEADERS)
    COL_WAITLIST = COL_CAUTIONS + 1
    HEADERS = (*DaySessionsModel.HEADERS, "Cautions", "Waitlist")

    def __init__(self, zone: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(zone, parent)
        self.now: dt.datetime | None = None
        self._cautions: Mapping[int, tuple[Caution, ...]] = {}
        self._waiting: Mapping[int, int] = {}

    def set_day(
        self,
        rows: Sequence[DeskSession],
        cautions: Mapping[int, tuple[Caution, ...]],
        now: dt.datetime | None,
        waiting: Mapping[int, int] | None = None,
    ) -> None:
        """A day's rows with their cautions; ``now`` is None for a day other than today (no
        one is late and there is no current-time line). ``waiting``: for each cancelled
        session whose chair is still free, how many waitlist patients fit its slot."""
        self._cautions = cautions
        self._waiting = waiting or {}
        self.now = now
        self.set_rows(rows)

    def waiting(self, row: DeskSession) -> int | None:
        """How many waitlist patients fit the slot this cancelled session freed, if it did."""
        return self._waiting.get(row.view.session_id)

    def set_now(self, now: dt.datetime) -> None:
        self.now = now
        if self.rowCount():
            status = self.COL_STATUS
            self.dataChanged.emit(self.index(0, status), self.index(self.rowCount() - 1, status))

    def cautions(self, row: DeskSession) -> tuple[Caution, ...]:
        return self._cautions.get(row.view.session_id, ())

    def minutes_late(self, row: DeskSession) -> int | None:
        if self.now is None:
            return None
        return minutes_late(row.view.status, row.view.starts_at, self.now)

    def value(self, row: DeskSession, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_PATIENT:
            return f"{row.view.patient_name}, chart {row.view.chart_number}"
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_CAUTIONS:
            return "\n".join(c.text for c in self.cautions(row)) or None
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_WAITLIST:
            return "Click to offer the freed chair to them" if self.waiting(row) else None
        late = self.minutes_late(row) if column == self.COL_STATUS else None
        if late is not None and role == Qt.ItemDataRole.ToolTipRole:
            return late_text(late)
        return super().value(row, column, role)

    def cell(self, row: DeskSession, column: int) -> str:
        # The chart number waits in the tooltip: with the Cautions column beside it, the
        # patient's whole name fits a 1366-pixel screen only alone.
        if column == self.COL_PATIENT:
            return row.view.patient_name
        if column == self.COL_CAUTIONS:
            return short_cautions(self.cautions(row))
        if column == self.COL_WAITLIST:
            return waiting_text(self.waiting(row))
        if column == self.COL_STATUS and self.minutes_late(row) is not None:
            return "Late"
        return super().cell(row, column)

    def foreground(self, row: DeskSession, column: int) -> QBrush | None:
        if column == self.COL_STATUS and self.minutes_late(row) is not None:
            return QBrush(QColor(_LATE_RED))
        if column == self.COL_CAUTIONS and self.cautions(row):
            serious = self.cautions(row)[0].contraindication
            return QBrush(QColor(_LATE_RED if serious else "#b05a00"))
        return super().foreground(row, column)

    def now_row(self) -> int | None:
        """The first row starting at or after now: the current-time line is drawn above it
        (``rowCount()`` when every session has started: the line goes under the last)."""
        if self.now is None:
            return None
        for number, row in enumerate(self._rows):
            if row.view.starts_at >= self.now:
                return number
        return len(self._rows)


class ProposalModel(ZonedRowsModel[ProposedLike]):
    """A series proposal: one row per planned session, with why it moved or has no slot."""

    COL_NUMBER, COL_WHEN, COL_CHAIR, COL_STATUS, COL_REASON = range(5)
    HEADERS = ("#", "When", "Chair / room", "Status", "Why")

    def row_id(self, row: ProposedLike) -> int:
        return row.number

    def value(self, row: ProposedLike, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_REASON:
            return row.reason or None  # the whole sentence behind the short phrase
        return super().value(row, column, role)

    def cell(self, row: ProposedLike, column: int) -> str:
        if column == self.COL_NUMBER:
            return str(row.number)
        if column == self.COL_WHEN:
            if row.starts_at is None:
                return "—"
            return day_and_clock(row.starts_at, self.zone)
        if column == self.COL_CHAIR:
            return row.chair_name or "—"
        if column == self.COL_STATUS:
            return proposal_status(row)
        if column == self.COL_REASON:
            return row.why
        return ""

    def foreground(self, row: ProposedLike, column: int) -> QBrush | None:
        if column == self.COL_STATUS:
            if row.starts_at is None:
                return QBrush(QColor("#b03a2e"))
            if row.moved:
                return QBrush(QColor("#b05a00"))
            return QBrush(QColor("#2e7d32"))
        return None

    def bookable(self) -> bool:
        return bool(self._rows) and all(r.starts_at is not None for r in self._rows)


def proposal_status(row: ProposedLike) -> str:
    if row.starts_at is None:
        return "No slot"
    return "Moved" if row.moved else "As asked"


class SlotModel(ZonedRowsModel[SlotLike]):
    """Free slots to choose from when booking, changing a proposal row or rescheduling."""

    COL_WHEN, COL_CHAIR = range(2)
    HEADERS = ("When", "Chair / room")

    def cell(self, row: SlotLike, column: int) -> str:
        if column == self.COL_WHEN:
            return day_and_clock(row.starts_at, self.zone)
        if column == self.COL_CHAIR:
            return row.chair_name or "—"
        return ""
