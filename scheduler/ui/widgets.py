"""Small pieces the desk's screens share: icons, titles, field problems, forms that save."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QIcon, QShowEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.errors import FieldProblem, ServiceError, ValidationFailed
from scheduler.resources import MissingResource, shipped_file
from scheduler.ui.desk import Desk
from scheduler.ui.tables import pick_one_table

T = TypeVar("T")

log = logging.getLogger(__name__)


def icon(name: str) -> QIcon:
    """One of the desk's icons (``scheduler/resources/icons/NAME.svg``); none if it is missing.

    A missing icon leaves a blank space rather than stopping the desk; the log names the file.
    """
    try:
        return QIcon(str(shipped_file("icons", f"{name}.svg")))
    except MissingResource as missing:
        log.warning("%s", missing)
        return QIcon()


def title_label(text: str, *, section: bool = False) -> QLabel:
    """A screen title (or a section title inside a screen), styled by the desk's style sheet."""
    label = QLabel(text)
    label.setObjectName("section_title" if section else "screen_title")
    return label


def note_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("note")
    label.setWordWrap(True)
    return label


def row_table(model: QAbstractItemModel, *, stretch: int | None = None) -> QTableView:
    """A read-only table that selects whole rows, one at a time, sized to its contents.

    ``stretch`` is the column that takes the spare width (else the last one does).
    """
    table = pick_one_table(model, stretch=False)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class FieldProblems:
    """Shows each problem a save ran into under the field it is about.

    Register every field with ``add(name, widget)``; the returned label goes under the widget
    in the form. Problems for fields that were not registered are shown in ``general``.
    """

    def __init__(self) -> None:
        self.fields: dict[str, tuple[QWidget, QLabel]] = {}
        self.general = problem_label()

    def add(self, name: str, widget: QWidget) -> QLabel:
        label = problem_label()
        self.fields[name] = (widget, label)
        return label

    def clear(self) -> None:
        for widget, label in self.fields.values():
            _mark(widget, False)
            label.clear()
            label.hide()
        self.general.clear()
        self.general.hide()

    def show(self, problems: list[FieldProblem]) -> None:
        """Mark the fields with problems and focus the first one, where the user will look."""
        self.clear()
        first: QWidget | None = None
        general: list[str] = []
        for problem in problems:
            if problem.field not in self.fields:
                general.append(problem.message)
                continue
            widget, label = self.fields[problem.field]
            _mark(widget, True)
            label.setText(f"{label.text()}\n{problem.message}" if label.text() else problem.message)
            label.show()
            first = first or widget
        if general:
            self.general.setText("\n".join(general))
            self.general.show()
        if first is not None:
            first.setFocus()

    def message(self, name: str) -> str:
        """The problem text shown under a field ("" when none): tests read it."""
        return self.fields[name][1].text()


def refusal_label() -> QLabel:
    """A dialog's red line for a refusal, shown where the user is looking; hidden until used."""
    label = QLabel()
    label.setObjectName("refusal")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b03a2e;")
    label.hide()
    return label


def problem_label() -> QLabel:
    label = QLabel()
    label.setObjectName("field_problem")
    label.setWordWrap(True)
    label.hide()
    return label


def _mark(widget: QWidget, invalid: bool) -> None:
    widget.setProperty("invalid", invalid)
    # Re-polish so the style sheet's [invalid="true"] rule takes effect immediately.
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def act_on_form(
    desk: Desk,
    action: Callable[[Session], T],
    problems: FieldProblems,
    parent: QWidget | None,
) -> T | None:
    """Run a form's save through ``desk.act``, showing field problems next to their fields.

    ``desk.act`` turns every refusal into a message; for a ``ValidationFailed`` the desk
    shows the problems under the fields instead, where the user is already looking.
    """
    problems.clear()

    def shown(exc: ServiceError) -> bool:
        if isinstance(exc, ValidationFailed):
            problems.show(exc.problems)
            return True
        return False

    return desk.act(action, parent, on_refusal=shown)


class RefreshedWhenShown(QWidget):
    """A screen that reloads after a write: at once when visible, else when next shown.

    Hidden screens skip the work of reloading for every change made elsewhere on the desk.
    Subclasses implement ``refresh()`` and clear ``_stale`` in it.
    """

    _stale = False

    def refresh(self) -> None:
        raise NotImplementedError

    def data_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.refresh()
        super().showEvent(event)


def choose(parent: QWidget | None, title: str, question: str, answers: Sequence[str]) -> str | None:
    """Ask a question answered by one of ``answers`` (the first is the default) or Cancel.

    The answer's text, or None for Cancel (tests replace this module attribute to answer it).
    """
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    buttons = [(box.addButton(text, QMessageBox.ButtonRole.AcceptRole), text) for text in answers]
    box.setDefaultButton(buttons[0][0])
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    pressed = box.clickedButton()
    return next((text for button, text in buttons if button is pressed), None)
