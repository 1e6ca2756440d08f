"""Opening the desk (the Qt window) on a database."""

from __future__ import annotations

import argparse
import sys

from scheduler.cli.common import fail
from scheduler.store import DatabaseError, open_database


def run_desk(args: argparse.Namespace) -> int:
    try:
        database = open_database(getattr(args, "db", None))
    except DatabaseError as exc:
        return fail(str(exc))
    # Qt is imported only here, so that the other commands start fast and run without it.
    from PySide6.QtWidgets import QApplication

    from scheduler.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    window = MainWindow(database)
    window.show()
    try:
        return app.exec()
    finally:
        database.close()
