"""Settings → Backups: the folder, how many days are kept, and a backup made now."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
    CopyRefused,
    backup_plan,
    scheduled_backup,
    set_backup_plan,
)
from scheduler.services.changes import Change
from scheduler.ui.backups import made_at
from scheduler.ui.desk import Desk
from scheduler.ui.settings.fields import Row, SettingsTab, add_rows, with_button
from scheduler.ui.widgets import note_label


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
        add_rows(
            form,
            p,
            (
                Row(
                    "Backup &folder:",
                    with_button(self.folder, self.folder_button),
                    "backup_folder",
                    self.folder,
                ),
                Row("&Keep backups for:", self.keep_days, "backup_keep_days"),
            ),
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
        self.last.setText(made_at(plan.last_at, self.desk.zone) if plan.last_at else "none yet")
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
        except CopyRefused as exc:
            self.outcome.setText(str(exc))
            return False
        self.outcome.setText(f"Wrote {made}; every table checked against the clinic.")
        self.load()
        self.desk.changed.emit(Change.SETTINGS)
        return True

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, "Choose the backup folder", self.folder.text()
        )
        if path:
            self.folder.setText(path)
