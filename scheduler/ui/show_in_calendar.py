"""A "Show in calendar" action for a table of sessions: the calendar on that session's day."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QTableView

from scheduler.ui.desk import Desk
from scheduler.ui.session_models import SessionLike


def add_show_in_calendar(
    desk: Desk, table: QTableView, session_at: Callable[[int], SessionLike]
) -> QAction:
    """Add "Show in calendar" to the table's context menu (right click), for its selected row.

    ``session_at`` gives the session shown in a row of the table.
    """
    action = QAction("Show in &calendar", table)
    action.setToolTip("Go to this session's day in the calendar, with the session outlined")

    def show() -> None:
        rows = table.selectionModel().selectedRows()
        if rows:
            view = session_at(rows[0].row())
            desk.show_in_calendar(view.session_id, view.starts_at)

    action.triggered.connect(show)
    table.addAction(action)
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return action
