"""Settings: the clinic's details, hours, closures, chairs, staff, therapies and protocols.

Every tab saves with one button and one transaction (``Desk.act``); problems are shown under
the fields they are about. The numbers are the clinic's own: the seeded defaults are only a
starting point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTime
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session as DbSession

from scheduler.domain.access import ROLE_LABELS
from scheduler.domain.enums import ChairKind, DrivingRule, PaperSize, Phase, Place, StaffRole
from scheduler.services import accounts
from scheduler.services import settings as svc
from scheduler.store.models import Staff
from scheduler.ui.desk import Desk
from scheduler.ui.qt_dates import to_qdate
from scheduler.ui.tables import ID_ROLE, RowsModel
from scheduler.ui.widgets import (
    FieldProblems,
    RefreshedWhenShown,
    act_on_form,
    note_label,
    problem_label,
    row_table,
    title_label,
)

KIND_LABELS = {
    ChairKind.CHAIR: "Infusion chair",
    ChairKind.ROOM: "Room",
    ChairKind.PROCEDURE_ROOM: "Procedure room",
    ChairKind.OFFICE: "Office",
}
PLACE_LABELS = {
    Place.CHAIR: "Chair",
    Place.ROOM: "Room",
    Place.PROCEDURE_ROOM: "Procedure room",
    Place.OFFICE: "Office",
    Place.HOME: "Home visit",
    Place.VIDEO: "Video",
}
DRIVING_LABELS = {
    DrivingRule.NONE: "No restriction",
    DrivingRule.HOURS: "Hours after the session",
    DrivingRule.NEXT_MORNING: "Not until the next day",
}
PHASE_LABELS = {
    Phase.INDUCTION: "Induction series",
    Phase.MAINTENANCE: "Maintenance",
    Phase.SINGLE: "Single session",
}
DAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# -- plain rows and their models ---------------------------------------------------------------


@dataclass(frozen=True)
class ClosureRow:
    closure_id: int
    day: dt.date
    reason: str


@dataclass(frozen=True)
class ChairRow:
    chair_id: int
    edit: svc.ChairEdit


@dataclass(frozen=True)
class StaffRow:
    staff_id: int
    edit: svc.StaffEdit
    account: str = ""  # "can sign in", "no password yet", "locked until 10:42"...


@dataclass(frozen=True)
class TherapyRow:
    therapy_id: int
    code: str
    edit: svc.TherapyEdit


@dataclass(frozen=True)
class ProtocolRow:
    protocol_id: int
    therapy_name: str
    edit: svc.ProtocolEdit


class ClosuresModel(RowsModel[ClosureRow]):
    COL_DAY, COL_REASON = range(2)
    HEADERS = ("Closed on", "Reason")

    def value(self, row: ClosureRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.day:%a} {row.day.isoformat()}" if column == self.COL_DAY else row.reason
        return row.closure_id if role == ID_ROLE else None


class ChairsModel(RowsModel[ChairRow]):
    COL_NAME, COL_KIND, COL_ACTIVE, COL_ORDER = range(4)
    HEADERS = ("Name", "Kind", "In use", "Order")

    def value(self, row: ChairRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.edit.name,
                KIND_LABELS[ChairKind(row.edit.kind)],
                "Yes" if row.edit.active else "No",
                str(row.edit.sort_order),
            )[column]
        return row.chair_id if role == ID_ROLE else None


class StaffModel(RowsModel[StaffRow]):
    COL_NAME, COL_ROLE, COL_SIGN_IN, COL_ACTIVE = range(4)
    HEADERS = ("Name", "Roles", "Sign-in", "Active")

    def value(self, row: StaffRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.edit.name,
                ", ".join(ROLE_LABELS[r] for r in StaffRole if r in row.edit.roles),
                f"{row.edit.sign_in} ({row.account})" if row.edit.sign_in else "—",
                "Yes" if row.edit.active else "No",
            )[column]
        return row.staff_id if role == ID_ROLE else None


# What a new therapy starts as: one chair session, no fasting, no driver, general wording.
NEW_THERAPY = svc.TherapyEdit(
    name="", session_noun="session", treatment_minutes=60, observation_minutes=0,
    buffer_minutes=15, places=Place.CHAIR.value, colour="#4a90d9",
)  # fmt: skip
WORDING_NOTE = (
    "A therapy you add starts on the general wording, which says nothing about any one drug. "
    "Choose a shipped wording above, or write your own files named after its code "
    "(prep.<code>.toml, aftercare.<code>.toml) in the letter template folder (Clinic tab)."
)


class TherapiesModel(RowsModel[TherapyRow]):
    COL_NAME, COL_MINUTES, COL_PLACES = range(3)
    HEADERS = ("Therapy", "Treatment + observation + buffer", "Where")

    def value(self, row: TherapyRow, column: int, role: int) -> Any:
        e = row.edit
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_NAME:
                return e.name if e.active else f"{e.name} (not offered)"
            if column == self.COL_MINUTES:
                return f"{e.treatment_minutes} + {e.observation_minutes} + {e.buffer_minutes} min"
            return ", ".join(PLACE_LABELS[Place(p)] for p in e.places.split(",") if p)
        if role == Qt.ItemDataRole.DecorationRole and column == self.COL_NAME:
            return QColor(e.colour)
        return row.therapy_id if role == ID_ROLE else None


class ProtocolsModel(RowsModel[ProtocolRow]):
    COL_NAME, COL_THERAPY, COL_PHASE, COL_COUNT = range(4)
    HEADERS = ("Protocol", "Therapy", "Kind", "Sessions")

    def value(self, row: ProtocolRow, column: int, role: int) -> Any:
        e = row.edit
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                e.name if e.active else f"{e.name} (not used)",
                row.therapy_name,
                PHASE_LABELS[Phase(e.phase)],
                "" if e.session_count is None else str(e.session_count),
            )[column]
        return row.protocol_id if role == ID_ROLE else None


# -- helpers -------------------------------------------------------------------------------------


def _table(model: RowsModel[Any], stretch: int = 0) -> QTableView:
    return row_table(model, stretch=stretch)


def _selected_row(table: QTableView) -> int | None:
    rows = table.selectionModel().selectedRows()
    return rows[0].row() if rows else None


def _optional_spin(maximum: int, none_text: str, suffix: str) -> QSpinBox:
    """A spin box whose lowest value (0) means "none"."""
    spin = QSpinBox()
    spin.setRange(0, maximum)
    spin.setSpecialValueText(none_text)
    _suffix(spin, suffix)
    return spin


def _suffix(spin: QSpinBox, suffix: str) -> None:
    """A unit after the number, singular for one ("1 day", "3 days")."""
    singular = suffix.removesuffix("s")

    def update(value: int) -> None:
        spin.setSuffix(singular if value == 1 and singular != suffix else suffix)

    spin.valueChanged.connect(update)
    update(spin.value())


def _optional(spin: QSpinBox) -> int | None:
    return spin.value() or None


def _combo(labels: dict[Any, str]) -> QComboBox:
    combo = QComboBox()
    for value, label in labels.items():
        combo.addItem(label, str(value))
    return combo


def _set_combo(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


class _Tab(QWidget):
    """One settings tab: loads from the database, saves through ``Desk.act``."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.problems = FieldProblems()

    def load(self) -> None:
        raise NotImplementedError

    def _save(self, action: Callable[[DbSession], object]) -> bool:
        return act_on_form(self.desk, action, self.problems, self) is not None

    def _kw(self) -> dict[str, Any]:
        return {"actor": self.desk.actor, "now": self.desk.now()}


def _form_row(form: QFormLayout, label: str, widget: QWidget, problem: QLabel) -> None:
    caption = QLabel(label)
    caption.setBuddy(widget)
    form.addRow(caption, widget)
    form.addRow("", problem)


# -- the clinic ----------------------------------------------------------------------------------


class ClinicTab(_Tab):
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
        self.paper = _combo({p: p.value for p in PaperSize})
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
        p = self.problems
        _form_row(form, "Clinic &name:", self.name, p.add("name", self.name))
        _form_row(form, "Address:", self.address, p.add("address", self.address))
        _form_row(form, "Phone:", self.phone, p.add("phone", self.phone))
        _form_row(
            form,
            "After-hours phone:",
            self.after_hours,
            p.add("after_hours_phone", self.after_hours),
        )
        _form_row(form, "Email:", self.email, p.add("email", self.email))
        _form_row(form, "Logo:", _with(self.logo, self.logo_button), p.add("logo_path", self.logo))
        _form_row(form, "&Time zone:", self.timezone, p.add("timezone", self.timezone))
        _form_row(form, "Paper size:", self.paper, p.add("paper_size", self.paper))
        _form_row(
            form,
            "Letter templates:",
            _with(self.template_dir, self.template_button),
            p.add("letter_template_dir", self.template_dir),
        )
        _form_row(
            form, "Letters signed by:", self.signature, p.add("letter_signature", self.signature)
        )
        _form_row(
            form, "Lock the desk after:", self.idle_lock, p.add("idle_lock_minutes", self.idle_lock)
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            note_label(
                "The time zone sets every time on the desk and in letters; change it only if "
                "the clinic itself moved."
            )
        )
        layout.addWidget(p.general)
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
        _set_combo(self.paper, d.paper_size)
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


def _with(edit: QWidget, button: QPushButton) -> QWidget:
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    row.addWidget(button)
    return box


# -- opening hours and closures -----------------------------------------------------------------


class HoursTab(_Tab):
    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, parent)
        self.open_boxes: list[QCheckBox] = []
        self.opens: list[QTimeEdit] = []
        self.closes: list[QTimeEdit] = []
        hours = QGridLayout()
        hours.addWidget(title_label("Opening hours", section=True), 0, 0, 1, 4)
        for day, name in enumerate(svc.WEEKDAY_NAMES):
            box = QCheckBox(name)
            opens, closes = QTimeEdit(), QTimeEdit()
            for edit in (opens, closes):
                edit.setDisplayFormat("HH:mm")
                box.toggled.connect(edit.setEnabled)
            self.open_boxes.append(box)
            self.opens.append(opens)
            self.closes.append(closes)
            hours.addWidget(box, 1 + day * 2, 0)
            hours.addWidget(opens, 1 + day * 2, 1)
            hours.addWidget(QLabel("to"), 1 + day * 2, 2)
            hours.addWidget(closes, 1 + day * 2, 3)
            hours.addWidget(self.problems.add(f"weekday_{day}", closes), 2 + day * 2, 0, 1, 5)
        hours.setColumnStretch(4, 1)
        self.save_button = QPushButton("&Save opening hours")
        self.save_button.clicked.connect(self.save)

        self.closures_model = ClosuresModel(self)
        self.closures = _table(self.closures_model, ClosuresModel.COL_REASON)
        self.closure_day = QDateEdit()
        self.closure_day.setCalendarPopup(True)
        self.closure_day.setDisplayFormat("ddd yyyy-MM-dd")
        self.closure_reason = QLineEdit()
        self.closure_reason.setPlaceholderText("e.g. Thanksgiving, staff training")
        self.add_closure_button = QPushButton("&Add closure")
        self.add_closure_button.clicked.connect(self.add_closure)
        self.remove_closure_button = QPushButton("&Remove selected")
        self.remove_closure_button.clicked.connect(self.remove_closure)
        add_row = QHBoxLayout()
        add_row.addWidget(self.closure_day)
        add_row.addWidget(self.closure_reason, 1)
        add_row.addWidget(self.add_closure_button)

        left = QVBoxLayout()
        left.addLayout(hours)
        left.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(title_label("Closures (whole days)", section=True))
        right.addWidget(self.closures, 1)
        right.addLayout(add_row)
        right.addWidget(self.problems.add("day", self.closure_day))
        right.addWidget(self.remove_closure_button, 0, Qt.AlignmentFlag.AlignLeft)
        right.addWidget(self.problems.general)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addSpacing(16)
        layout.addLayout(right, 3)

    def load(self) -> None:
        hours = self.desk.read(svc.opening_hours)
        for day in range(7):
            span = hours[day]
            self.open_boxes[day].setChecked(span is not None)
            opens, closes = span or (dt.time(9), dt.time(17))
            self.opens[day].setTime(QTime(opens.hour, opens.minute))
            self.closes[day].setTime(QTime(closes.hour, closes.minute))
            self.opens[day].setEnabled(span is not None)
            self.closes[day].setEnabled(span is not None)
        today = self.desk.today()
        rows = self.desk.read(
            lambda db: [
                ClosureRow(c.id, c.day, c.reason) for c in svc.list_closures(db, since=today)
            ]
        )
        self.closures_model.set_rows(rows)
        if self.closure_day.date() < to_qdate(today):  # keep a date the user chose
            self.closure_day.setDate(to_qdate(today))
        self.problems.clear()

    def hours(self) -> dict[int, tuple[dt.time, dt.time] | None]:
        return {
            day: (self.opens[day].time().toPython(), self.closes[day].time().toPython())  # type: ignore[misc]
            if self.open_boxes[day].isChecked()
            else None
            for day in range(7)
        }

    def save(self) -> bool:
        hours = self.hours()
        return self._save(lambda db: svc.set_opening_hours(db, hours, **self._kw()))

    def add_closure(self) -> bool:
        day: dt.date = self.closure_day.date().toPython()  # type: ignore[assignment]
        reason = self.closure_reason.text()
        if self._save(lambda db: svc.add_closure(db, day, reason, **self._kw())):
            self.closure_reason.clear()
            return True
        return False

    def remove_closure(self) -> None:
        row = _selected_row(self.closures)
        if row is None:
            return
        closure_id = self.closures_model.row_at(row).closure_id
        self._save(lambda db: svc.remove_closure(db, closure_id, **self._kw()))


# -- chairs and staff ----------------------------------------------------------------------------


class _ListEditor(_Tab):
    """A table of rows on the left, the selected row's form on the right, New and Save."""

    noun = "row"

    def __init__(self, desk: Desk, model: RowsModel[Any], parent: QWidget | None = None) -> None:
        super().__init__(desk, parent)
        self.model = model
        self.table = _table(model)
        self.editing_id: int | None = None
        self.form = QFormLayout()
        self.new_button = QPushButton(f"&New {self.noun}")
        self.save_button = QPushButton(f"&Save {self.noun}")
        self.save_button.setObjectName("primary")
        self.new_button.clicked.connect(self.start_new)
        self.save_button.clicked.connect(self.save)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.editor_title = title_label("", section=True)
        editor = QVBoxLayout()
        editor.addWidget(self.editor_title)
        editor.addLayout(self.form)
        editor.addWidget(self.problems.general)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        editor.addLayout(buttons)
        editor.addStretch(1)
        editor_box = QWidget()
        editor_box.setLayout(editor)
        scroll = QScrollArea()
        scroll.setWidget(editor_box)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumWidth(420)
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(scroll, 1)

    def _selected(self) -> None:
        row = _selected_row(self.table)
        if row is not None:
            self.show_row(self.model.row_at(row))

    def rows(self, db: DbSession) -> list[Any]:
        raise NotImplementedError

    def show_row(self, row: Any) -> None:
        raise NotImplementedError

    def start_new(self) -> None:
        raise NotImplementedError

    def write(self, db: DbSession) -> object:
        raise NotImplementedError

    def row_id(self, row: Any) -> int:
        raise NotImplementedError

    def load(self) -> None:
        keep = self.editing_id
        self.model.set_rows(self.desk.read(self.rows))
        self.problems.clear()
        for index, row in enumerate(self.model.rows()):
            if self.row_id(row) == keep:
                self.table.selectRow(index)
                return
        if self.model.rowCount():
            self.table.selectRow(0)
        else:
            self.start_new()

    def save(self) -> bool:
        saved = act_on_form(self.desk, self.write, self.problems, self)
        if saved is not None:
            self.editing_id = int(saved.id)  # type: ignore[attr-defined]
            return True
        return False


class ChairsTab(_ListEditor):
    noun = "chair or room"

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, ChairsModel(), parent)
        self.model.setParent(self)
        self.name = QLineEdit()
        self.kind = _combo(KIND_LABELS)
        self.active = QCheckBox("In use (shown on the calendar)")
        self.order = QSpinBox()
        self.order.setRange(0, 999)
        _form_row(self.form, "Name:", self.name, self.problems.add("name", self.name))
        _form_row(self.form, "Kind:", self.kind, self.problems.add("kind", self.kind))
        self.form.addRow("", self.active)
        _form_row(
            self.form, "Calendar order:", self.order, self.problems.add("sort_order", self.order)
        )

    def rows(self, db: DbSession) -> list[ChairRow]:
        return [
            ChairRow(c.id, svc.ChairEdit(c.name, c.kind, c.active, c.sort_order))
            for c in svc.list_chairs(db)
        ]

    def row_id(self, row: ChairRow) -> int:
        return row.chair_id

    def show_row(self, row: ChairRow) -> None:
        self.editing_id = row.chair_id
        self.editor_title.setText(row.edit.name)
        self.name.setText(row.edit.name)
        _set_combo(self.kind, row.edit.kind)
        self.active.setChecked(row.edit.active)
        self.order.setValue(row.edit.sort_order)
        self.problems.clear()

    def start_new(self) -> None:
        self.table.clearSelection()
        self.editing_id = None
        self.editor_title.setText("New chair or room")
        self.name.clear()
        _set_combo(self.kind, ChairKind.CHAIR.value)
        self.active.setChecked(True)
        self.order.setValue(self.model.rowCount() + 1)
        self.name.setFocus()

    def write(self, db: DbSession) -> object:
        edit = svc.ChairEdit(
            self.name.text(), str(self.kind.currentData()), self.active.isChecked(),
            self.order.value(),
        )  # fmt: skip
        return svc.save_chair(db, self.editing_id, edit, **self._kw())


class StaffTab(_ListEditor):
    """Staff and their accounts: roles, sign-in name, password reset, deactivation."""

    noun = "staff member"

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, StaffModel(), parent)
        self.model.setParent(self)
        self.name = QLineEdit()
        self.sign_in = QLineEdit()
        self.sign_in.setPlaceholderText("empty: listed, cannot sign in")
        self.role_boxes = {r: QCheckBox(ROLE_LABELS[r]) for r in StaffRole}
        roles = QWidget()
        grid = QGridLayout(roles)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, box in enumerate(self.role_boxes.values()):
            grid.addWidget(box, i // 2, i % 2)
        self.active = QCheckBox("Works here now (unticked: cannot sign in)")
        self.password_button = QPushButton("Set &password…")
        self.password_button.clicked.connect(self.set_password)
        _form_row(self.form, "Name:", self.name, self.problems.add("name", self.name))
        _form_row(self.form, "Roles:", roles, self.problems.add("roles", roles))
        _form_row(
            self.form, "Sign-in name:", self.sign_in, self.problems.add("sign_in", self.sign_in)
        )
        self.form.addRow("", self.active)
        self.form.addRow("", self.password_button)
        self.form.addRow(
            "",
            note_label(
                "Clinicians record and clear screening and sign overrides; nurses are "
                "assigned to sessions; administrators change settings and staff. Setting a "
                "password also lifts a lock after wrong passwords."
            ),
        )

    def rows(self, db: DbSession) -> list[StaffRow]:
        now = self.desk.now()
        return [
            StaffRow(
                s.id,
                svc.StaffEdit(s.name, s.role_set, s.active, s.sign_in or ""),
                _account_state(s, now),
            )
            for s in svc.list_staff(db)
        ]

    def row_id(self, row: StaffRow) -> int:
        return row.staff_id

    def show_row(self, row: StaffRow) -> None:
        self.editing_id = row.staff_id
        self.editor_title.setText(row.edit.name)
        self.name.setText(row.edit.name)
        self.sign_in.setText(row.edit.sign_in)
        for role, box in self.role_boxes.items():
            box.setChecked(role in row.edit.roles)
        self.active.setChecked(row.edit.active)
        self.password_button.setEnabled(bool(row.edit.sign_in))
        self.problems.clear()

    def start_new(self) -> None:
        self.table.clearSelection()
        self.editing_id = None
        self.editor_title.setText("New staff member")
        self.name.clear()
        self.sign_in.clear()
        for role, box in self.role_boxes.items():
            box.setChecked(role is StaffRole.NURSE)
        self.active.setChecked(True)
        self.password_button.setEnabled(False)
        self.name.setFocus()

    def write(self, db: DbSession) -> object:
        roles = frozenset(r for r, box in self.role_boxes.items() if box.isChecked())
        edit = svc.StaffEdit(self.name.text(), roles, self.active.isChecked(), self.sign_in.text())
        return svc.save_staff(db, self.editing_id, edit, **self._kw())

    def set_password(self) -> bool:
        """Set (or reset) the selected staff member's password, typed twice."""
        staff_id = self.editing_id
        if staff_id is None:
            return False
        password = PasswordDialog.ask(self.name.text(), self)
        if password is None:
            return False
        return self._save(lambda db: accounts.set_password(db, staff_id, password, **self._kw()))


def _account_state(staff: Staff, now: dt.datetime) -> str:
    record = staff.password
    if record is None:
        return "no password yet"
    if record.locked_until is not None and record.locked_until > now:
        return "locked after wrong passwords"
    return "can sign in" if staff.active else "deactivated"


class PasswordDialog(QDialog):
    """A new password for a staff member, typed twice."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Password for {name}")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"at least {accounts.PASSWORD_MIN} characters")
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = problem_label()
        form = QFormLayout(self)
        form.addRow("&New password:", self.password)
        form.addRow("&Again:", self.again)
        form.addRow("", self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(420)

    def accept(self) -> None:
        if self.password.text() != self.again.text():
            self.problem.setText("The two passwords differ.")
            self.problem.show()
            return
        if problem := accounts.password_problem(self.password.text()):
            self.problem.setText(problem)
            self.problem.show()
            return
        super().accept()

    @classmethod
    def ask(cls, name: str, parent: QWidget | None = None) -> str | None:
        """The new password, or None when cancelled. Tests replace this."""
        dialog = cls(name, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.password.text()


# -- therapies and protocols ---------------------------------------------------------------------


class TherapiesTab(_ListEditor):
    noun = "therapy"

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, TherapiesModel(), parent)
        self.model.setParent(self)
        self.name = QLineEdit()
        self.noun_edit = QLineEdit()
        self.noun_edit.setPlaceholderText("e.g. infusion (“infusion 3 of 6”)")
        self.treatment = _minutes(1)
        self.observation = _minutes(0)
        self.buffer = _minutes(0)
        self.place_boxes = {p: QCheckBox(PLACE_LABELS[p]) for p in Place}
        places = QWidget()
        grid = QGridLayout(places)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, box in enumerate(self.place_boxes.values()):
            grid.addWidget(box, i // 3, i % 3)
        self.colour = QLineEdit()
        self.colour.setPlaceholderText("#3b7dd8")
        self.solids = _optional_spin(24 * 60, "no fasting", " min")
        self.liquids = _optional_spin(24 * 60, "no fasting", " min")
        self.driving = _combo(DRIVING_LABELS)
        self.driving_hours = _optional_spin(72, "—", " h")
        self.needs_driver = QCheckBox("Needs a driver home")
        self.needs_rems = QCheckBox("Needs REMS enrolment")
        self.needs_screening = QCheckBox("Needs screening cleared")
        self.aftercare = QCheckBox("Patients go home with an aftercare letter")
        self.active = QCheckBox("Offered by the clinic")
        self.wording = _combo(svc.letter_wordings())
        self.wording_note = note_label(WORDING_NOTE)
        self.wording_note.setTextFormat(Qt.TextFormat.PlainText)  # "<code>" is text, not a tag
        p, f = self.problems, self.form
        _form_row(f, "Name:", self.name, p.add("name", self.name))
        _form_row(
            f, "One session is called:", self.noun_edit, p.add("session_noun", self.noun_edit)
        )
        _form_row(f, "Treatment:", self.treatment, p.add("treatment_minutes", self.treatment))
        _form_row(
            f, "Observation:", self.observation, p.add("observation_minutes", self.observation)
        )
        _form_row(f, "Chair turnover:", self.buffer, p.add("buffer_minutes", self.buffer))
        _form_row(f, "Given in:", places, p.add("places", places))
        _form_row(f, "Calendar colour:", self.colour, p.add("colour", self.colour))
        _form_row(f, "No solids for:", self.solids, p.add("fasting_solids_minutes", self.solids))
        _form_row(
            f, "No liquids for:", self.liquids, p.add("fasting_liquids_minutes", self.liquids)
        )
        _form_row(f, "Driving:", self.driving, p.add("driving_rule", self.driving))
        _form_row(
            f, "No driving for:", self.driving_hours, p.add("driving_hours", self.driving_hours)
        )
        _form_row(f, "Letter wording:", self.wording, p.add("letter_wording", self.wording))
        f.addRow("", self.wording_note)
        boxes = (self.needs_driver, self.needs_rems, self.needs_screening, self.aftercare)
        for box in (*boxes, self.active):
            f.addRow("", box)

    def rows(self, db: DbSession) -> list[TherapyRow]:
        return [TherapyRow(t.id, t.code, svc.therapy_edit_of(t)) for t in svc.list_therapies(db)]

    def row_id(self, row: TherapyRow) -> int:
        return row.therapy_id

    def show_row(self, row: TherapyRow) -> None:
        e = row.edit
        self.editing_id = row.therapy_id
        self.editor_title.setText(e.name)
        self.name.setText(e.name)
        self.noun_edit.setText(e.session_noun)
        self.treatment.setValue(e.treatment_minutes)
        self.observation.setValue(e.observation_minutes)
        self.buffer.setValue(e.buffer_minutes)
        chosen = set(e.places.split(","))
        for place, box in self.place_boxes.items():
            box.setChecked(place.value in chosen)
        self.colour.setText(e.colour)
        self.solids.setValue(e.fasting_solids_minutes or 0)
        self.liquids.setValue(e.fasting_liquids_minutes or 0)
        _set_combo(self.driving, e.driving_rule)
        self.driving_hours.setValue(e.driving_hours or 0)
        self.needs_driver.setChecked(e.needs_driver)
        self.needs_rems.setChecked(e.needs_rems)
        self.needs_screening.setChecked(e.needs_screening)
        self.aftercare.setChecked(e.aftercare_letter)
        _set_combo(self.wording, e.letter_wording)
        self.active.setChecked(e.active)
        self.problems.clear()

    def start_new(self) -> None:
        """A blank therapy: the general letter wording until the clinic chooses another."""
        self.table.clearSelection()
        self.show_row(TherapyRow(0, "", NEW_THERAPY))
        self.editing_id = None
        self.editor_title.setText("New therapy")
        self.name.setFocus()

    def write(self, db: DbSession) -> object:
        # The usual place stays first: keep the saved order, then any newly ticked place.
        saved_order: list[str] = next(
            (
                r.edit.places.split(",")
                for r in self.model.rows()
                if r.therapy_id == self.editing_id
            ),
            [],
        )
        ticked = [p.value for p, box in self.place_boxes.items() if box.isChecked()]
        places = [p for p in saved_order if p in ticked] + [
            p for p in ticked if p not in saved_order
        ]
        edit = svc.TherapyEdit(
            name=self.name.text(),
            session_noun=self.noun_edit.text(),
            treatment_minutes=self.treatment.value(),
            observation_minutes=self.observation.value(),
            buffer_minutes=self.buffer.value(),
            places=",".join(places),
            colour=self.colour.text().strip(),
            fasting_solids_minutes=_optional(self.solids),
            fasting_liquids_minutes=_optional(self.liquids),
            driving_rule=str(self.driving.currentData()),
            driving_hours=_optional(self.driving_hours),
            needs_driver=self.needs_driver.isChecked(),
            needs_rems=self.needs_rems.isChecked(),
            needs_screening=self.needs_screening.isChecked(),
            active=self.active.isChecked(),
            letter_wording=str(self.wording.currentData()),
            aftercare_letter=self.aftercare.isChecked(),
        )
        return svc.save_therapy(db, self.editing_id, edit, **self._kw())


def _minutes(minimum: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(minimum, 12 * 60)
    spin.setSuffix(" min")
    return spin


class ProtocolsTab(_ListEditor):
    noun = "protocol"

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, ProtocolsModel(), parent)
        self.model.setParent(self)
        self.name = QLineEdit()
        self.therapy = QComboBox()
        self.phase = _combo(PHASE_LABELS)
        self.count = _optional_spin(99, "as needed", " sessions")
        self.min_gap = QSpinBox()
        self.min_gap.setRange(0, 365)
        _suffix(self.min_gap, " days")
        self.max_gap = _optional_spin(365, "no limit", " days")
        self.max_span = _optional_spin(365, "no limit", " days")
        self.interval = _optional_spin(365, "—", " days")
        self.day_boxes = [QCheckBox(name) for name in DAY_ABBREVIATIONS]
        days = QWidget()
        grid = QGridLayout(days)
        grid.setContentsMargins(0, 0, 0, 0)
        for day, box in enumerate(self.day_boxes):
            grid.addWidget(box, day // 4, day % 4)
        self.active = QCheckBox("In use")
        p, f = self.problems, self.form
        _form_row(f, "Name:", self.name, p.add("name", self.name))
        _form_row(f, "Therapy:", self.therapy, p.add("therapy_id", self.therapy))
        _form_row(f, "Kind:", self.phase, p.add("phase", self.phase))
        _form_row(f, "Sessions:", self.count, p.add("session_count", self.count))
        _form_row(f, "At least:", self.min_gap, p.add("min_gap_days", self.min_gap))
        _form_row(f, "At most:", self.max_gap, p.add("max_gap_days", self.max_gap))
        _form_row(f, "Whole series within:", self.max_span, p.add("max_span_days", self.max_span))
        _form_row(f, "Preferred days:", days, p.add("preferred_weekdays", days))
        _form_row(
            f,
            "Maintenance every:",
            self.interval,
            p.add("maintenance_interval_days", self.interval),
        )
        f.addRow("", self.active)
        f.addRow("", note_label("An induction series has 6 to 8 sessions."))

    def load(self) -> None:
        therapies = self.desk.read(lambda db: [(t.id, t.name) for t in svc.list_therapies(db)])
        self.therapy.clear()
        for therapy_id, name in therapies:
            self.therapy.addItem(name, therapy_id)
        super().load()

    def rows(self, db: DbSession) -> list[ProtocolRow]:
        return [
            ProtocolRow(p.id, p.therapy.name, svc.protocol_edit_of(p))
            for p in svc.list_protocols(db)
        ]

    def row_id(self, row: ProtocolRow) -> int:
        return row.protocol_id

    def show_row(self, row: ProtocolRow) -> None:
        e = row.edit
        self.editing_id = row.protocol_id
        self.editor_title.setText(e.name)
        self.name.setText(e.name)
        _set_combo(self.therapy, e.therapy_id)
        _set_combo(self.phase, e.phase)
        self.count.setValue(e.session_count or 0)
        self.min_gap.setValue(e.min_gap_days)
        self.max_gap.setValue(e.max_gap_days or 0)
        self.max_span.setValue(e.max_span_days or 0)
        self.interval.setValue(e.maintenance_interval_days or 0)
        for day, box in enumerate(self.day_boxes):
            box.setChecked(day in e.preferred_weekdays)
        self.active.setChecked(e.active)
        self.problems.clear()

    def start_new(self) -> None:
        self.table.clearSelection()
        self.editing_id = None
        self.editor_title.setText("New protocol")
        self.name.clear()
        _set_combo(self.phase, Phase.MAINTENANCE.value)
        self.count.setValue(1)
        self.min_gap.setValue(1)
        for spin in (self.max_gap, self.max_span, self.interval):
            spin.setValue(0)
        for box in self.day_boxes:
            box.setChecked(False)
        self.active.setChecked(True)
        self.name.setFocus()

    def write(self, db: DbSession) -> object:
        edit = svc.ProtocolEdit(
            name=self.name.text(),
            therapy_id=int(self.therapy.currentData() or 0),
            phase=str(self.phase.currentData()),
            session_count=_optional(self.count),
            min_gap_days=self.min_gap.value(),
            max_gap_days=_optional(self.max_gap),
            max_span_days=_optional(self.max_span),
            preferred_weekdays=tuple(d for d, box in enumerate(self.day_boxes) if box.isChecked()),
            maintenance_interval_days=_optional(self.interval),
            active=self.active.isChecked(),
        )
        return svc.save_protocol(db, self.editing_id, edit, **self._kw())


# -- the screen ----------------------------------------------------------------------------------


class SettingsScreen(RefreshedWhenShown):
    """The clinic's settings in tabs; each tab reloads after any change on the desk."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("settings_screen")
        self.clinic = ClinicTab(desk)
        self.hours = HoursTab(desk)
        self.chairs = ChairsTab(desk)
        self.staff = StaffTab(desk)
        self.therapies = TherapiesTab(desk)
        self.protocols = ProtocolsTab(desk)
        from scheduler.ui.backups import BackupsTab  # it builds on this module's tab

        self.backups = BackupsTab(desk)
        self.tabs = QTabWidget()
        self.tab_list: list[_Tab] = [
            self.clinic,
            self.hours,
            self.chairs,
            self.staff,
            self.therapies,
            self.protocols,
            self.backups,
        ]
        for tab, title in zip(
            self.tab_list,
            ("&Clinic", "&Hours and closures", "Chairs and &rooms", "S&taff", "T&herapies",
             "&Protocols", "&Backups"),
            strict=True,
        ):  # fmt: skip
            self.tabs.addTab(tab, title)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Settings"))
        layout.addWidget(self.tabs, 1)
        self._stale = True
        desk.changed.connect(self.data_changed)
        self.refresh()

    def refresh(self) -> None:
        self._stale = False
        for tab in self.tab_list:
            tab.load()
