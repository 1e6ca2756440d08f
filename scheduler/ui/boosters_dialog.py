"""Boosters due (Patient › Boosters due…): who is past their maintenance interval, most
overdue first, loaded a page at a time as the list is scrolled; a row opens the patient."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from scheduler.domain.access import Permission
from scheduler.domain.when import short_date
from scheduler.services.boosters import BoosterDue, boosters_due
from scheduler.services.csv_export import boosters_csv
from scheduler.ui.csv_files import export_button
from scheduler.ui.desk import Desk
from scheduler.ui.tables import ID_ROLE, PagedRowsModel
from scheduler.ui.widgets import note_label, row_table


class BoostersDueModel(PagedRowsModel[BoosterDue]):
    """Patients due a booster, a page at a time."""

    COL_NAME, COL_CHART, COL_PHONE, COL_LAST, COL_THERAPY, COL_BOOSTER, COL_OVERDUE = range(7)
    HEADERS = ("Patient", "Chart", "Phone", "Last session", "Therapy", "Booster", "Overdue")

    def value(self, row: BoosterDue, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.patient_name,
                row.chart_number,
                row.phone,
                short_date(row.last_session_on),
                row.last_therapy_name,
                f"{row.protocol_name} (every {row.interval_days} days)",
                f"{row.days_overdue} day{'' if row.days_overdue == 1 else 's'}",
            )[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_OVERDUE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == ID_ROLE:
            return row.patient_id
        return None


class BoostersDueDialog(QDialog):
    """The booster-due list; Open (or a double click) hands the patient to ``open_patient``."""

    def __init__(
        self, desk: Desk, open_patient: Callable[[int], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Boosters due")
        self.desk = desk
        self.open_patient = open_patient
        self.model = BoostersDueModel(self)
        self.table = row_table(self.model, stretch=BoostersDueModel.COL_NAME)
        self.table.doubleClicked.connect(self._open)
        self.note = note_label(
            "Patients whose last session is older than their maintenance interval and who "
            "have nothing booked, most overdue first. Open a patient to book their booster."
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = self.buttons.addButton(
            "&Open patient", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button = export_button(
            desk,
            self,
            "The boosters due",
            lambda: f"boosters-due-{desk.today().isoformat()}.csv",
            lambda db: boosters_csv(db, today=desk.today(), actor=desk.actor),
            Permission.BOOK,
        )
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(lambda: self._open(self.table.currentIndex()))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.resize(1000, 560)
        self.refresh()

    def refresh(self) -> None:
        today = self.desk.today()

        def fetch(loaded: Sequence[BoosterDue]) -> list[BoosterDue]:
            after = loaded[-1] if loaded else None
            return self.desk.read(
                lambda db: boosters_due(db, today=today, limit=self.model.PAGE, after=after)
            )

        self.model.start(fetch)
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.note.setText("Nobody is due a booster: everyone is within their interval.")
        self.open_button.setEnabled(self.model.rowCount() > 0)

    def _open(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        self.open_patient(self.model.row_at(index.row()).patient_id)
        self.accept()
