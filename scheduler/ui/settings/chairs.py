"""Settings → Chairs and rooms: the places sessions are booked into, in calendar order."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QSpinBox, QWidget
from sqlalchemy.orm import Session

from scheduler.domain.enums import ChairKind
from scheduler.services import settings as svc
from scheduler.ui.desk import Desk
from scheduler.ui.settings.fields import Row, add_rows, combo, set_combo
from scheduler.ui.settings.list_editor import ListEditor
from scheduler.ui.tables import ID_ROLE, RowsModel

KIND_LABELS = {
    ChairKind.CHAIR: "Infusion chair",
    ChairKind.ROOM: "Room",
    ChairKind.PROCEDURE_ROOM: "Procedure room",
    ChairKind.OFFICE: "Office",
}


class ChairsModel(RowsModel[svc.ChairEntry]):
    COL_NAME, COL_KIND, COL_ACTIVE, COL_ORDER = range(4)
    HEADERS = ("Name", "Kind", "In use", "Order")

    def value(self, row: svc.ChairEntry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.edit.name,
                KIND_LABELS[ChairKind(row.edit.kind)],
                "Yes" if row.edit.active else "No",
                str(row.edit.sort_order),
            )[column]
        return row.chair_id if role == ID_ROLE else None


class ChairsTab(ListEditor[svc.ChairEntry]):
    """Settings → Chairs and rooms."""

    noun = "chair or room"

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, ChairsModel(), parent)
        self.kind = combo(KIND_LABELS)
        self.active = QCheckBox("In use (shown on the calendar)")
        self.order = QSpinBox()
        self.order.setRange(0, 999)
        add_rows(
            self.form,
            self.problems,
            (Row("Name:", self.name, "name"), Row("Kind:", self.kind, "kind")),
        )
        self.form.addRow("", self.active)
        add_rows(self.form, self.problems, (Row("Calendar order:", self.order, "sort_order"),))

    def rows(self, db: Session) -> list[svc.ChairEntry]:
        return svc.list_chairs(db)

    def row_id(self, row: svc.ChairEntry) -> int:
        return row.chair_id

    def row_title(self, row: svc.ChairEntry) -> str:
        return row.edit.name

    def fill(self, row: svc.ChairEntry) -> None:
        self.name.setText(row.edit.name)
        set_combo(self.kind, row.edit.kind)
        self.active.setChecked(row.edit.active)
        self.order.setValue(row.edit.sort_order)

    def fill_new(self) -> None:
        self.fill(svc.ChairEntry(0, svc.ChairEdit("", sort_order=self.model.rowCount() + 1)))

    def write(self, db: Session) -> int:
        edit = svc.ChairEdit(
            self.name.text(), str(self.kind.currentData()), self.active.isChecked(),
            self.order.value(),
        )  # fmt: skip
        return svc.save_chair(db, self.editing_id, edit, **self._kw()).chair_id
