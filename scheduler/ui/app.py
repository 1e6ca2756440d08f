"""Setting up the Qt application: names, style sheet, icon, a log file and a safety net.

An unexpected error anywhere in the desk is written to the log file and shown politely; the
window stays open and the data stays as it was after the last completed action (each action
is one transaction, so nothing half-written is kept).
"""

from __future__ import annotations

import faulthandler
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TextIO

import platformdirs
from PySide6.QtWidgets import QApplication, QMessageBox

from scheduler import APP_NAME, APP_SLUG, __version__
from scheduler.private_files import append_private, private_folder
from scheduler.resources import MissingResource, shipped_file
from scheduler.ui.private_log import PrivateFormatter, PrivateLogFile
from scheduler.ui.widgets import icon

log = logging.getLogger("scheduler")

LOG_FILE_NAME = "desk.log"
CRASH_LOG_NAME = "crash.log"

ShowError = Callable[[str], None]


def log_file_path() -> Path:
    return platformdirs.user_log_path(APP_SLUG, appauthor=False) / LOG_FILE_NAME


def set_up_logging(path: Path | None = None) -> Path | None:
    """Log to a rotating file in the user's log folder; returns the file, or None if unwritable.

    The folder is created 0700 and the files 0600, and exceptions are logged without their
    messages (``private_log``): the log never holds patient data.
    """
    path = path or log_file_path()
    try:
        private_folder(path.parent)
        handler = PrivateLogFile(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(PrivateFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    log.info("%s %s starting", APP_NAME, __version__)
    return path


_crash_stream: TextIO | None = None  # open for the life of the process, as faulthandler needs


def enable_crash_log(folder: Path | None = None) -> Path | None:
    """Record a native crash (a fault in the toolkit, say) in ``crash.log`` beside the log.

    Python's own errors are logged and shown politely; a fault below Python ends the process
    at once, and this is the one place that then says where it was: the stack of every
    thread, written by ``faulthandler``: code locations only, never data. Like the log, the
    file is the user's alone (0600, in a 0700 folder). Returns the file, or None if it cannot
    be written.
    """
    global _crash_stream
    path = (folder or log_file_path().parent) / CRASH_LOG_NAME
    try:
        private_folder(path.parent)
        stream = append_private(path)
    except OSError:
        return None
    if _crash_stream is not None:
        _crash_stream.close()
    _crash_stream = stream
    faulthandler.enable(file=_crash_stream, all_threads=True)
    log.info("a native crash would be described in %s", path)
    return path


def style_sheet() -> str:
    """The desk's style sheet; the plain style (and a warning naming the file) if it is missing."""
    try:
        return shipped_file("styles", "desk.qss").read_text(encoding="utf-8")
    except (MissingResource, OSError) as missing:
        log.warning("%s The desk uses the plain style.", missing)
        return ""


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication (created once), with the desk's names, style and icon."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv))
    app.setApplicationName(APP_SLUG)
    app.setOrganizationName(APP_SLUG)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("app"))
    app.setStyle("Fusion")
    app.setStyleSheet(style_sheet())
    return app


def polite_message(log_path: Path | None) -> str:
    where = f"\n\nThe details were written to {log_path}." if log_path else ""
    return (
        "Something unexpected went wrong. The desk is still running, and everything saved "
        "before this moment is safe. Please try again; if it keeps happening, tell your "
        f"IT contact.{where}"
    )


def show_error_box(message: str) -> None:
    QMessageBox.critical(None, "Something went wrong", message)


def install_excepthook(
    log_path: Path | None, show: ShowError = show_error_box
) -> Callable[[type[BaseException], BaseException, TracebackType | None], None]:
    """Log any uncaught exception and tell the user politely, instead of quitting."""

    def hook(kind: type[BaseException], value: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, trace)
            return
        log.error("uncaught exception", exc_info=(kind, value, trace))
        try:
            show(polite_message(log_path))
        except Exception:  # the safety net must never raise itself
            log.exception("could not show the error message")

    sys.excepthook = hook
    return hook
