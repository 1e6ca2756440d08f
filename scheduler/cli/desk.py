"""Opening the desk (the Qt window) on a database.

The desk opens on its sign-in screen (after the first start of a new clinic, which creates the
administrator). ``--user NAME --password-file PATH`` signs in without it.

``SCHEDULER_EXIT_AFTER_SHOW=1`` makes the desk quit as soon as its window is shown, printing
the milliseconds since launch and the CPU time spent: ``benchmarks/startup_bench.py`` uses it
to time start-up.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from scheduler.cli import demo
from scheduler.cli.common import fail, signed_in, utc_now
from scheduler.errors import ServiceError
from scheduler.program import program_name
from scheduler.store import DatabaseError, open_database
from scheduler.store.location import ENV_VAR

EXIT_AFTER_SHOW = "SCHEDULER_EXIT_AFTER_SHOW"


def run_desk(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    missing_display = display_problem()
    if missing_display:
        return fail(missing_display)
    if args.demo_if_new:
        status = demo.run_guarded(argparse.Namespace(**vars(args), today=None, if_new=True))
        if status:
            return status
    given = getattr(args, "db", None)
    try:
        # Only the first start on this computer makes a database unasked, in the default
        # place; a path given that holds nothing is refused (a typo must not become a clinic).
        # The integrity check reads the whole file; it runs once the window is up.
        database = open_database(
            given, create=given is None and not os.environ.get(ENV_VAR), check_later=True
        )
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
    from scheduler.ui.desk_warnings import check_file_later, check_on_start
    from scheduler.ui.first_start import ensure_administrator, ensure_clinic
    from scheduler.ui.main_window import MainWindow
    from scheduler.ui.sign_in import SignInDialog
    from scheduler.ui.watch import start_watching

    app = create_application(sys.argv)
    log_path = set_up_logging()
    enable_crash_log(log_path.parent if log_path else None)
    install_excepthook(log_path)
    try:
        desk = Desk(database, clock=utc_now)
        if not ensure_clinic(desk) or not ensure_administrator(desk):
            return 0
        if getattr(args, "user", None):
            try:
                desk.sign_in(signed_in(database, args))
            except ServiceError as exc:
                return fail(str(exc))
        if not desk.is_signed_in:
            actor = SignInDialog.ask(desk)
            if actor is None:
                return 0
            desk.sign_in(actor)
        window = MainWindow(desk)
        window.show()
        start_watching(desk, window.banner)
        # After the window is up, so that a long trail since the last check never delays it.
        QTimer.singleShot(0, lambda: check_on_start(desk, window.banner))
        QTimer.singleShot(0, lambda: check_file_later(desk, window.banner))
        if os.environ.get(EXIT_AFTER_SHOW):

            def shown() -> None:
                wall = (time.perf_counter() - started) * 1000
                # CPU time since the process began: imports included, a busy machine's wait not.
                cpu = time.process_time() * 1000
                print(f"shown after {wall:.0f} ms, {cpu:.0f} ms of CPU", flush=True)
                window.close()
                app.quit()

            QTimer.singleShot(0, shown)
        return app.exec()
    finally:
        database.close()


def display_problem() -> str | None:
    """One sentence when no window can be shown here (Qt would abort the process), else None.

    On Linux and the BSDs Qt needs an X11 or Wayland display unless a platform plugin is
    chosen explicitly (``QT_QPA_PLATFORM=offscreen`` for tests).
    """
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "The desk needs a graphical display, and none was found (DISPLAY and WAYLAND_DISPLAY "
        "are not set); open it from the computer's desktop, or use the commands without a "
        f"window ({program_name()} --help)."
    )
