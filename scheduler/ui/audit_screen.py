"""The Audit screen: who did what and when, filtered, fetched as the user scrolls, exported.

The trail grows with every write, so the table holds one page at first and fetches the next
when the user scrolls to its end (``canFetchMore``/``fetchMore``). "Check the trail" walks
the whole hash chain and says whether any entry was changed, removed or inserted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QModelIndex, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.when import timestamp
from scheduler.errors import ServiceError
from scheduler.services.audit_chain import verify_chain
from scheduler.services.audit_view import (
    AuditEntryView,
    AuditFilter,
    AuditPage,
    audit_choices,
    audit_page,
    export_audit_csv,
)
from scheduler.services.changes import Change
from scheduler.ui.desk import Desk
from scheduler.ui.qt_dates import show_us_style, to_qdate
from scheduler.ui.tables import ID_ROLE, AnyIndex, RowsModel
from scheduler.ui.widgets import RefreshedWhenShown, note_label, row_table, title_label

SHOWS = Change.AUDIT | Change.STAFF
FILTER_DELAY_MS = 250
REASON_WIDTH = 200
EVERYONE = "Everyone"
ALL_ACTIONS = "All actions"
# The earliest date a date field can hold stands for "no date": it shows as "any day".
NO_DATE = QDate(2000, 1, 1)

FetchPage = Callable[[int | None], AuditPage]


class AuditModel(RowsModel[AuditEntryView]):
    """Audit entries, newest first; fetches older pages when the view scrolls to the end."""

    HEADERS: ClassVar[tuple[str, ...]] = (
        "When",
        "Who",
        "Action",
        "Patient",
        "Chart",
        "Record",
        "Reason",
        "Changes",
    )
    COL_WHEN, COL_WHO, COL_ACTION, COL_PATIENT, COL_CHART, COL_RECORD, COL_REASON = range(7)
    COL_CHANGES = 7

    def __init__(self, zone: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self._fetch: FetchPage | None = None
        self._more = False

    def load(self, fetch: FetchPage) -> None:
        """Start again from the newest entry, reading pages through ``fetch``."""
        self._fetch = fetch
        page = fetch(None)
        self._more = page.more
        self.set_rows(page.entries)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and self._fetch is not None

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent) or self._fetch is None:
            return
        page = self._fetch(self._rows[-1].entry_id if self._rows else None)
        self._more = page.more
        if page.entries:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.entries) - 1)
            self._rows.extend(page.entries)
            self.endInsertRows()

    def value(self, row: AuditEntryView, column: int, role: int) -> Any:
        if role == ID_ROLE:
            return row.entry_id
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_CHANGES:
            return row.changes.replace("; ", "\n")
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_REASON:
            return row.reason or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == self.COL_WHEN:
            return timestamp(row.at.astimezone(self.zone))
        return (
            None,
            row.who,
            row.action,
            row.patient_name,
            row.chart_number,
            row.record,
            row.reason,
            row.changes,
        )[column]


def _date_field() -> QDateEdit:
    field = QDateEdit()
    field.setCalendarPopup(True)
    show_us_style(field)
    field.setMinimumDate(NO_DATE)
    field.setSpecialValueText("any day")
    field.setDate(NO_DATE)
    return field


def _day(field: QDateEdit) -> dt.date | None:
    value = field.date()
    if value == NO_DATE:
        return None
    return dt.date(value.year(), value.month(), value.day())


class AuditScreen(RefreshedWhenShown):
    """Every audit entry, newest first, narrowed by who, patient, action and clinic days."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("audit_screen")

        self.actor = QComboBox()
        self.actor.setObjectName("audit_actor")
        self.action = QComboBox()
        self.action.setObjectName("audit_action")
        for combo in (self.actor, self.action):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(14)
        self.patient = QLineEdit()
        self.patient.setObjectName("audit_patient")
        self.patient.setPlaceholderText("Name, chart number, phone or date of birth")
        self.patient.setClearButtonEnabled(True)
        self.first_day = _date_field()
        self.last_day = _date_field()
        self.clear_button = QPushButton("Clear filters")
        self.export_button = QPushButton("&Export CSV…")
        self.check_button = QPushButton("Check the trail")
        self.count_label = note_label()
        self.check_label = QLabel()
        # Named before it is first laid out, so that the banner's padding counts in its height.
        self.check_label.setObjectName("banner_ok")
        self.check_label.setWordWrap(True)
        self.check_label.hide()

        self.model = AuditModel(desk.zone, self)
        self.table = row_table(self.model, stretch=AuditModel.COL_CHANGES)
        self.table.setObjectName("audit_entries")
        self.table.setWordWrap(False)
        # A long override reason must not squeeze the changes: it gets a set width and a tooltip.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(AuditModel.COL_REASON, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(AuditModel.COL_REASON, REASON_WIDTH)

        filters = QGridLayout()
        filters.addWidget(QLabel("Who"), 0, 0)
        filters.addWidget(self.actor, 0, 1)
        filters.addWidget(QLabel("Action"), 0, 2)
        filters.addWidget(self.action, 0, 3)
        filters.addWidget(QLabel("From"), 0, 4)
        filters.addWidget(self.first_day, 0, 5)
        filters.addWidget(QLabel("To"), 0, 6)
        filters.addWidget(self.last_day, 0, 7)
        filters.addWidget(QLabel("Patient"), 1, 0)
        filters.addWidget(self.patient, 1, 1, 1, 3)
        filters.addWidget(self.clear_button, 1, 5)
        filters.setColumnStretch(8, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label, 1)
        footer.addWidget(self.check_button)
        footer.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Audit trail"))
        layout.addWidget(
            note_label(
                "Every change to the clinic's data: who made it, when, and what it changed. "
                "Scroll down for older entries."
            )
        )
        layout.addLayout(filters)
        layout.addWidget(self.check_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(self.reload)
        self.patient.textChanged.connect(lambda _: self._timer.start())
        for combo in (self.actor, self.action):
            combo.currentIndexChanged.connect(lambda _: self.reload())
        for field in (self.first_day, self.last_day):
            field.dateChanged.connect(lambda _: self.reload())
        self.clear_button.clicked.connect(self.clear_filters)
        self.export_button.clicked.connect(self.export)
        self.check_button.clicked.connect(self.check_trail)
        self.model.rowsInserted.connect(lambda *_: self._count_shown())
        desk.follow(SHOWS, self.data_changed, self)
        self.refresh()

    # -- what is shown ---------------------------------------------------------------------

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            actor=self.actor.currentData() or "",
            patient=self.patient.text().strip(),
            action=self.action.currentData() or "",
            first_day=_day(self.first_day),
            last_day=_day(self.last_day),
        )

    def refresh(self) -> None:
        """Reload the filter choices (new people and actions appear) and the entries."""
        self._stale = False
        choices = self.desk.read(lambda db: audit_choices(db, self.desk.actor))
        self._fill(self.actor, EVERYONE, choices.actors)
        self._fill(self.action, ALL_ACTIONS, choices.actions)
        self.reload()

    def _fill(self, combo: QComboBox, everything: str, values: tuple[str, ...]) -> None:
        chosen = combo.currentData() or ""
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, "")
        for value in values:
            combo.addItem(value, value)
        combo.setCurrentIndex(max(combo.findData(chosen), 0))
        combo.blockSignals(False)

    def reload(self) -> None:
        """Show the newest entries that match the filters."""
        self._timer.stop()
        wanted = self.current_filter()
        self.model.load(
            lambda older: self.desk.read(
                lambda db: audit_page(db, self.desk.actor, wanted, older_than=older)
            )
        )
        self._count_shown()

    def _count_shown(self) -> None:
        shown = self.model.rowCount()
        more = " — scroll down for older ones" if self.model.canFetchMore() else ""
        noun = "entry" if shown == 1 else "entries"
        self.count_label.setText(f"{shown} {noun} shown{more}." if shown else "No entries match.")

    def clear_filters(self) -> None:
        for widget in (self.actor, self.action, self.patient, self.first_day, self.last_day):
            widget.blockSignals(True)
        self.actor.setCurrentIndex(0)
        self.action.setCurrentIndex(0)
        self.patient.clear()
        self.first_day.setDate(NO_DATE)
        self.last_day.setDate(NO_DATE)
        for widget in (self.actor, self.action, self.patient, self.first_day, self.last_day):
            widget.blockSignals(False)
        self.reload()

    def show_day(self, day: dt.date) -> None:
        """Narrow the view to one clinic day."""
        self.first_day.setDate(to_qdate(day))
        self.last_day.setDate(to_qdate(day))

    # -- actions ---------------------------------------------------------------------------

    @classmethod
    def ask_save_path(cls, parent: QWidget | None, suggested: str) -> str | None:
        """Where to save the CSV, or None. Tests replace this."""
        path, _ = QFileDialog.getSaveFileName(
            parent, "Export the audit trail", suggested, "CSV (*.csv)"
        )
        return path or None

    def export(self) -> Path | None:
        """Write every entry matching the filters (not only those loaded) to a CSV file."""
        suggested = f"audit-{self.desk.today().isoformat()}.csv"
        chosen = self.ask_save_path(self, suggested)
        if chosen is None:
            return None
        path = Path(chosen if chosen.lower().endswith(".csv") else f"{chosen}.csv")
        wanted = self.current_filter()
        try:
            written = self.desk.read(lambda db: export_audit_csv(db, self.desk.actor, wanted, path))
        except ServiceError as exc:
            self.desk.refuse(str(exc), self)
            return None
        noun = "entry" if written == 1 else "entries"
        self.count_label.setText(f"Exported {written} {noun} to {path}.")
        return path

    def check_trail(self) -> bool:
        """Walk the whole chain and say whether it is intact; returns whether it is."""
        report = self.desk.read(verify_chain)
        self.check_label.setObjectName("banner_ok" if report.intact else "banner_warning")
        self.check_label.setText(report.sentence())
        self.check_label.style().unpolish(self.check_label)
        self.check_label.style().polish(self.check_label)
        self.check_label.show()
        return report.intact
