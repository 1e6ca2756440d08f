"""Settings → Protocols: a therapy's courses (how many sessions, how far apart, which days)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QSpinBox, QWidget
from sqlalchemy.orm import Session

from scheduler.domain.enums import Phase
from scheduler.domain.when import SHORT_WEEKDAYS
from scheduler.services import settings as svc
from scheduler.ui.desk import Desk
from scheduler.ui.settings.fields import (
    Row,
    add_rows,
    check_grid,
    combo,
    counted_suffix,
    optional,
    optional_spin,
    set_combo,
)
from scheduler.ui.settings.list_editor import ListEditor
from scheduler.ui.tables import ID_ROLE, RowsModel
from scheduler.ui.widgets import note_label

PHASE_LABELS = {
    Phase.INDUCTION: "Induction series",
    Phase.MAINTENANCE: "Maintenance",
    Phase.SINGLE: "Single session",
}


class ProtocolsModel(RowsModel[svc.ProtocolEntry]):
    COL_NAME, COL_THERAPY, COL_PHASE, COL_COUNT = range(4)
    HEADERS = ("Protocol", "Therapy", "Kind", "Sessions")

    def value(self, row: svc.ProtocolEntry, column: int, role: int) -> Any:
        e = row.edit
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                e.name if e.active else f"{e.name} (not used)",
                row.therapy_name,
                PHASE_LABELS[Phase(e.phase)],
                "" if e.session_count is None else str(e.session_count),
            )[column]
        return row.protocol_id if role == ID_ROLE else None


class ProtocolsTab(ListEditor[svc.ProtocolEntry]):
    """Settings → Protocols."""

    noun = "protocol"

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, ProtocolsModel(), parent)
        self.therapy = QComboBox()
        self.phase = combo(PHASE_LABELS)
        self.count = optional_spin(99, "as needed", " sessions")
        self.min_gap = QSpinBox()
        self.min_gap.setRange(0, 365)
        counted_suffix(self.min_gap, " days")
        self.max_gap = optional_spin(365, "no limit", " days")
        self.max_span = optional_spin(365, "no limit", " days")
        self.interval = optional_spin(365, "—", " days")
        self.day_boxes = [QCheckBox(name) for name in SHORT_WEEKDAYS]
        days = check_grid(self.day_boxes, columns=4)
        self.active = QCheckBox("In use")
        add_rows(
            self.form,
            self.problems,
            (
                Row("Name:", self.name, "name"),
                Row("Therapy:", self.therapy, "therapy_id"),
                Row("Kind:", self.phase, "phase"),
                Row("Sessions:", self.count, "session_count"),
                Row("At least:", self.min_gap, "min_gap_days"),
                Row("At most:", self.max_gap, "max_gap_days"),
                Row("Whole series within:", self.max_span, "max_span_days"),
                Row("Preferred days:", days, "preferred_weekdays"),
                Row("Maintenance every:", self.interval, "maintenance_interval_days"),
            ),
        )
        self.form.addRow("", self.active)
        self.form.addRow("", note_label("An induction series has 6 to 8 sessions."))

    def load(self) -> None:
        therapies = self.desk.read(svc.list_therapies)
        self.therapy.clear()
        for therapy in therapies:
            self.therapy.addItem(therapy.edit.name, therapy.therapy_id)
        super().load()

    def rows(self, db: Session) -> list[svc.ProtocolEntry]:
        return svc.list_protocols(db)

    def row_id(self, row: svc.ProtocolEntry) -> int:
        return row.protocol_id

    def row_title(self, row: svc.ProtocolEntry) -> str:
        return row.edit.name

    def fill(self, row: svc.ProtocolEntry) -> None:
        e = row.edit
        self.name.setText(e.name)
        set_combo(self.therapy, e.therapy_id)
        set_combo(self.phase, e.phase)
        self.count.setValue(e.session_count or 0)
        self.min_gap.setValue(e.min_gap_days)
        self.max_gap.setValue(e.max_gap_days or 0)
        self.max_span.setValue(e.max_span_days or 0)
        self.interval.setValue(e.maintenance_interval_days or 0)
        for day, box in enumerate(self.day_boxes):
            box.setChecked(day in e.preferred_weekdays)
        self.active.setChecked(e.active)

    def fill_new(self) -> None:
        """A single maintenance visit of the therapy shown, on any day, until changed."""
        therapy_id = int(self.therapy.currentData() or 0)
        new = svc.ProtocolEdit("", Phase.MAINTENANCE, 1, therapy_id=therapy_id)
        self.fill(svc.ProtocolEntry(0, "", new))

    def write(self, db: Session) -> int:
        edit = svc.ProtocolEdit(
            name=self.name.text(),
            therapy_id=int(self.therapy.currentData() or 0),
            phase=Phase(self.phase.currentData()),
            session_count=optional(self.count),
            min_gap_days=self.min_gap.value(),
            max_gap_days=optional(self.max_gap),
            max_span_days=optional(self.max_span),
            preferred_weekdays=tuple(d for d, box in enumerate(self.day_boxes) if box.isChecked()),
            maintenance_interval_days=optional(self.interval),
            active=self.active.isChecked(),
        )
        return svc.save_protocol(db, self.editing_id, edit, **self._kw()).protocol_id
