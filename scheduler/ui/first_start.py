"""First start on a new database: open the demo clinic, or set up an empty one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session as DbSession

from scheduler import APP_NAME
from scheduler.services.clinic import is_set_up, set_up_clinic
from scheduler.services.errors import FieldProblem, ValidationFailed
from scheduler.services.settings import timezone_names, timezone_problem
from scheduler.ui.desk import Desk
from scheduler.ui.widgets import FieldProblems, act_on_form, note_label, title_label

DEFAULT_TIMEZONE = "America/New_York"


@dataclass(frozen=True)
class FirstStartChoice:
    kind: Literal["demo", "empty"]
    name: str = ""
    timezone: str = DEFAULT_TIMEZONE


class FirstStartDialog(QDialog):
    """Asks how to begin on a database that holds no clinic yet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.setMinimumWidth(480)
        self.demo = QRadioButton("Open the &demo clinic (made-up patients and sessions to try)")
        self.empty = QRadioButton("&Set up an empty clinic")
        self.demo.setChecked(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Lakeside Infusion Clinic")
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItems(timezone_names())
        self.timezone.setCurrentText(DEFAULT_TIMEZONE)
        self.problems = FieldProblems()

        form = QFormLayout()
        form.addRow("Clinic &name:", self.name)
        form.addRow("", self.problems.add("name", self.name))
        form.addRow("&Time zone:", self.timezone)
        form.addRow("", self.problems.add("timezone", self.timezone))
        self.details = QWidget()
        self.details.setLayout(form)
        self.details.setEnabled(False)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Start")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(title_label("This database holds no clinic yet"))
        layout.addWidget(
            note_label("Try the desk on a demo clinic, or set up your own clinic to start work.")
        )
        layout.addWidget(self.demo)
        layout.addWidget(self.empty)
        layout.addWidget(self.details)
        layout.addWidget(QLabel("You can change every setting later in Settings."))
        layout.addWidget(buttons)
        self.empty.toggled.connect(self.details.setEnabled)
        self.empty.toggled.connect(lambda on: on and self.name.setFocus())

    def choice(self) -> FirstStartChoice:
        if self.demo.isChecked():
            return FirstStartChoice("demo")
        return FirstStartChoice("empty", self.name.text().strip(), self.timezone.currentText())

    def accept(self) -> None:
        choice = self.choice()
        problems = choice_problems(choice)
        if problems:
            self.problems.show(problems)
            return
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> FirstStartChoice | None:
        """The user's choice, or None when they closed the dialog."""
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()


def choice_problems(choice: FirstStartChoice) -> list[FieldProblem]:
    if choice.kind == "demo":
        return []
    problems = []
    if not choice.name:
        problems.append(FieldProblem("name", "Type the clinic's name; its letters print it."))
    if message := timezone_problem(choice.timezone):
        problems.append(FieldProblem("timezone", message))
    return problems


def start_clinic(desk: Desk, choice: FirstStartChoice, parent: QWidget | None = None) -> bool:
    """Build the chosen clinic into the desk's database in one transaction."""

    def build(db: DbSession) -> bool:
        if choice.kind == "demo":
            from scheduler.services.demo import CLINIC_TIMEZONE, build_demo_clinic

            now = desk.now()
            today = now.astimezone(ZoneInfo(CLINIC_TIMEZONE)).date()
            build_demo_clinic(db, today=today, actor=desk.actor, now=now)
            return True
        if problems := choice_problems(choice):
            raise ValidationFailed(problems)
        set_up_clinic(
            db, name=choice.name, timezone=choice.timezone, actor=desk.actor, now=desk.now()
        )
        return True

    done = act_on_form(desk, build, FieldProblems(), parent)
    desk.settings_changed()
    return bool(done)


def ensure_clinic(
    desk: Desk,
    ask: Callable[[QWidget | None], FirstStartChoice | None] = FirstStartDialog.ask,
    parent: QWidget | None = None,
) -> bool:
    """Make sure the database holds a clinic, asking how to begin if not; False: user gave up."""
    while not desk.read(is_set_up):
        choice = ask(parent)
        if choice is None:
            return False
        start_clinic(desk, choice, parent)
    return True
