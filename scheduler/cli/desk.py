"""Opening the desk (the Qt window) on a database.

``SCHEDULER_EXIT_AFTER_SHOW=1`` makes the desk quit as soon as its window is shown, printing
the milliseconds since launch: ``benchmarks/startup_bench.py`` uses it to time start-up.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from scheduler.cli.common import actor, fail, utc_now
from scheduler.store import DatabaseError, open_database

EXIT_AFTER_SHOW = "SCHEDULER_EXIT_AFTER_SHOW"


def run_desk(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        database = open_database(getattr(args, "db", None))
    except DatabaseError as exc:
        return fail(str(exc))
    # Qt is imported only here, so that the other commands start fast and run without it.
    from PySide6.QtCore import QTimer

    from scheduler.ui.app import (
        create_application,
        enable_crash_log,
        install_excepthook,
        set_up_logging,
    )
    from scheduler.ui.desk import Desk
    from scheduler.ui.desk_warnings import check_on_start
    from scheduler.ui.first_start import ensure_clinic
    from scheduler.ui.main_window import MainWindow
    from scheduler.ui.watch import start_watching

    app = create_application(sys.argv)
    log_path = set_up_logging()
    enable_crash_log(log_path.parent if log_path else None)
    install_excepthook(log_path)
    try:
        desk = Desk(database, actor(), utc_now)
        if not ensure_clinic(desk):
            return 0
        window = MainWindow(desk)
        window.show()
        start_watching(desk, window.banner)
        # After the window is up, so that a long trail since the last check never delays it.
        QTimer.singleShot(0, lambda: check_on_start(desk, window.banner))
        if os.environ.get(EXIT_AFTER_SHOW):

            def shown() -> None:
                print(f"shown after {(time.perf_counter() - started) * 1000:.0f} ms", flush=True)
                window.close()
                app.quit()

            QTimer.singleShot(0, shown)
        return app.exec()
    finally:
        database.close()
