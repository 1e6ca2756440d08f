"""Settings → Clinic: the clinic's details, its letters' paper and wording, the idle lock."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.enums import PaperSize
from scheduler.services import settings as svc
from scheduler.ui.desk import Desk
from scheduler.ui.settings.fields import Row, SettingsTab, add_rows, combo, set_combo, with_button
from scheduler.ui.widgets import note_label


class ClinicTab(SettingsTab):
    """Settings → Clinic."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, parent)
        self.name = QLineEdit()
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(60)
        self.phone = QLineEdit()
        self.after_hours = QLineEdit()
        self.after_hours.setPlaceholderText(
            "printed on aftercare letters beside the 988 crisis line"
        )
        self.email = QLineEdit()
        self.logo = QLineEdit()
        self.logo.setPlaceholderText("no logo: letters print the clinic name")
        self.logo_button = QPushButton("Choose…")
        self.logo_button.clicked.connect(self.choose_logo)
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(svc.timezone_names())
        self.paper = combo({p: p.value for p in PaperSize})
        self.template_dir = QLineEdit()
        self.template_dir.setPlaceholderText("the wording shipped with the desk")
        self.template_button = QPushButton("Choose…")
        self.template_button.clicked.connect(self.choose_template_dir)
        self.signature = QLineEdit()
        self.idle_lock = QSpinBox()
        self.idle_lock.setRange(*svc.IDLE_LOCK_RANGE)
        self.idle_lock.setSuffix(" min")
        self.idle_lock.setToolTip("The desk locks after this long without a key press or click")
        self.save_button = QPushButton("&Save clinic details")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)

        form = QFormLayout()
        add_rows(
            form,
            self.problems,
            (
                Row("Clinic &name:", self.name, "name"),
                Row("Address:", self.address, "address"),
                Row("Phone:", self.phone, "phone"),
                Row("After-hours phone:", self.after_hours, "after_hours_phone"),
                Row("Email:", self.email, "email"),
                Row("Logo:", with_button(self.logo, self.logo_button), "logo_path", self.logo),
                Row("&Time zone:", self.timezone, "timezone"),
                Row("Paper size:", self.paper, "paper_size"),
                Row(
                    "Letter templates:",
                    with_button(self.template_dir, self.template_button),
                    "letter_template_dir",
                    self.template_dir,
                ),
                Row("Letters signed by:", self.signature, "letter_signature"),
                Row("Lock the desk after:", self.idle_lock, "idle_lock_minutes"),
            ),
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            note_label(
                "The time zone sets every time on the desk and in letters; change it only if "
                "the clinic itself moved."
            )
        )
        layout.addWidget(self.problems.general)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def load(self) -> None:
        d = self.desk.read(svc.clinic_details)
        self.name.setText(d.name)
        self.address.setPlainText(d.address)
        self.phone.setText(d.phone)
        self.after_hours.setText(d.after_hours_phone)
        self.email.setText(d.email)
        self.logo.setText(d.logo_path or "")
        self.timezone.setCurrentText(d.timezone)
        set_combo(self.paper, d.paper_size)
        self.template_dir.setText(d.letter_template_dir or "")
        self.signature.setText(d.letter_signature)
        self.idle_lock.setValue(d.idle_lock_minutes)
        self.problems.clear()

    def details(self) -> svc.ClinicDetails:
        return svc.ClinicDetails(
            name=self.name.text(),
            address=self.address.toPlainText(),
            phone=self.phone.text(),
            email=self.email.text(),
            logo_path=self.logo.text() or None,
            timezone=self.timezone.currentText(),
            paper_size=str(self.paper.currentData()),
            letter_template_dir=self.template_dir.text() or None,
            letter_signature=self.signature.text(),
            after_hours_phone=self.after_hours.text(),
            idle_lock_minutes=self.idle_lock.value(),
        )

    def save(self) -> bool:
        details = self.details()
        saved = self._save(lambda db: svc.update_clinic_details(db, details, **self._kw()))
        if saved:
            self.desk.settings_changed()
        return saved

    def choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose the clinic's logo", self.logo.text(), "Pictures (*.png *.jpg *.jpeg)"
        )
        if path:
            self.logo.setText(path)

    def choose_template_dir(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, "Choose the letter template folder", self.template_dir.text()
        )
        if path:
            self.template_dir.setText(path)
