"""Warnings the desk shows at the top of its window: a broken audit trail, an exposed database.

They are checked when the desk starts. The audit check is quick however long the trail is: it
reads only the entries written since the last check (``verify_new_entries``).
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from sqlalchemy.exc import OperationalError

from scheduler.domain.access import Permission
from scheduler.program import program_name
from scheduler.services.audit_chain import ChainReport, verify_new_entries
from scheduler.store import opening
from scheduler.ui.desk import Desk

log = logging.getLogger(__name__)


class WarningBanner(QWidget):
    """A strip of warnings above the screens, hidden while there is nothing to say.

    A warning may be for those whose roles allow something only (the audit trail's for those
    who may read it): it shows while such a person is signed in, and again at their next
    sign-in on this desk.
    """

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("warning_banner")
        self.label = QLabel()
        self.label.setObjectName("banner_warning")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 0)
        layout.addWidget(self.label)
        self._warnings: dict[str, tuple[str, Permission | None]] = {}
        self.hide()
        desk.signed_in.connect(self._show_current)

    def warn(self, key: str, text: str, *, for_those_who: Permission | None = None) -> None:
        """Show ``text`` (replacing an earlier warning with the same key)."""
        self._warnings[key] = (text, for_those_who)
        self._show_current()

    def warnings(self) -> list[str]:
        """The warnings the signed-in person sees."""
        return [
            text
            for text, needed in self._warnings.values()
            if needed is None or self.desk.may(needed)
        ]

    def _show_current(self) -> None:
        shown = self.warnings()
        self.label.setText("\n".join(shown))
        self.setVisible(bool(shown))


def warn_audit_broken(desk: Desk, banner: WarningBanner, report: ChainReport) -> None:
    """Tell those who may read the audit trail (administrators) that it was tampered with."""
    log.warning("the audit trail failed its check on start: %s", report.sentence())
    banner.warn(
        "audit",
        f"The audit trail has been altered outside the desk: {report.sentence()} "
        f"Look on the Audit screen; `{program_name()} audit verify` checks it again.",
        for_those_who=Permission.READ_AUDIT,
    )


def warn_exposed_database(banner: WarningBanner, sentence: str) -> None:
    banner.warn("exposed", sentence)


def check_on_start(desk: Desk, banner: WarningBanner) -> ChainReport:
    """The start-up checks: database permissions, and the audit entries written since last time."""
    if desk.database.exposure_warning:
        warn_exposed_database(banner, desk.database.exposure_warning)
    try:
        with desk.database.transaction() as db:
            report = verify_new_entries(db, desk.now())
    except OperationalError:
        # Another workstation holds the write lock: check all the same, remember it next time.
        log.warning("database busy; the audit check did not move its checkpoint")
        report = desk.read(lambda db: verify_new_entries(db, desk.now()))
    if not report.intact:
        warn_audit_broken(desk, banner, report)
    return report


class _DamageRelay(QObject):
    """Carries the deferred integrity check's finding from its thread to the banner."""

    found = Signal(str)

    def __init__(self, desk: Desk, banner: WarningBanner) -> None:
        super().__init__(banner)
        self.desk = desk
        self.banner = banner
        # Emitted in the worker thread, delivered in the banner's (queued across threads).
        self.found.connect(self.warn)

    @Slot(str)
    def warn(self, sentence: str) -> None:
        log.warning("the database failed its integrity check after start")
        self.desk.stop_writing(f"{sentence} Nothing more is saved into it; restore a backup.")
        self.banner.warn(
            "damaged",
            f"{sentence} Nothing more is saved into it; close the desk and restore a backup.",
        )


def check_file_later(desk: Desk, banner: WarningBanner) -> threading.Thread | None:
    """Run the integrity check the opening left for later, in a worker thread.

    It reads every page of the file, seconds for years of history; the window is up and in
    use meanwhile. A damaged file is named on the banner. Returns the thread (None when the
    file was checked on opening, or is on a server).
    """
    path = desk.database.unchecked_file
    if path is None:
        return None
    relay = _DamageRelay(desk, banner)

    def check() -> None:
        sentence = opening.damage_found(path)
        if sentence:
            relay.found.emit(sentence)

    thread = threading.Thread(target=check, name="integrity check", daemon=True)
    thread.start()
    return thread
