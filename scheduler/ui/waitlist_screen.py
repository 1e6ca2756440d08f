"""Waitlist: the patients waiting for a chair, their terms, and who fits a chair that is free."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.access import Permission
from scheduler.domain.when import short_date, short_day
from scheduler.services import waitlist
from scheduler.services.changes import Change
from scheduler.services.waitlist import WaitlistEntryView
from scheduler.ui.desk import Desk
from scheduler.ui.qt_dates import TIME_FORMAT, show_us_style, to_qdate
from scheduler.ui.session_dialog import ReasonDialog
from scheduler.ui.session_models import ZonedRowsModel
from scheduler.ui.tables import row_table
from scheduler.ui.waitlist_entry_dialog import WaitlistEntryDialog
from scheduler.ui.waitlist_offer import WaitlistOfferDialog
from scheduler.ui.widgets import title_label

# The entries, their patients' names, the protocols and chair names they mention.
SHOWS = Change.WAITLIST | Change.PATIENTS | Change.SETTINGS


def could_come(entry: WaitlistEntryView) -> str:
    """How soon the patient could come: "From Mon, Nov 30 · 24 hours' notice", "Any time"."""
    parts = []
    if entry.terms.earliest_day is not None:
        parts.append(f"From {short_day(entry.terms.earliest_day)}")
    if entry.terms.notice_hours:
        parts.append(f"{entry.terms.notice_hours} hours' notice")
    return " · ".join(parts) or "Now"


class WaitlistModel(ZonedRowsModel[WaitlistEntryView]):
    """The waitlist, whoever has waited longest first."""

    COL_PATIENT, COL_FOR, COL_DAYS, COL_TIMES, COL_CHAIRS = range(5)
    COL_COMES, COL_SINCE, COL_BY, COL_NOTE = range(5, 9)
    HEADERS: ClassVar[tuple[str, ...]] = (
        "Patient",
        "Waiting for",
        "Days",
        "Start",
        "Chairs",
        "Could come",
        "On the list since",
        "Added by",
        "Note",
    )

    def row_id(self, row: WaitlistEntryView) -> int:
        return row.entry_id

    def value(self, row: WaitlistEntryView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_PATIENT:
            return f"{row.patient_name}, chart {row.chart_number}"
        return super().value(row, column, role)

    def cell(self, row: WaitlistEntryView, column: int) -> str:
        texts = {
            self.COL_PATIENT: row.patient_name,
            self.COL_FOR: row.protocol_name,
            self.COL_DAYS: row.days,
            self.COL_TIMES: row.times,
            self.COL_CHAIRS: row.chairs,
            self.COL_COMES: could_come(row),
            self.COL_SINCE: short_date(row.added_at.astimezone(self.zone).date()),
            self.COL_BY: row.added_by,
            self.COL_NOTE: row.terms.note,
        }
        return texts.get(column, "")


class WaitlistScreen(QWidget):
    """The waitlist: add, edit and remove entries, and see who fits a free chair.

    A cancelled session offers its chair to the waitlist on its own (the session dialog and
    Today); "Who fits?" here does the same for any chair and time the desk sees free.
    """

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("waitlist_screen")
        self.title = title_label("Waitlist")
        self.summary = QLabel()
        self.model = WaitlistModel(desk.zone, self)
        self.table = row_table(self.model, "waitlist_table")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WaitlistModel.COL_NOTE, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel("Nobody is waiting. Add a patient who would like a sooner slot.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.add_button = QPushButton("&Add…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("&Remove…")
        self.add_button.clicked.connect(self.add_entry)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.activated.connect(lambda _index: self.edit_selected())

        _protocols, chairs = desk.read(waitlist.waitlist_choices)
        self.free_day = QDateEdit(to_qdate(desk.today()))
        self.free_day.setCalendarPopup(True)
        show_us_style(self.free_day)
        self.free_time = QTimeEdit(QTime(10, 0))
        show_us_style(self.free_time, TIME_FORMAT)
        self.free_chair = QComboBox()
        for chair in chairs:
            self.free_chair.addItem(chair.name, chair.choice_id)
        self.who_fits_button = QPushButton("&Who fits?")
        self.who_fits_button.setToolTip("The waiting patients who could take this chair then")
        self.who_fits_button.clicked.connect(self.who_fits)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.summary)
        bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(QLabel("A chair free on"))
        for widget in (self.free_day, self.free_time, self.free_chair, self.who_fits_button):
            bar.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        desk.follow(SHOWS, self.refresh, self)
        desk.signed_in.connect(self._update_buttons)
        self.refresh()

    def refresh(self) -> None:
        """Read the waitlist again, keeping the selected entry selected."""
        keep = self.selected()
        rows = self.desk.read(waitlist.waitlist)
        self.model.set_rows(rows)
        self.summary.setText(f"{len(rows)} waiting" if rows else "")
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        ids = [r.entry_id for r in rows]
        if keep is not None and keep.entry_id in ids:
            self.table.selectRow(ids.index(keep.entry_id))
        elif rows:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> WaitlistEntryView | None:
        picked = self.table.selectionModel().selectedRows() if self.table.model() else []
        return self.model.row_at(picked[0].row()) if picked else None

    def _update_buttons(self, *_args: object) -> None:
        may = self.desk.may(Permission.BOOK)
        chosen = self.selected() is not None
        self.add_button.setEnabled(may)
        self.edit_button.setEnabled(may and chosen)
        self.remove_button.setEnabled(may and chosen)

    def add_entry(self) -> None:
        WaitlistEntryDialog.ask(self.desk, None, self)

    def edit_selected(self) -> None:
        entry = self.selected()
        if entry is not None and self.desk.may(Permission.BOOK):
            WaitlistEntryDialog.ask(self.desk, entry, self)

    def remove_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        reason = ReasonDialog.ask(
            "Take off the waitlist",
            f"Why is {entry.patient_name} taken off the waitlist?",
            self,
        )
        if reason is None:
            return
        desk = self.desk
        name = desk.act(
            lambda db: waitlist.remove_entry(
                db, entry.entry_id, reason=reason, actor=desk.actor, now=desk.now()
            ),
            self,
        )
        if name is not None:
            desk.announce(f"{name} taken off the waitlist")

    def free_start(self) -> dt.datetime:
        """The start picked in "A chair free on", on the clinic's clock."""
        day, time = self.free_day.date(), self.free_time.time()
        return dt.datetime(
            day.year(), day.month(), day.day(), time.hour(), time.minute(), tzinfo=self.desk.zone
        )

    def who_fits(self) -> None:
        chair_id = self.free_chair.currentData()
        if isinstance(chair_id, int):
            WaitlistOfferDialog.offer(
                self.desk, chair_id, self.free_chair.currentText(), self.free_start(), self
            )
