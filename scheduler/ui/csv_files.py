"""The desk's Export CSV… buttons: a list written to a CSV file the user names, owner-only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget
from sqlalchemy.orm import Session

from scheduler.domain.access import Permission
from scheduler.errors import ServiceError
from scheduler.services.csv_export import sessions_csv, write_export
from scheduler.ui.desk import Desk


def ask_save_path(
    parent: QWidget | None,
    suggested: str,
    title: str = "Export CSV",
    kind: str = "CSV (*.csv)",
) -> str | None:
    """Where to save an export (a CSV file unless ``kind`` says otherwise), or None.

    Tests replace this.
    """
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, kind)
    return path or None


def save_csv(
    desk: Desk,
    parent: QWidget | None,
    what: str,
    suggested: str,
    make: Callable[[Session], bytes],
) -> Path | None:
    """Ask where, write the list there and say so in the status bar; None when not written."""
    chosen = ask_save_path(parent, suggested)
    if chosen is None:
        return None
    path = Path(chosen if chosen.lower().endswith(".csv") else f"{chosen}.csv")
    try:
        write_export(path, desk.read(make))
    except ServiceError as exc:
        desk.refuse(str(exc), parent)
        return None
    desk.announce(f"{what} exported to {path}.")
    return path


def export_button(
    desk: Desk,
    parent: QWidget,
    what: str,
    suggested: Callable[[], str],
    make: Callable[[Session], bytes],
    permission: Permission,
) -> QPushButton:
    """An "Export CSV…" button writing ``what`` (greyed out for whoever may not read it)."""
    button = allowed_button(desk, "E&xport CSV…", permission)
    button.setObjectName("export_csv_button")
    button.setToolTip(f"{what} as a CSV file for a spreadsheet or another system")
    button.clicked.connect(lambda: save_csv(desk, parent, what, suggested(), make))
    return button


def allowed_button(desk: Desk, text: str, permission: Permission) -> QPushButton:
    """A button greyed out while the signed-in user's roles lack ``permission``."""
    button = QPushButton(text)

    def allowed() -> None:
        button.setEnabled(desk.may(permission))

    desk.signed_in.connect(allowed)
    allowed()
    return button


def day_export_button(desk: Desk, day: Callable[[], dt.date], parent: QWidget) -> QPushButton:
    """Export CSV… for the sessions of the day ``day()`` shows (Today, Letters)."""
    button = export_button(
        desk,
        parent,
        "The day's sessions",
        lambda: f"sessions-{day().isoformat()}.csv",
        lambda db: sessions_csv(db, day(), actor=desk.actor),
        Permission.PRINT,
    )
    button.setObjectName("day_export_button")
    return button
