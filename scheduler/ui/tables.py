"""What every table on the desk shares: the read-only row model, its roles, row height, times.

Models are fed plain rows with ``set_rows()`` and never query the database in ``data()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from scheduler.domain.when import clock_time

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the id of the thing a row shows (patient, session...)
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the whole plain row behind a table row

AnyIndex = QModelIndex | QPersistentModelIndex
R = TypeVar("R")


class RowsModel(QAbstractTableModel, Generic[R]):
    """A read-only table of plain rows; subclasses name the columns and say what each shows."""

    HEADERS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        return self.value(row, index.column(), role)

    def value(self, row: R, column: int, role: int) -> Any:
        """What the cell shows for ``role`` (display text, colour, ``ID_ROLE``...), or None."""
        raise NotImplementedError


class PagedRowsModel(RowsModel[R]):
    """Rows loaded a page at a time: the first page at once, the rest as the view scrolls.

    The screen hands ``start`` a ``fetch(loaded)`` function giving the page that follows the
    rows loaded so far; the view pulls pages through ``canFetchMore``/``fetchMore``, so a
    list of tens of thousands loads only what is seen.
    """

    PAGE: ClassVar[int] = 100

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch: Callable[[Sequence[R]], list[R]] | None = None
        self._exhausted = True
        # Reading a page may keep the window answering (a busy database), and the view asks
        # for more meanwhile: that request would fetch the same page a second time.
        self._fetching = False

    def start(self, fetch: Callable[[Sequence[R]], list[R]], first: list[R] | None = None) -> None:
        """Show a new list: the first page now (``first`` when already read), the rest as
        the view asks for more."""
        if first is None:
            first = fetch([])
        self.beginResetModel()
        self._fetch = fetch
        self._rows = first
        self._exhausted = len(first) < self.PAGE
        self.endResetModel()

    def set_rows(self, rows: Sequence[R]) -> None:
        self._fetch, self._exhausted = None, True
        super().set_rows(rows)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return (
            not parent.isValid()
            and not self._exhausted
            and not self._fetching
            and self._fetch is not None
        )

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent) or self._fetch is None:
            return
        self._fetching = True
        try:
            more = self._fetch(self._rows)
            self._exhausted = len(more) < self.PAGE
            if more:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
                self._rows.extend(more)
                self.endInsertRows()
        finally:
            self._fetching = False


def compact_table(table: QTableView) -> None:
    """Rows as tall as one line of text plus a little air (Qt's default is roomier)."""
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)


def row_table(model: QAbstractItemModel, object_name: str) -> QTableView:
    """A screen's read-only list: whole rows picked one at a time, striped, one line a row."""
    table = QTableView()
    table.setObjectName(object_name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    compact_table(table)
    return table


def pick_one_table(
    model: QAbstractItemModel, *, min_height: int = 0, stretch: bool = True
) -> QTableView:
    """A compact read-only table from which the user picks one whole row (a free slot...)."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    compact_table(table)
    if stretch:
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setMinimumHeight(min_height)
    return table


def clock(when: dt.datetime, zone: ZoneInfo) -> str:
    """A time of day as the desk writes it: 9:30 AM."""
    return clock_time(when.astimezone(zone))
