"""The Print day sheet button's work: a day's sheet previewed, then printed or saved from there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import QPushButton, QWidget
from sqlalchemy.orm import Session

from scheduler.domain.access import Permission
from scheduler.errors import ServiceError
from scheduler.letters.day_sheet_pdf import DaySheetRenderer
from scheduler.services.day_sheet import day_sheet_pdf
from scheduler.ui.desk import Desk
from scheduler.ui.pdf_preview import PdfPreviewDialog

_renderer: DaySheetRenderer | None = None


def day_sheet_button(desk: Desk, day: Callable[[], dt.date], parent: QWidget) -> QPushButton:
    """A "Print day sheet…" button for the day ``day()`` shows; greyed out for whoever may not."""
    button = QPushButton("Print da&y sheet…")
    button.setObjectName("day_sheet_button")
    button.setToolTip("Every chair, room and home visit of the day on one sheet for the nurses")
    button.clicked.connect(lambda: show_day_sheet(desk, day(), parent))

    def allowed() -> None:
        button.setEnabled(desk.may(Permission.PRINT))

    desk.signed_in.connect(allowed)
    allowed()
    return button


def show_day_sheet(desk: Desk, day: dt.date, parent: QWidget | None) -> bool:
    """Preview a day's sheet in its own window, with Print… and Save as PDF…."""

    def load(db: Session) -> tuple[str, bytes, str]:
        global _renderer
        if _renderer is None:
            _renderer = DaySheetRenderer()  # made once: it registers fonts
        printed = day_sheet_pdf(db, day, actor=desk.actor, now=desk.now(), renderer=_renderer)
        return printed.sheet.title, printed.pdf, printed.note

    try:
        title, pdf, note = desk.read(load)
    except ServiceError as exc:
        desk.refuse(str(exc), parent)
        return False
    PdfPreviewDialog.show_pdf(
        pdf, title, f"day-sheet-{day.isoformat()}.pdf", parent, warnings=(note,) if note else ()
    )
    return True
