"""Backups from the desk: Settings → Backups (folder, days kept, back up now), the daily backup
the desk makes when one is due, and the words the status bar uses for the last good one."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from scheduler.services.backup import (
    MAX_KEEP_DAYS,
    MIN_KEEP_DAYS,
    BackupPlan,
    CopyRefused,
    backup_plan,
    scheduled_backup,
    set_backup_plan,
)
from scheduler.store import DatabaseError
from scheduler.ui.desk import Desk

# The settings screen's own tab and form helpers, so that this tab looks and saves like the rest.
from scheduler.ui.settings_screen import _form_row as form_row
from scheduler.ui.settings_screen import _Tab as SettingsTab
from scheduler.ui.settings_screen import _with as with_button
from scheduler.ui.widgets import note_label

log = logging.getLogger(__name__)
CHECK_EVERY_MS = 60 * 60 * 1000  # whether the day's backup is due: hourly
FIRST_CHECK_MS = 2 * 60 * 1000  # and a little after the desk opens, not while it starts


def _made_at(when: dt.datetime, zone: ZoneInfo) -> str:
    made = when.astimezone(zone)
    return f"{made:%a} {made.day} {made:%b %Y}, {made:%H:%M}"


def last_backup_words(plan: BackupPlan, zone: ZoneInfo) -> str:
    """What the status bar says about backups."""
    if plan.last_at is None:
        return "No backup yet" if plan.folder else "Backups not set up"
    return f"Last backup: {_made_at(plan.last_at, zone)}"


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
        except (CopyRefused, DatabaseError, OSError) as exc:
            log.warning("the daily backup could not be made")
            self.failed.emit(str(exc))
            return False
        if made is not None:
            log.info("daily backup written")
            self.desk.changed.emit()  # the status bar shows the new time
        return made is not None


class BackupsTab(SettingsTab):
    """Settings → Backups."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, parent)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("no daily backups")
        self.folder_button = QPushButton("Choose…")
        self.folder_button.clicked.connect(self.choose_folder)
        self.keep_days = QSpinBox()
        self.keep_days.setRange(MIN_KEEP_DAYS, MAX_KEEP_DAYS)
        self.keep_days.setSuffix(" days")
        self.last = QLabel()
        self.last.setObjectName("last_backup")
        self.save_button = QPushButton("&Save backup settings")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        self.now_button = QPushButton("&Back up now")
        self.now_button.clicked.connect(self.back_up_now)
        self.outcome = note_label("")

        form = QFormLayout()
        p = self.problems
        form_row(
            form,
            "Backup &folder:",
            with_button(self.folder, self.folder_button),
            p.add("backup_folder", self.folder),
        )
        form_row(
            form, "&Keep backups for:", self.keep_days, p.add("backup_keep_days", self.keep_days)
        )
        form.addRow("Last good backup:", self.last)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            note_label(
                "Once a day the desk writes the whole clinic to a new file in this folder and "
                "removes backups older than the days kept. Choose a folder on another disk "
                "or a server that is itself backed up; the files hold patient data."
            )
        )
        layout.addWidget(p.general)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.now_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.outcome)
        layout.addStretch(1)

    def load(self) -> None:
        plan = backup_plan(self.desk.database)
        self.folder.setText(str(plan.folder) if plan.folder else "")
        self.keep_days.setValue(plan.keep_days)
        self.last.setText(_made_at(plan.last_at, self.desk.zone) if plan.last_at else "none yet")
        self.problems.clear()

    def save(self) -> bool:
        folder, days = self.folder.text(), self.keep_days.value()
        return self._save(lambda db: set_backup_plan(db, folder, days, **self._kw()))

    def back_up_now(self) -> bool:
        if not self.save():
            return False
        if not backup_plan(self.desk.database).folder:
            self.outcome.setText("Choose a backup folder first.")
            return False
        try:
            made = scheduled_backup(self.desk.database, self.desk.now(), force=True)
        except (CopyRefused, DatabaseError, OSError) as exc:
            self.outcome.setText(str(exc))
            return False
        self.outcome.setText(f"Wrote {made}; every table checked against the clinic.")
        self.load()
        self.desk.changed.emit()
        return True

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, "Choose the backup folder", self.folder.text()
        )
        if path:
            self.folder.setText(path)
