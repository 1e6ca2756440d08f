"""The pieces every settings tab builds its forms from: the tab itself, rows declared as data,
choices, spin boxes for "none" and for counted units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple, TypedDict, TypeVar

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.access import Actor
from scheduler.ui.desk import Desk
from scheduler.ui.widgets import FieldProblems, act_on_form

K = TypeVar("K", bound=str)


class ActingAs(TypedDict):
    """Who acts and when: what every settings service takes besides its values."""

    actor: Actor
    now: dt.datetime


class SettingsTab(QWidget):
    """One settings tab: loads from the database, saves through ``Desk.act``."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.problems = FieldProblems()

    def load(self) -> None:
        raise NotImplementedError

    def _save(self, action: Callable[[Session], object]) -> bool:
        return act_on_form(self.desk, action, self.problems, self) is not None

    def _kw(self) -> ActingAs:
        """Who acts and when: what every settings service takes besides its values."""
        return {"actor": self.desk.actor, "now": self.desk.now()}


class Row(NamedTuple):
    """One labelled row of a settings form, with the line under it that shows its problem."""

    label: str
    widget: QWidget
    problem: str  # the field name the services use when they refuse this value
    marks: QWidget | None = None  # the widget marked invalid, when not ``widget`` itself


def form_row(form: QFormLayout, label: str, widget: QWidget, problem: QLabel) -> None:
    """A labelled row, then its problem line (hidden until a save is refused)."""
    caption = QLabel(label)
    caption.setBuddy(widget)
    form.addRow(caption, widget)
    form.addRow("", problem)


def add_rows(form: QFormLayout, problems: FieldProblems, rows: Iterable[Row]) -> None:
    """Lay out a form declared as rows, each registered for the problems shown under it."""
    for row in rows:
        form_row(form, row.label, row.widget, problems.add(row.problem, row.marks or row.widget))


def with_button(edit: QWidget, button: QPushButton) -> QWidget:
    """A field with its button beside it (a path and its Choose…)."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    row.addWidget(button)
    return box


def check_grid(boxes: Iterable[QCheckBox], columns: int) -> QWidget:
    """Tick boxes for a set of choices (roles, places, weekdays), ``columns`` to a line."""
    grid_box = QWidget()
    grid = QGridLayout(grid_box)
    grid.setContentsMargins(0, 0, 0, 0)
    for i, box in enumerate(boxes):
        grid.addWidget(box, i // columns, i % columns)
    return grid_box


def combo(labels: Mapping[K, str]) -> QComboBox:
    """A choice among ``labels``; each item's data is its value as the services store it."""
    box = QComboBox()
    for value, label in labels.items():
        box.addItem(label, str(value))
    return box


def set_combo(box: QComboBox, value: object) -> None:
    box.setCurrentIndex(max(box.findData(value), 0))


def optional_spin(maximum: int, none_text: str, suffix: str) -> QSpinBox:
    """A spin box whose lowest value (0) means "none"."""
    spin = QSpinBox()
    spin.setRange(0, maximum)
    spin.setSpecialValueText(none_text)
    counted_suffix(spin, suffix)
    return spin


def counted_suffix(spin: QSpinBox, suffix: str) -> None:
    """A unit after the number, singular for one ("1 day", "3 days")."""
    singular = suffix.removesuffix("s")

    def update(value: int) -> None:
        spin.setSuffix(singular if value == 1 and singular != suffix else suffix)

    spin.valueChanged.connect(update)
    update(spin.value())


def optional(spin: QSpinBox) -> int | None:
    """The value of an ``optional_spin``: None for its "none"."""
    return spin.value() or None


def minutes(minimum: int) -> QSpinBox:
    """A number of minutes, up to twelve hours."""
    spin = QSpinBox()
    spin.setRange(minimum, 12 * 60)
    spin.setSuffix(" min")
    return spin


def selected_row(table: QTableView) -> int | None:
    rows = table.selectionModel().selectedRows()
    return rows[0].row() if rows else None
