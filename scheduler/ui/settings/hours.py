"""Settings → Hours and closures: the week's opening hours and the days the clinic is shut."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.when import WEEKDAYS, short_date
from scheduler.services import settings as svc
from scheduler.ui.desk import Desk
from scheduler.ui.qt_dates import TIME_FORMAT, show_us_style, to_qdate
from scheduler.ui.settings.fields import SettingsTab, selected_row
from scheduler.ui.tables import ID_ROLE, RowsModel
from scheduler.ui.widgets import row_table, title_label


class ClosuresModel(RowsModel[svc.ClosureEntry]):
    COL_DAY, COL_REASON = range(2)
    HEADERS = ("Closed on", "Reason")

    def value(self, row: svc.ClosureEntry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return short_date(row.day) if column == self.COL_DAY else row.reason
        return row.closure_id if role == ID_ROLE else None


class HoursTab(SettingsTab):
    """Settings → Hours and closures."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, parent)
        self.open_boxes: list[QCheckBox] = []
        self.opens: list[QTimeEdit] = []
        self.closes: list[QTimeEdit] = []
        hours = QGridLayout()
        hours.addWidget(title_label("Opening hours", section=True), 0, 0, 1, 4)
        for day, name in enumerate(WEEKDAYS):
            box = QCheckBox(name)
            opens, closes = QTimeEdit(), QTimeEdit()
            for edit in (opens, closes):
                show_us_style(edit, TIME_FORMAT)
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
        self.closures = row_table(self.closures_model, stretch=ClosuresModel.COL_REASON)
        self.closure_day = QDateEdit()
        self.closure_day.setCalendarPopup(True)
        show_us_style(self.closure_day)
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
        rows = self.desk.read(lambda db: svc.list_closures(db, since=today))
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
        row = selected_row(self.closures)
        if row is None:
            return
        closure_id = self.closures_model.row_at(row).closure_id
        self._save(lambda db: svc.remove_closure(db, closure_id, **self._kw()))
