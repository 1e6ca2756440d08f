"""Letters: a date's prep letters (the next day with sessions), today's aftercare, a schedule.

A letter is previewed inside the desk without being recorded: the letters service runs in a
read-only transaction, so the record it writes is rolled back. Only Print… and Save as PDF…
run it for real, and the desk then shows the letter as printed.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.access import Permission
from scheduler.domain.enums import LetterKind
from scheduler.domain.letters import TemplateSet
from scheduler.domain.when import day_and_date, long_date, short_date
from scheduler.errors import ServiceError
from scheduler.letters.pdf import PdfRenderer
from scheduler.letters.templates import load_templates
from scheduler.private_files import write_private
from scheduler.services import letters, mail, patients, schedule
from scheduler.services.calendar_files import calendar_for_desk
from scheduler.services.changes import Change
from scheduler.services.clinic import clinic_view
from scheduler.services.letters import LetterBatch
from scheduler.ui.csv_files import day_export_button
from scheduler.ui.day_sheet import day_sheet_button
from scheduler.ui.desk import Desk
from scheduler.ui.pdf_preview import PdfPreview, PdfPreviewDialog
from scheduler.ui.qt_dates import show_us_style, to_qdate
from scheduler.ui.session_models import DaySessionsModel, DeskSession, SessionLike
from scheduler.ui.waiting import work_aside

# A day's sessions and their letters, printed from the clinic's templates.
SHOWS = Change.SESSIONS | Change.PATIENTS | Change.LETTERS | Change.STAFF | Change.SETTINGS

# --- asking the letters service -----------------------------------------------------------


def next_day_with_sessions(desk: Desk, after: dt.date) -> dt.date | None:
    """The first day after ``after`` with sessions, within the look-ahead; None if none."""
    return desk.read(lambda db: schedule.next_day_with_sessions(db, after, desk.zone))


def empty_day_hint(desk: Desk, day: dt.date) -> tuple[str, dt.date | None]:
    """What to say about a day without sessions, and the next day that has some (or None)."""

    def load(db: Session) -> tuple[bool, dt.date | None]:
        closed = schedule.opening_hours_on(db, day) is None
        return closed, schedule.next_day_with_sessions(db, day, desk.zone)

    closed, following = desk.read(load)
    text = f"No sessions on {day_and_date(day)}{' (closed)' if closed else ''}."
    if following is None:
        weeks = schedule.LOOK_AHEAD.days // 7
        return f"{text} Nothing is booked in the {weeks} weeks after it.", None
    return f"{text} Next: {day_and_date(following)}", following


def day_sessions(desk: Desk, day: dt.date) -> list[DeskSession]:
    """A day's sessions with what has been printed for each, as the desk lists them."""
    zone = desk.zone  # kept by the desk: one read of the settings fewer on every refresh

    start, end = schedule.day_bounds(zone, day, day)

    def load(db: Session) -> list[DeskSession]:
        views = schedule.sessions_between(db, start, end)
        if not views:
            return []
        # Read by the day's window, not by a few hundred ids sent one parameter each.
        on_the_day = schedule.session_ids_between(start, end)
        printed = letters.printed_kinds(db, on_the_day)
        emailed = mail.emailed_kinds(db, on_the_day)
        return [
            DeskSession(
                view,
                prep_printed=printed.get((view.session_id, "prep"), False),
                aftercare_printed=printed.get((view.session_id, "aftercare"), False),
                prep_emailed=emailed.get((view.session_id, "prep"), False),
            )
            for view in views
        ]

    return desk.read(load)


_renderer: PdfRenderer | None = None


def letter_kit(db: Session) -> tuple[TemplateSet, PdfRenderer]:
    """The clinic's letter wording and the PDF renderer (made once: it registers fonts)."""
    global _renderer
    if _renderer is None:
        _renderer = PdfRenderer()
    return load_templates(clinic_view(db).letter_template_dir), _renderer


# Cancel while emailing: the truth about a letter the mail server has already been handed.
STOPPING_TEXT = "Stopping: a letter already on its way still goes; the rest will not be sent…"

LetterRun = Callable[..., LetterBatch]
T = TypeVar("T")


@dataclass(frozen=True)
class LetterPdf:
    """A print run's PDF (all its letters in one) and its worklist notes for the desk."""

    data: bytes
    notes: tuple[str, ...]
    news: str = ""  # what was recorded, for the status bar; empty for a preview


def letter_news(batch: LetterBatch) -> str:
    """What a print run recorded, in one sentence: "Prep letters printed for 4 patients (…)"."""
    count = len(batch.letters)
    names = list(dict.fromkeys(letter.recipient[0] for letter in batch.letters))
    days = {letter.starts_at.date() for letter in batch.letters if letter.starts_at is not None}
    kind = f"{batch.kind.capitalize()} letter{'s' if count != 1 else ''}"
    who = names[0] if len(names) == 1 else f"{len(names)} patients"
    when = f" ({day_and_date(days.pop())})" if len(days) == 1 else ""
    return f"{kind} printed for {who}{when}"


def batch_pdf(desk: Desk, make: LetterRun, parent: QWidget | None, *, record: bool) -> bytes | None:
    """Run one of the letters service's print runs and return its PDF (all letters in one)."""
    letter = batch_letter(desk, make, parent, record=record)
    return letter.data if letter is not None else None


def batch_letter(
    desk: Desk, make: LetterRun, parent: QWidget | None, *, record: bool
) -> LetterPdf | None:
    """Run one of the letters service's print runs: its PDF and the notes the desk shows.

    ``make(db, out_dir=..., templates=..., renderer=..., actor=..., now=...)`` writes into a
    scratch folder. With ``record`` the run is a desk action and what it printed is recorded;
    without, it runs in a read-only transaction (a preview) and its record is rolled back.
    """
    with tempfile.TemporaryDirectory(prefix="infusion-desk-") as folder:

        def run(db: Session) -> LetterPdf:
            templates, renderer = letter_kit(db)
            batch = make(
                db,
                out_dir=Path(folder),
                templates=templates,
                renderer=renderer,
                actor=desk.actor,
                now=desk.now(),
            )
            path = batch.combined or (batch.files[0] if batch.files else None)
            data = path.read_bytes() if path is not None else b""
            return LetterPdf(data, batch.notes, letter_news(batch) if record else "")

        result = desk.act(run, parent) if record else read_or_refuse(desk, run, parent)
    if result is None:
        return None
    if result.data == b"":
        desk.refuse("There is no letter to print for that.", parent)
        return None
    if result.news:
        desk.announce(result.news)
    return result


def read_or_refuse(desk: Desk, query: Callable[[Session], T], parent: QWidget | None) -> T | None:
    """``desk.read(query)``, or None once a refusal (a ``ServiceError``) has been shown."""
    try:
        return desk.read(query)
    except ServiceError as exc:
        desk.refuse(str(exc), parent)
        return None


def session_run(session_id: int, kind: LetterKind) -> LetterRun:
    return lambda db, **kw: letters.session_letter(db, session_id, kind, **kw)


def schedule_run(patient_id: int) -> LetterRun:
    def make(db: Session, **kw: Any) -> LetterBatch:
        chart = patients.patient_view(db, patient_id).chart_number
        return letters.schedule_letter_for(db, chart, **kw)

    return make


def day_run(kind: LetterKind, day: dt.date) -> LetterRun:
    if kind is LetterKind.AFTERCARE:
        return lambda db, **kw: letters.aftercare_letters(db, day=day, **kw)
    return lambda db, **kw: letters.prep_letters(db, first_day=day, **kw)


def new_prep_run(day: dt.date) -> LetterRun:
    """The prep letters of a day's sessions that have had none printed yet."""

    def make(db: Session, **kw: Any) -> LetterBatch:
        batch = letters.prep_letters(db, first_day=day, only_unprinted=True, **kw)
        if not batch.letters and batch.left_out:
            raise ServiceError(letters.nothing_new(batch, day_and_date(day)))
        return batch

    return make


def schedule_letter_pdf(desk: Desk, patient_id: int, parent: QWidget | None) -> bytes | None:
    """A patient's schedule letter (every upcoming session) as PDF bytes, recorded as printed."""
    return batch_pdf(desk, schedule_run(patient_id), parent, record=True)


def email_schedule_letter(desk: Desk, patient_id: int, parent: QWidget | None) -> str:
    """After a booking: email the schedule letter to a patient who agreed; the news, or "".

    Built from a read and sent with no database open, then recorded in a transaction of its
    own after the booking's: a slow mail server keeps no workstation from saving, a mail
    failure is recorded and told, and the booking stands whatever happens here.
    """
    if not desk.may(Permission.EMAIL):
        return ""
    now = desk.now()

    def prepare(db: Session) -> mail.Mailing | None:
        templates, renderer = letter_kit(db)
        return mail.prepare_schedule_email(
            db, patient_id, templates=templates, renderer=renderer, actor=desk.actor, now=now
        )

    try:
        mailing = desk.read(prepare)
    except ServiceError as exc:
        # Said in the booking's own sentence, not in a box of its own.
        return f"; schedule letter not emailed: {exc}"
    if mailing is None:
        return ""
    (outcome,) = send_with_note(mailing, "Emailing the schedule letter…", parent)
    if recorded(desk, mailing, (outcome,), now, parent) is None:
        if outcome.sent:
            return "; schedule letter emailed but not recorded (do not send it again)"
        return "; schedule letter not emailed, and that could not be recorded"
    if outcome.sent:
        return "; schedule letter emailed"
    return f"; {outcome.sentence[:1].lower()}{outcome.sentence[1:].rstrip('.')}"


def send_with_note(
    mailing: mail.Mailing, text: str, parent: QWidget | None
) -> tuple[mail.MailOutcome, ...]:
    """Send a mailing on a thread of its own while a note says ``text``; each one's outcome.

    The window keeps answering however slow the mail server is. Cancel stops after the letter
    on its way, not at once: a letter handed to the server has gone whatever the desk does
    next, and a clinic must know which patients got one. So the note waits for it (at most
    the mail timeout), then the letters not yet sent are told and recorded as not sent
    (cancelled); the nurse can send those again later with nobody getting one twice.
    """
    if not mailing.messages:
        return ()
    return work_aside(
        lambda stop: mail.send_mailing(mailing, stopped=stop.is_set),
        text,
        parent,
        title="Emailing",
        stopping=STOPPING_TEXT,
    )


def recorded(
    desk: Desk,
    mailing: mail.Mailing,
    outcomes: tuple[mail.MailOutcome, ...],
    now: dt.datetime,
    parent: QWidget | None,
) -> mail.MailRun | None:
    """Record a sent mailing as one desk action; None when it could not be.

    Only this is retried when the database is busy: the messages are never sent again. A
    refusal is shown as usual; a database that stays busy is not, since the desk's sentence
    for it ("Nothing was saved") is untrue once letters went: the caller says instead that
    they were emailed but not recorded.
    """
    return desk.act(
        lambda db: mail.record_mailing(db, mailing, outcomes, actor=desk.actor, now=now),
        parent,
        on_busy=lambda: True,  # told by the caller: "emailed but not recorded"
    )


@dataclass(frozen=True)
class LetterJob:
    """A letter (or a batch) on screen: how to preview it and how to print it for real."""

    run: LetterRun
    title: str
    file_name: str


def show_letter(desk: Desk, view: SessionLike, kind: LetterKind, parent: QWidget | None) -> bool:
    """Preview a session's letter in its own window; Print… and Save record it as printed."""
    job = session_job(desk, view, kind)
    letter = batch_letter(desk, job.run, parent, record=False)
    if letter is None:
        return False
    PdfPreviewDialog.show_pdf(
        letter.data,
        job.title,
        job.file_name,
        parent,
        issue=lambda: batch_pdf(desk, job.run, parent, record=True),
        warnings=letter.notes,
    )
    return True


def session_job(desk: Desk, view: SessionLike, kind: LetterKind) -> LetterJob:
    local = view.starts_at.astimezone(desk.zone)
    return LetterJob(
        session_run(view.session_id, kind),
        f"{kind.capitalize()} letter — {view.patient_name}, {short_date(local.date())}",
        f"{kind}-{local:%Y-%m-%d}-{view.chart_number}.pdf",
    )


# --- the screen -----------------------------------------------------------------------------


class LettersScreen(QWidget):
    """A date's sessions with their letter status, and the chosen letter previewed beside them.

    It opens on the next day with sessions (tomorrow when nothing is booked for weeks); a day
    without sessions says so and offers the next one. Choosing a session previews its prep
    letter (its aftercare letter when the session is today or past). Buttons print the whole
    day's prep letters (all, or only those not printed yet), today's aftercare letters or
    the selected patient's schedule.
    """

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("letters_screen")
        today = desk.today()
        self.day = next_day_with_sessions(desk, today) or today + dt.timedelta(days=1)
        self.job: LetterJob | None = None
        self._quiet = False

        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        show_us_style(self.date_edit)
        self.date_edit.setDate(to_qdate(self.day))
        date_label = QLabel("Prep letters for &date")
        date_label.setBuddy(self.date_edit)
        self.prev_button = QToolButton()
        self.prev_button.setText("◀")
        self.prev_button.setToolTip("Previous day")
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.next_button.setToolTip("Next day")
        self.summary = QLabel()
        self.hint = QLabel()
        self.hint.setObjectName("letters_hint")
        self.hint.setWordWrap(True)
        self.next_with_sessions = QPushButton()
        self.next_with_sessions.setObjectName("letters_next_day")
        # Its whole text, always: the wrapped hint beside it gives way instead.
        self.next_with_sessions.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.hint_row = QWidget()
        hint_layout = QHBoxLayout(self.hint_row)
        hint_layout.setContentsMargins(0, 0, 0, 0)
        hint_layout.addWidget(self.hint, 1)
        hint_layout.addWidget(self.next_with_sessions)
        self.following: dt.date | None = None

        self.model = DaySessionsModel(desk.zone, self)
        self.table = QTableView()
        self.table.setObjectName("letters_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        for column in (
            DaySessionsModel.COL_THERAPY,
            DaySessionsModel.COL_CHAIR,
            DaySessionsModel.COL_STATUS,
        ):
            self.table.hideColumn(column)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DaySessionsModel.COL_PATIENT, QHeaderView.ResizeMode.Stretch)

        self.prep_button = QPushButton("Print &all prep letters")
        self.prep_button.setToolTip("Every prep letter for this date, printed before or not")
        self.new_prep_button = QPushButton("Print &new only")
        self.new_prep_button.setToolTip("Prep letters for this date's sessions not printed yet")
        self.aftercare_button = QPushButton("Today's &aftercare letters")
        self.schedule_button = QPushButton("Patient's &schedule letter")
        self.calendar_button = QPushButton("Save &calendar file…")
        self.calendar_button.setToolTip(
            "The selected patient's upcoming sessions as a calendar file (.ics) for their phone"
        )
        self.email_button = QPushButton("&Email prep letters")
        self.email_button.setToolTip(
            "Email this date's prep letters to the patients who agreed to email"
        )
        self.mail_note = QLabel()
        self.mail_note.setObjectName("mail_note")
        self.mail_note.setWordWrap(True)
        self.mail_note.setStyleSheet("color: #b03a2e;")
        self.mail_note.hide()
        self.preview = PdfPreview()
        self.preview.setMinimumWidth(420)

        top = QHBoxLayout()
        top.addWidget(date_label)
        top.addWidget(self.prev_button)
        top.addWidget(self.date_edit)
        top.addWidget(self.next_button)
        top.addStretch(1)
        # Three rows, so every button keeps its whole label on a laptop screen: the day's
        # printing, the chosen patient's own letter and calendar file beside email and export,
        # and what emailing left undone.
        batch_row = QHBoxLayout()
        batch_row.addWidget(self.prep_button)
        batch_row.addWidget(self.new_prep_button)
        batch_row.addWidget(self.aftercare_button)
        self.day_sheet_button = day_sheet_button(desk, lambda: self.day, self)
        batch_row.addWidget(self.day_sheet_button)
        batch_row.addStretch(1)
        patient_row = QHBoxLayout()
        patient_row.addWidget(self.schedule_button)
        patient_row.addWidget(self.calendar_button)
        patient_row.addStretch(1)
        patient_row.addWidget(self.email_button)
        self.day_export_button = day_export_button(desk, lambda: self.day, self)
        patient_row.addWidget(self.day_export_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.hint_row)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.summary)
        left_layout.addLayout(batch_row)
        left_layout.addLayout(patient_row)
        left_layout.addWidget(self.mail_note)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([500, 750])  # scaled to the window: the letter gets the most room
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)

        self.date_edit.dateChanged.connect(self._date_changed)
        self.prev_button.clicked.connect(lambda: self.show_date(self.day - dt.timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.show_date(self.day + dt.timedelta(days=1)))
        self.table.selectionModel().selectionChanged.connect(self._session_chosen)
        self.prep_button.clicked.connect(self.preview_day_prep)
        self.new_prep_button.clicked.connect(self.preview_new_prep)
        self.next_with_sessions.clicked.connect(self.go_to_next_with_sessions)
        self.aftercare_button.clicked.connect(self.preview_today_aftercare)
        self.schedule_button.clicked.connect(self.preview_schedule)
        self.calendar_button.clicked.connect(self.save_calendar)
        self.email_button.clicked.connect(self.email_prep_letters)
        self.preview.issue = self._issue
        desk.follow(SHOWS, self.refresh, self)
        desk.signed_in.connect(self.refresh)
        self.refresh()

    # -- the list --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the date's sessions and their letter status, keeping the selection."""
        keep = self.selected_view()
        rows = [r for r in day_sessions(self.desk, self.day) if r.view.status not in _GONE]
        self.model.set_rows(rows)
        # Aftercare letters are printed on the day itself; before that the column is noise.
        self.table.setColumnHidden(DaySessionsModel.COL_AFTERCARE, self.day != self.desk.today())
        printed = sum(1 for r in rows if r.prep_printed)
        emailed = sum(1 for r in rows if r.prep_emailed)
        # Emailed letters are counted once there are any (most clinics print only).
        also = f" · {emailed} emailed" if emailed else ""
        self.summary.setText(f"{len(rows)} sessions · {printed} prep letters printed{also}")
        self.prep_button.setEnabled(bool(rows) and self.desk.may(Permission.PRINT))
        self.email_button.setEnabled(bool(rows) and self.desk.may(Permission.EMAIL))
        self.new_prep_button.setEnabled(printed < len(rows) and self.desk.may(Permission.PRINT))
        self._show_hint(not rows)
        if keep is not None and (row := self.model.index_of_session(keep.session_id)) is not None:
            self._select_quietly(row)
        self._update_buttons()

    def _show_hint(self, empty: bool) -> None:
        """On a day without sessions, say so and offer the next day that has some."""
        self.hint_row.setVisible(empty)
        self.following = None
        if not empty:
            return
        text, self.following = empty_day_hint(self.desk, self.day)
        self.hint.setText(text)
        self.next_with_sessions.setVisible(self.following is not None)
        if self.following is not None:
            self.next_with_sessions.setText(f"Go to {day_and_date(self.following)}")

    def go_to_next_with_sessions(self) -> None:
        if self.following is not None:
            self.show_date(self.following)

    def show_date(self, day: dt.date) -> None:
        self.day = day
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(to_qdate(day))
        self.date_edit.blockSignals(False)
        self.preview.clear("Choose a session to preview its letter.")
        self.job = None
        self.mail_note.hide()
        self.refresh()

    def _date_changed(self, value: QDate) -> None:
        self.show_date(dt.date(value.year(), value.month(), value.day()))

    def selected_view(self) -> SessionLike | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()).view if rows else None

    def _update_buttons(self) -> None:
        # Printing is recorded as done by the signed-in user; who may not print, cannot.
        may_print = self.desk.may(Permission.PRINT)
        self.schedule_button.setEnabled(may_print and self.selected_view() is not None)
        self.calendar_button.setEnabled(may_print and self.selected_view() is not None)
        self.aftercare_button.setEnabled(may_print)

    def _select_quietly(self, row: int) -> None:
        """Select a row without previewing its letter (the caller shows what it wants)."""
        self._quiet = True
        try:
            self.table.selectRow(row)
        finally:
            self._quiet = False

    def _session_chosen(self, *args: QItemSelection) -> None:
        self._update_buttons()
        if self._quiet:
            return
        view = self.selected_view()
        if view is None:
            return
        past = view.starts_at.astimezone(self.desk.zone).date() <= self.desk.today()
        after = past and view.has_aftercare  # visits and video calls have no aftercare letter
        self.preview_session(view.session_id, LetterKind.AFTERCARE if after else LetterKind.PREP)

    # -- previews --------------------------------------------------------------------------

    def preview_session(self, session_id: int, kind: LetterKind) -> bool:
        """Show a session's prep or aftercare letter (not recorded until printed or saved)."""
        row = self.model.index_of_session(session_id)
        if row is None:
            view = next(
                (
                    v.view
                    for v in day_sessions(self.desk, self.day)
                    if v.view.session_id == session_id
                ),
                None,
            )
        else:
            view = self.model.row_at(row).view
            if self.selected_view() is None or self.selected_view() != view:
                self._select_quietly(row)
                self._update_buttons()
        if view is None:
            return False
        return self._preview(session_job(self.desk, view, kind))

    def preview_day_prep(self) -> bool:
        day = self.day
        return self._preview(
            LetterJob(
                day_run(LetterKind.PREP, day),
                f"Prep letters for {long_date(day)}",
                f"prep-letters-{day:%Y-%m-%d}.pdf",
            )
        )

    def preview_new_prep(self) -> bool:
        day = self.day
        return self._preview(
            LetterJob(
                new_prep_run(day),
                f"New prep letters for {long_date(day)}",
                f"prep-letters-{day:%Y-%m-%d}-new.pdf",
            )
        )

    def print_current(self) -> None:
        """Ctrl+P: the letter in the preview, through the print dialog."""
        self.preview.print_document()

    def preview_today_aftercare(self) -> bool:
        today = self.desk.today()
        return self._preview(
            LetterJob(
                day_run(LetterKind.AFTERCARE, today),
                f"Aftercare letters for today, {day_and_date(today)}",
                f"aftercare-letters-{today:%Y-%m-%d}.pdf",
            )
        )

    def preview_schedule(self) -> bool:
        view = self.selected_view()
        if view is None:
            return False
        return self._preview(
            LetterJob(
                schedule_run(view.patient_id),
                f"Schedule letter — {view.patient_name}",
                f"schedule-{view.chart_number}.pdf",
            )
        )

    # -- calendar files and email ---------------------------------------------------------

    @classmethod
    def ask_calendar_path(cls, parent: QWidget | None, suggested: str) -> str | None:
        """Where to save a calendar file; None when the user cancels. Tests replace this."""
        path, _ = QFileDialog.getSaveFileName(
            parent, "Save calendar file", suggested, "Calendar file (*.ics)"
        )
        return path or None

    def save_calendar(self) -> Path | None:
        """Save the selected patient's upcoming sessions as a calendar file (.ics)."""
        view = self.selected_view()
        if view is None:
            return None
        desk = self.desk
        patient_id = view.patient_id
        data = desk.read(
            lambda db: calendar_for_desk(db, patient_id, actor=desk.actor, now=desk.now())
        )
        if data is None:
            desk.refuse(f"{view.patient_name} has no upcoming sessions to save.", self)
            return None
        chosen = self.ask_calendar_path(self, f"appointments-{view.chart_number}.ics")
        if chosen is None:
            return None
        path = Path(chosen if chosen.lower().endswith(".ics") else f"{chosen}.ics")
        try:
            write_private(path, data)  # the patient's appointments: owner-only
        except OSError as exc:
            desk.refuse(f"Cannot save {path}: {exc.strerror or exc}. Nothing was saved.", self)
            return None
        desk.announce(f"Calendar file saved for {view.patient_name}: {path.name}")
        return path

    def email_prep_letters(self) -> mail.MailRun | None:
        """Email this date's prep letters to the patients who agreed; failures named below.

        The letters are built from a read and sent with no database open; only the record of
        what went is written, in one short action, so the front desk can book meanwhile.
        """
        day, desk, now = self.day, self.desk, self.desk.now()

        def prepare(db: Session) -> mail.Mailing:
            templates, renderer = letter_kit(db)
            return mail.prepare_prep_emails(
                db, day, templates=templates, renderer=renderer, actor=desk.actor, now=now
            )

        mailing = read_or_refuse(desk, prepare, self)
        if mailing is None:
            return None
        count = len(mailing.messages)
        text = f"Emailing {count} prep letter{'' if count == 1 else 's'}…"
        outcomes = send_with_note(mailing, text, self)
        done = recorded(desk, mailing, outcomes, now, self)
        failures = " ".join(o.sentence for o in outcomes if not o.sent)
        if done is None:
            sent = sum(1 for o in outcomes if o.sent)
            told = (
                f"{sent} prep letter{'' if sent == 1 else 's'} emailed but not recorded; "
                "do not send them again."
                if sent
                else "Nothing was emailed, and that could not be recorded."
            )
            failures = f"{told} {failures}".strip()
        self.mail_note.setText(failures)
        self.mail_note.setVisible(bool(failures))
        if done is not None:
            desk.announce(done.news(day_and_date(day)))
        return done

    def _preview(self, job: LetterJob) -> bool:
        letter = batch_letter(self.desk, job.run, self, record=False)
        if letter is None:
            return False
        self.job = job
        self.preview.set_pdf(letter.data, job.title, job.file_name, warnings=letter.notes)
        return True

    def _issue(self) -> bytes | None:
        """Print… or Save as PDF… was pressed: run the letter for real, so it is recorded."""
        if self.job is None:
            return None
        return batch_pdf(self.desk, self.job.run, self, record=True)


_GONE = ("cancelled", "no_show")
