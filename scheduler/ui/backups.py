"""Backups from the desk: the daily backup the desk makes when one is due, and the words the
status bar and Settings → Backups use for the last good one."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal

from scheduler.domain.when import date_and_time
from scheduler.services.backup import (
    BackupPlan,
    CopyRefused,
    scheduled_backup,
)
from scheduler.services.changes import Change
from scheduler.ui.desk import Desk

log = logging.getLogger(__name__)
CHECK_EVERY_MS = 60 * 60 * 1000  # whether the day's backup is due: hourly
FIRST_CHECK_MS = 2 * 60 * 1000  # and a little after the desk opens, not while it starts


def made_at(when: dt.datetime, zone: ZoneInfo) -> str:
    """When a backup was made, on the clinic's clock: Mon, Nov 16, 2026, 2:00 PM."""
    return date_and_time(when.astimezone(zone))


def last_backup_words(plan: BackupPlan, zone: ZoneInfo) -> str:
    """What the status bar says about backups."""
    if plan.last_at is None:
        return "No backup yet" if plan.folder else "Backups not set up"
    return f"Last backup: {made_at(plan.last_at, zone)}"


class DailyBackup(QObject):
    """Makes the day's backup to the Settings folder when one is due, while the desk runs.

    Signals:
        failed(str): the sentence saying why a due backup could not be made.
    """

    failed = Signal(str)

    def __init__(self, desk: Desk) -> None:
        super().__init__(desk)
        self.desk = desk
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.run_if_due)
        self._timer.start(CHECK_EVERY_MS)
        QTimer.singleShot(FIRST_CHECK_MS, self.run_if_due)

    def run_if_due(self, *, force: bool = False) -> bool:
        """Back up now if due (or ``force``); True when a backup was made."""
        try:
            made = scheduled_backup(self.desk.database, self.desk.now(), force=force)
        except CopyRefused as exc:
            log.warning("the daily backup could not be made")
            self.failed.emit(str(exc))
            return False
        if made is not None:
            log.info("daily backup written")
            self.desk.changed.emit(Change.SETTINGS)  # the status bar shows the new time
        return made is not None
