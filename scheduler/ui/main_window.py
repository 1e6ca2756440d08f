"""The desk's main window."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from scheduler import APP_NAME
from scheduler.services.clinic import get_settings, is_set_up
from scheduler.store import Database


class MainWindow(QMainWindow):
    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database
        with database.reading() as db:
            clinic = get_settings(db).name if is_set_up(db) else "New clinic"
        self.setWindowTitle(f"{clinic} — {APP_NAME}")
        self.setCentralWidget(QLabel(f"{clinic}\n{database.description}"))
        self.statusBar().showMessage(f"{clinic} · {database.description}")
        self.resize(1280, 800)
