"""First start on a new database: open the demo clinic, or set up an empty one.

Setting up an empty clinic creates its administrator, who is signed in at once. A database
upgraded from before staff accounts gets its administrator the same way.
"""

from __future__ import annotations

import datetime as dt
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
from sqlalchemy.orm import Session

from scheduler import APP_NAME
from scheduler.domain.access import Actor
from scheduler.domain.enums import StaffRole
from scheduler.errors import FieldProblem, ValidationFailed
from scheduler.services.accounts import (
    PASSWORD_MIN,
    NewAccount,
    create_first_administrator,
    has_accounts,
    password_problem,
    sign_in_problem,
)
from scheduler.services.clinic import is_set_up, set_up_clinic
from scheduler.services.settings import timezone_names, timezone_problem
from scheduler.ui.desk import Desk
from scheduler.ui.widgets import FieldProblems, act_on_form, note_label, title_label

DEFAULT_TIMEZONE = "America/New_York"


@dataclass(frozen=True)
class FirstStartChoice:
    kind: Literal["demo", "empty"]
    name: str = ""
    timezone: str = DEFAULT_TIMEZONE
    administrator: NewAccount | None = None
    password_again: str = ""


class AdministratorFields:
    """The first administrator's name, sign-in name and password (typed twice)."""

    def __init__(self, form: QFormLayout, problems: FieldProblems) -> None:
        self.person = QLineEdit()
        self.person.setPlaceholderText("e.g. Alex Morgan")
        self.sign_in = QLineEdit()
        self.sign_in.setPlaceholderText("e.g. alex")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"at least {PASSWORD_MIN} characters")
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Administrator's n&ame:", self.person)
        form.addRow("", problems.add("admin_name", self.person))
        form.addRow("Sign-&in name:", self.sign_in)
        form.addRow("", problems.add("sign_in", self.sign_in))
        form.addRow("Pass&word:", self.password)
        form.addRow("", problems.add("password", self.password))
        form.addRow("Password a&gain:", self.again)
        form.addRow("", problems.add("password_again", self.again))

    def account(self) -> NewAccount:
        return NewAccount(
            self.person.text().strip(),
            self.sign_in.text().strip(),
            self.password.text(),
            frozenset({StaffRole.ADMINISTRATOR}),
        )


def account_problems(account: NewAccount | None, again: str) -> list[FieldProblem]:
    """What is wrong with the administrator typed at first start."""
    if account is None:
        return [FieldProblem("admin_name", "Type the administrator's name.")]
    problems = []
    if not account.name:
        problems.append(FieldProblem("admin_name", "Type the administrator's name."))
    if message := sign_in_problem(account.sign_in):
        problems.append(FieldProblem("sign_in", message))
    if message := password_problem(account.password, account.sign_in):
        problems.append(FieldProblem("password", message))
    elif again != account.password:
        problems.append(FieldProblem("password_again", "The two passwords differ."))
    return problems


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
        self.administrator = AdministratorFields(form, self.problems)
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
        layout.addWidget(note_label(demo_accounts_text()))
        layout.addWidget(self.empty)
        layout.addWidget(self.details)
        layout.addWidget(QLabel("You can change every setting later in Settings."))
        layout.addWidget(buttons)
        self.empty.toggled.connect(self.details.setEnabled)
        self.empty.toggled.connect(lambda on: on and self.name.setFocus())

    def choice(self) -> FirstStartChoice:
        if self.demo.isChecked():
            return FirstStartChoice("demo")
        return FirstStartChoice(
            "empty",
            self.name.text().strip(),
            self.timezone.currentText(),
            self.administrator.account(),
            self.administrator.again.text(),
        )

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


def demo_accounts_text() -> str:
    """The demo clinic's accounts in one sentence, for the first-start screen."""
    from scheduler.services.demo import DEMO_ACCOUNTS

    accounts = ", ".join(
        f"{a.role.value.replace('_', ' ')} {a.sign_in} / {a.password}" for a in DEMO_ACCOUNTS
    )
    return f"Sign in to the demo as (name / password): {accounts}."


def choice_problems(choice: FirstStartChoice) -> list[FieldProblem]:
    if choice.kind == "demo":
        return []
    problems = []
    if not choice.name:
        problems.append(FieldProblem("name", "Type the clinic's name; its letters print it."))
    if message := timezone_problem(choice.timezone):
        problems.append(FieldProblem("timezone", message))
    return problems + account_problems(choice.administrator, choice.password_again)


def start_clinic(desk: Desk, choice: FirstStartChoice, parent: QWidget | None = None) -> bool:
    """Build the chosen clinic into the desk's database in one transaction.

    An empty clinic's new administrator is signed in at once; the demo clinic's staff sign
    in with the accounts its sign-in screen lists.
    """

    def build(db: Session) -> Actor | None:
        if choice.kind == "demo":
            from scheduler.services.demo import CLINIC_TIMEZONE, build_demo_clinic

            now = desk.now()
            today = now.astimezone(ZoneInfo(CLINIC_TIMEZONE)).date()
            build_demo_clinic(db, today=today, now=now)
            return None
        if problems := choice_problems(choice):
            raise ValidationFailed(problems)
        assert choice.administrator is not None
        set_up_clinic(
            db,
            name=choice.name,
            timezone=choice.timezone,
            actor=choice.administrator.sign_in,
            now=desk.now(),
        )
        return create_first_administrator(db, choice.administrator, now=desk.now())

    done = act_on_form(desk, build, FieldProblems(), parent)
    desk.settings_changed()
    if isinstance(done, Actor):
        desk.sign_in(done)
    return desk.read(is_set_up)


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


class FirstAdministratorDialog(QDialog):
    """Asks for the administrator of a clinic that has nobody who can sign in yet.

    A database from before staff accounts opens here once: its staff are kept, and the
    administrator gives them sign-in names and passwords in Settings › Staff.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Administrator — {APP_NAME}")
        self.setMinimumWidth(480)
        self.problems = FieldProblems()
        form = QFormLayout()
        self.fields = AdministratorFields(form, self.problems)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Create and sign in")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Nobody can sign in to this clinic yet"))
        layout.addWidget(
            note_label(
                "Create the clinic's administrator. The administrator adds the other staff "
                "accounts in Settings › Staff."
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.problems.general)
        layout.addWidget(buttons)

    def accept(self) -> None:
        problems = account_problems(self.fields.account(), self.fields.again.text())
        if problems:
            self.problems.show(problems)
            return
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> NewAccount | None:
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.fields.account()


def ensure_administrator(
    desk: Desk,
    ask: Callable[[QWidget | None], NewAccount | None] = FirstAdministratorDialog.ask,
    parent: QWidget | None = None,
) -> bool:
    """Make sure someone can sign in, asking for the administrator if not; False: gave up."""
    while not desk.read(accounts_exist):
        account = ask(parent)
        if account is None:
            return False
        actor = act_on_form(desk, _creating(account, desk.now()), FieldProblems(), parent)
        if actor is not None:
            desk.sign_in(actor)
    return True


def accounts_exist(db: Session) -> bool:
    return has_accounts(db)


def _creating(account: NewAccount, now: dt.datetime) -> Callable[[Session], Actor]:
    return lambda db: create_first_administrator(db, account, now=now)
