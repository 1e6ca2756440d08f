"""The offer of a free slot to the waitlist: who fits it, best first, each booked in one click."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.access import Permission
from scheduler.domain.waitlist import slot_text
from scheduler.domain.when import short_date
from scheduler.services import waitlist
from scheduler.services.waitlist import SlotCandidate, WaitlistBooking
from scheduler.ui.desk import Desk
from scheduler.ui.session_dialog import act_showing_refusal
from scheduler.ui.session_models import ZonedRowsModel
from scheduler.ui.tables import pick_one_table
from scheduler.ui.widgets import refusal_label

BLOCKED = QColor("#b03a2e")
READY = QColor("#2e7d32")


class CandidatesModel(ZonedRowsModel[SlotCandidate]):
    """The waiting patients who fit a slot, best first; the last column holds a Book button."""

    COL_PATIENT, COL_WAITING_FOR, COL_SINCE, COL_STANDING, COL_BOOK = range(5)
    HEADERS: ClassVar[tuple[str, ...]] = (
        "Patient",
        "Waiting for",
        "On the list since",
        "Can be booked?",
        "",
    )

    def row_id(self, row: SlotCandidate) -> int:
        return row.entry_id

    def value(self, row: SlotCandidate, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_PATIENT:
            return row.note or None
        return super().value(row, column, role)

    def cell(self, row: SlotCandidate, column: int) -> str:
        if column == self.COL_PATIENT:
            return row.patient_name
        if column == self.COL_WAITING_FOR:
            course = " (whole course)" if row.first_induction else ""
            return f"{row.protocol_name}{course}"
        if column == self.COL_SINCE:
            return short_date(row.added_at.astimezone(self.zone).date())
        if column == self.COL_STANDING:
            return "Yes" if row.bookable else row.reason
        return ""

    def foreground(self, row: SlotCandidate, column: int) -> QBrush | None:
        if column == self.COL_STANDING:
            return QBrush(READY if row.bookable else BLOCKED)
        return None


class WaitlistOfferDialog(QDialog):
    """A free slot offered to the waitlist: the patients who fit, best first, one Book each.

    Patients a safety check would refuse stay listed below the others with the reason, their
    Book button off (the booking service would refuse them). A refusal at booking time (the
    chair taken meanwhile) shows in red above the buttons and the patient stays on the list.
    """

    def __init__(
        self,
        desk: Desk,
        chair_id: int,
        chair_name: str,
        starts_at: dt.datetime,
        *,
        why: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.chair_id = chair_id
        self.starts_at = starts_at
        self.slot = slot_text(starts_at.astimezone(desk.zone), chair_name)
        self.booking: WaitlistBooking | None = None
        self.setObjectName("waitlist_offer")
        self.setWindowTitle("Offer the slot to the waitlist")
        self.heading = QLabel(f"{why}Who on the waitlist could come {self.slot}?".strip())
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.hint = QLabel(
            "Best first: patients who can be booked now, then whoever has waited longest. "
            "Book takes them off the waitlist."
        )
        self.hint.setWordWrap(True)
        self.model = CandidatesModel(desk.zone, self)
        self.table = pick_one_table(self.model, min_height=140, stretch=False)
        self.table.setObjectName("waitlist_candidates")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CandidatesModel.COL_STANDING, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        # The Book buttons take the keyboard; a focused cell would only look like one more.
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.empty = QLabel("Nobody on the waitlist fits this slot.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.refusal = refusal_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.refusal)
        layout.addWidget(self.buttons)
        self.book_buttons: dict[int, QPushButton] = {}
        self.load()
        self.resize(760, 340)

    def load(self) -> None:
        """Read who fits the slot now, and give each row its Book button."""
        rows = self.desk.read(
            lambda db: waitlist.candidates_for_slot(
                db, self.chair_id, self.starts_at, now=self.desk.now()
            )
        )
        self.model.set_rows(rows)
        self.book_buttons = {}
        may_book = self.desk.may(Permission.BOOK)
        for number, row in enumerate(rows):
            button = QPushButton("Book")
            button.setObjectName(f"book_entry_{row.entry_id}")
            button.setEnabled(may_book and row.bookable)
            button.setToolTip(f"Book {row.patient_name} {self.slot}")
            button.clicked.connect(lambda _=False, r=row: self.book(r))
            # Centred in its cell, not stretched to a row grown by a wrapped reason.
            cell = QWidget()
            centred = QVBoxLayout(cell)
            centred.setContentsMargins(4, 2, 4, 2)
            centred.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
            self.table.setIndexWidget(self.model.index(number, CandidatesModel.COL_BOOK), cell)
            self.book_buttons[row.entry_id] = button
        self.table.resizeRowsToContents()
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)

    @property
    def candidates(self) -> list[SlotCandidate]:
        return self.model.rows()

    def show_refusal(self, text: str) -> None:
        self.refusal.setText(text)
        self.refusal.show()

    def book(self, row: SlotCandidate) -> bool:
        """Book the patient into the slot from the waitlist; whether it was booked."""
        self.refusal.hide()
        desk, chair_id, starts_at = self.desk, self.chair_id, self.starts_at

        def book_them(db: Session) -> WaitlistBooking:
            return waitlist.book_from_waitlist(
                db, row.entry_id, chair_id=chair_id, starts_at=starts_at, actor=desk.actor,
                now=desk.now(),
            )  # fmt: skip

        prefix = f"{row.patient_name} was not booked"
        done = act_showing_refusal(desk, book_them, self.show_refusal, self, prefix=prefix)
        if done is None:
            self.load()  # someone else may have taken the slot or the patient meanwhile
            return False
        self.booking = done
        self.desk.announce(done.announcement)
        self.desk.highlight(done.booked.session_ids[0], done.booked.first_starts_at)
        self.accept()
        return True

    @classmethod
    def offer(
        cls,
        desk: Desk,
        chair_id: int,
        chair_name: str,
        starts_at: dt.datetime,
        parent: QWidget | None = None,
        *,
        why: str = "",
        only_if_anyone_fits: bool = False,
    ) -> WaitlistBooking | None:
        """Show who fits the slot and let the desk book one; what was booked, if anything.

        With ``only_if_anyone_fits`` nothing is shown when nobody fits (after a cancellation
        the desk is not interrupted for an empty list).
        """
        dialog = cls(desk, chair_id, chair_name, starts_at, why=why, parent=parent)
        if only_if_anyone_fits and not dialog.candidates:
            return None
        dialog.exec()
        return dialog.booking
