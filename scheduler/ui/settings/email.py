"""Settings → Email: the mail server letters are emailed through, and its password.

The password box is never filled from anywhere: it shows whether a password is kept on this
computer, and a new one typed here replaces it in the credential store when saved.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.enums import MailSecurity
from scheduler.services.mail_password import NO_STORE
from scheduler.services.mail_settings import (
    SECURITY_LABELS,
    MailServer,
    mail_server,
    save_mail_server,
)
from scheduler.ui.desk import Desk
from scheduler.ui.settings.fields import Row, SettingsTab, add_rows
from scheduler.ui.widgets import note_label

# The port each security usually has, filled in when the security is changed.
_USUAL_PORTS = {MailSecurity.STARTTLS: 587, MailSecurity.TLS: 465, MailSecurity.NONE: 25}


class EmailTab(SettingsTab):
    """Settings → Email."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, parent)
        self.host = QLineEdit()
        self.host.setObjectName("smtp_host")
        self.host.setPlaceholderText("smtp.example.org")
        self.security = QComboBox()
        self.security.setObjectName("smtp_security")
        for security, label in SECURITY_LABELS.items():
            self.security.addItem(label, security.value)
        self.port = QSpinBox()
        self.port.setObjectName("smtp_port")
        self.port.setRange(1, 65535)
        self.user = QLineEdit()
        self.user.setObjectName("smtp_user")
        self.user.setPlaceholderText("none: the server needs no sign-in")
        self.password = QLineEdit()
        self.password.setObjectName("smtp_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.from_address = QLineEdit()
        self.from_address.setObjectName("smtp_from")
        self.from_address.setPlaceholderText("letters@your-clinic.example")
        self.store_note = note_label("")
        self.store_note.setObjectName("keyring_note")
        self.save_button = QPushButton("&Save email settings")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        self.security.activated.connect(self._usual_port)

        form = QFormLayout()
        add_rows(
            form,
            self.problems,
            (
                Row("Mail &server:", self.host, "host"),
                Row("Se&curity:", self.security, "security"),
                Row("&Port:", self.port, "port"),
                Row("&User name:", self.user, "user"),
                Row("Pass&word:", self.password, "password"),
                Row("&From address:", self.from_address, "from_address"),
            ),
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.store_note)
        layout.addWidget(
            note_label(
                "Prep letters and schedule letters are emailed only to patients who agreed "
                "to email (the box under their address). The password is kept in this "
                "computer's credential store, never in the clinic's database."
            )
        )
        layout.addWidget(self.problems.general)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def load(self) -> None:
        server = self.desk.read(mail_server)
        self.host.setText(server.host)
        self.security.setCurrentIndex(self.security.findData(server.security.value))
        self.port.setValue(server.port)
        self.user.setText(server.user)
        self.password.clear()
        self.from_address.setText(server.from_address)
        self.password.setEnabled(server.store_available)
        if not server.store_available:
            self.password.setPlaceholderText("no credential store on this computer")
            self.store_note.setText(NO_STORE)
        else:
            kept = "a password is kept on this computer" if server.password_kept else ""
            self.password.setPlaceholderText(kept)
            self.store_note.setText("")
        self.store_note.setVisible(not server.store_available)
        self.problems.clear()

    def _usual_port(self) -> None:
        self.port.setValue(_USUAL_PORTS[MailSecurity(self.security.currentData())])

    def save(self) -> bool:
        server = MailServer(
            host=self.host.text(),
            port=self.port.value(),
            security=MailSecurity(self.security.currentData()),
            user=self.user.text(),
            from_address=self.from_address.text(),
        )
        password = self.password.text() or None
        saved = self._save(lambda db: save_mail_server(db, server, password=password, **self._kw()))
        if saved:
            self.load()  # the password box empty again, saying a password is kept
            self.desk.announce("Email settings saved")
        return saved
