"""The editor the Chairs, Staff, Therapies and Protocols tabs share: a table and a form."""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.ui.desk import Desk
from scheduler.ui.settings.fields import SettingsTab, selected_row
from scheduler.ui.tables import RowsModel
from scheduler.ui.widgets import act_on_form, row_table, title_label

R = TypeVar("R")


class ListEditor(SettingsTab, Generic[R]):
    """A table of rows on the left, the selected row's form on the right, New and Save.

    A tab says what its rows are (``rows``, ``row_id``), how a row fills the form (``fill``)
    and what a new one starts as (``fill_new``), and how the form is saved (``write``,
    returning the saved id); selecting, keeping the selection across reloads, the editor's
    title and the buttons are the same for every tab. Every tab's form starts with ``name``.
    """

    noun: ClassVar[str] = "row"

    def __init__(self, desk: Desk, model: RowsModel[R], parent: QWidget | None = None) -> None:
        super().__init__(desk, parent)
        self.model = model
        model.setParent(self)
        self.table = row_table(model, stretch=0)
        self.editing_id: int | None = None
        self.name = QLineEdit()
        self.form = QFormLayout()
        self.new_button = QPushButton(f"&New {self.noun}")
        self.save_button = QPushButton(f"&Save {self.noun}")
        self.save_button.setObjectName("primary")
        self.new_button.clicked.connect(self.start_new)
        self.save_button.clicked.connect(self.save)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.editor_title = title_label("", section=True)
        editor = QVBoxLayout()
        editor.addWidget(self.editor_title)
        editor.addLayout(self.form)
        editor.addWidget(self.problems.general)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        editor.addLayout(buttons)
        editor.addStretch(1)
        editor_box = QWidget()
        editor_box.setLayout(editor)
        scroll = QScrollArea()
        scroll.setWidget(editor_box)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumWidth(420)
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(scroll, 1)

    # -- what each tab says --------------------------------------------------------------------

    def rows(self, db: Session) -> list[R]:
        raise NotImplementedError

    def row_id(self, row: R) -> int:
        raise NotImplementedError

    def row_title(self, row: R) -> str:
        raise NotImplementedError

    def fill(self, row: R) -> None:
        """Show ``row`` in the form."""
        raise NotImplementedError

    def fill_new(self) -> None:
        """Show what a new row starts as."""
        raise NotImplementedError

    def write(self, db: Session) -> int:
        """Save the form (a new row when ``editing_id`` is None); the saved row's id."""
        raise NotImplementedError

    # -- the same for every tab ----------------------------------------------------------------

    def _selected(self) -> None:
        row = selected_row(self.table)
        if row is not None:
            self.show_row(self.model.row_at(row))

    def show_row(self, row: R) -> None:
        self.editing_id = self.row_id(row)
        self.editor_title.setText(self.row_title(row))
        self.fill(row)
        self.problems.clear()

    def start_new(self) -> None:
        self.table.clearSelection()
        self.fill_new()
        self.editing_id = None
        self.editor_title.setText(f"New {self.noun}")
        self.problems.clear()
        self.name.setFocus()

    def load(self) -> None:
        keep = self.editing_id
        self.model.set_rows(self.desk.read(self.rows))
        self.problems.clear()
        for index, row in enumerate(self.model.rows()):
            if self.row_id(row) == keep:
                self.table.selectRow(index)
                return
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.start_new()

    def save(self) -> bool:
        saved = act_on_form(self.desk, self.write, self.problems, self)
        if saved is None:
            return False
        self.editing_id = saved
        return True
