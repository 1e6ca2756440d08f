"""Patients: find anyone as you type, open their chart, and book their treatment.

Left, the search (name, chart number, phone or date of birth; a lazy list that stays quick with
tens of thousands of patients). Right, the open patient: details, screening (clinicians) and
their series with each session, with the booking actions above.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from scheduler.domain.access import Permission
from scheduler.domain.enums import Phase
from scheduler.domain.patients import PatientDetails
from scheduler.domain.when import date_of_birth, short_date
from scheduler.errors import NotFound
from scheduler.services import patients as patient_service
from scheduler.services import schedule
from scheduler.services.changes import Change
from scheduler.services.csv_export import patients_csv
from scheduler.services.patients import FindingView, PatientView
from scheduler.services.schedule import CourseView
from scheduler.ui.csv_files import allowed_button, export_button
from scheduler.ui.desk import Desk
from scheduler.ui.import_dialog import ImportPatientsDialog
from scheduler.ui.patient_form import PatientForm
from scheduler.ui.patient_models import (
    CourseSessionsModel,
    CoursesModel,
    FindingRow,
    PatientRow,
    PatientSearchModel,
)
from scheduler.ui.screening_panel import ScreeningPanel, ScreeningState
from scheduler.ui.show_in_calendar import add_show_in_calendar
from scheduler.ui.widgets import RefreshedWhenShown, note_label, row_table, title_label

# Patients, their screening (who cleared them) and their series with each session.
SHOWS = Change.PATIENTS | Change.SESSIONS | Change.STAFF | Change.SETTINGS
SEARCH_DELAY_MS = 150
TAB_DETAILS, TAB_SCREENING, TAB_SERIES = range(3)


@dataclass(frozen=True)
class OpenPatient:
    """Everything the right-hand side shows of one patient, read in one transaction."""

    patient_id: int
    chart_number: str
    display_name: str
    date_of_birth: dt.date
    archived: bool
    details: PatientDetails
    screening: ScreeningState
    courses: list[CourseView]
    email_consent_on: dt.date | None = None  # the day the patient agreed to email


def patient_row(patient: PatientView) -> PatientRow:
    return PatientRow(
        patient_id=patient.patient_id,
        name=patient.list_name,
        chart_number=patient.chart_number,
        date_of_birth=patient.date_of_birth,
        phone=patient.phone,
        archived=patient.archived,
    )


def _finding_row(finding: FindingView) -> FindingRow:
    resolution = ""
    if finding.resolved_at is not None:
        who = finding.resolved_by or "a clinician"
        resolution = (
            f"{finding.status.capitalize()} by {who} on {short_date(finding.resolved_at)}: "
            f"{finding.resolution_reason}"
        )
    return FindingRow(
        finding_id=finding.finding_id,
        kind=finding.kind,
        severity=finding.severity,
        status=finding.status,
        detail=finding.detail,
        recorded_on=finding.recorded_at.date(),
        resolution=resolution,
    )


def read_open_patient(db: Session, patient_id: int, zone: dt.tzinfo) -> OpenPatient:
    chart = patient_service.patient_chart(db, patient_id)
    patient = chart.patient
    cleared_at = chart.screening_cleared_at
    state = ScreeningState(
        patient_id=patient.patient_id,
        findings=[_finding_row(f) for f in chart.findings],
        cleared_on=cleared_at.astimezone(zone).date() if cleared_at else None,
        cleared_by=chart.screening_cleared_by,
        rems_enrolled_on=chart.rems_enrolled_on,
    )
    return OpenPatient(
        patient_id=patient.patient_id,
        chart_number=patient.chart_number,
        display_name=patient.display_name,
        date_of_birth=patient.date_of_birth,
        archived=patient.archived,
        details=chart.details,
        screening=state,
        courses=schedule.patient_courses(db, patient.patient_id),
        email_consent_on=chart.email_consent_on,
    )


class PatientsScreen(RefreshedWhenShown):
    """Search, the patient form, screening, series, and the booking actions.

    Signals:
        patient_opened(int): a patient was opened (0 when a new, unsaved patient is started).
    """

    patient_opened = Signal(int)

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setObjectName("patients_screen")
        self.open: OpenPatient | None = None
        self._stale = False

        # -- left: search
        self.search = QLineEdit()
        self.search.setObjectName("patient_search")
        self.search.setPlaceholderText("Name, chart number, phone or date of birth")
        self.search.setClearButtonEnabled(True)
        self.include_archived = QCheckBox("Show archived")
        self.count_label = note_label()
        self.model = PatientSearchModel(self)
        self.results = row_table(self.model, stretch=PatientSearchModel.COL_NAME)
        self.results.setObjectName("patient_results")
        self.new_button = QPushButton("&New patient")
        self.new_button.clicked.connect(self.new_patient)
        self.import_button = allowed_button(desk, "&Import patients…", Permission.EDIT_PATIENTS)
        self.import_button.setObjectName("import_patients_button")
        self.import_button.clicked.connect(self.import_patients)
        self.export_button = export_button(
            desk,
            self,
            "Patients",
            lambda: f"patients-{desk.today().isoformat()}.csv",
            lambda db: patients_csv(db, actor=desk.actor),
            Permission.EDIT_PATIENTS,
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _: self._timer.start())
        self.search.returnPressed.connect(self._open_first)
        self.include_archived.toggled.connect(lambda _: self.run_search())
        self.results.selectionModel().selectionChanged.connect(self._selection_changed)
        self.search.installEventFilter(self)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(title_label("Patients"))
        left_layout.addWidget(self.search)
        options = QHBoxLayout()
        options.addWidget(self.count_label, 1)
        options.addWidget(self.include_archived)
        left_layout.addLayout(options)
        left_layout.addWidget(self.results, 1)
        left_layout.addWidget(self.new_button)
        csv_row = QHBoxLayout()
        csv_row.addWidget(self.import_button)
        csv_row.addWidget(self.export_button)
        left_layout.addLayout(csv_row)

        # -- right: the open patient
        self.heading = title_label("")
        self.subheading = note_label()
        self.archived_banner = QLabel("This patient is archived: hidden from search, kept on file.")
        self.archived_banner.setObjectName("banner_warning")
        self.induction_button = QPushButton("New &induction series…")
        self.maintenance_button = QPushButton("Plan &maintenance…")
        self.single_button = QPushButton("Single &session…")
        self.archive_button = QPushButton("Archive")
        self.induction_button.clicked.connect(lambda: self.book(Phase.INDUCTION))
        self.maintenance_button.clicked.connect(lambda: self.book(Phase.MAINTENANCE))
        self.single_button.clicked.connect(lambda: self.book(Phase.SINGLE))
        self.archive_button.clicked.connect(self.toggle_archived)
        actions = QHBoxLayout()
        for button in (self.induction_button, self.maintenance_button, self.single_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.archive_button)

        self.form = PatientForm(desk)
        self.form.saved.connect(self._saved)
        self.form.open_chart.connect(self.open_patient)
        form_scroll = QScrollArea()
        form_scroll.setWidget(self.form)
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.screening = ScreeningPanel(desk)
        self.tabs = QTabWidget()
        self.tabs.addTab(form_scroll, "&Details")
        self.tabs.addTab(self.screening, "Sc&reening")
        self.tabs.addTab(self._series_tab(), "Se&ries")

        chart = QWidget()
        chart_layout = QVBoxLayout(chart)
        chart_layout.addWidget(self.heading)
        chart_layout.addWidget(self.subheading)
        chart_layout.addWidget(self.archived_banner)
        chart_layout.addLayout(actions)
        chart_layout.addWidget(self.tabs, 1)
        self.placeholder = QLabel(
            "Type a name, chart number, phone or date of birth to find a patient,\n"
            "or press Ctrl+N to add a new one."
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("note")
        self.right = QStackedWidget()
        self.right.addWidget(self.placeholder)
        self.right.addWidget(chart)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([400, 900])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        desk.follow(SHOWS, self.data_changed, self)
        desk.signed_in.connect(self.data_changed)
        self.run_search()

    def _series_tab(self) -> QWidget:
        self.courses_model = CoursesModel(self.desk.zone, self)
        self.courses = row_table(self.courses_model, stretch=CoursesModel.COL_PROTOCOL)
        self.courses.setObjectName("patient_courses")
        self.sessions_model = CourseSessionsModel(self.desk.zone, self)
        self.sessions = row_table(self.sessions_model)
        self.sessions.setObjectName("course_sessions")
        self.show_in_calendar = add_show_in_calendar(
            self.desk, self.sessions, self.sessions_model.row_at
        )
        self.courses.selectionModel().selectionChanged.connect(self._course_selected)
        self.no_courses = note_label("No series booked yet. Use “New induction series…” above.")
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(title_label("Series", section=True))
        layout.addWidget(self.courses, 1)
        layout.addWidget(self.no_courses)
        layout.addWidget(title_label("Sessions of the selected series", section=True))
        layout.addWidget(self.sessions, 3)
        return tab

    # -- search ----------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def run_search(self) -> None:
        """Search now (typing starts this after a short pause)."""
        self._timer.stop()
        text = self.search.text()
        archived = self.include_archived.isChecked()
        desk = self.desk

        def fetch(loaded: Sequence[PatientRow]) -> list[PatientRow]:
            return desk.read(
                lambda db: [
                    patient_row(p)
                    for p in patient_service.search_patients(
                        db,
                        text,
                        limit=PatientSearchModel.PAGE,
                        offset=len(loaded),
                        include_archived=archived,
                    )
                ]
            )

        found = desk.read(
            lambda db: patient_service.find_patients(
                db, text, limit=PatientSearchModel.PAGE, include_archived=archived
            )
        )
        self.model.start(fetch, [patient_row(p) for p in found.page])
        # The service counts only so far: beyond that the desk says "more than".
        shown = f"more than {found.counted_to:,}" if found.more_than_counted else f"{found.total}"
        if text.strip():
            self.count_label.setText(f"{shown} found" if found.total else "No patient matches.")
        else:
            self.count_label.setText(f"{shown} patients")
        if self.open is not None:
            self._select_in_results(self.open.patient_id)

    def _open_first(self) -> None:
        self.run_search()
        if self.model.rowCount() > 0:
            self.results.selectRow(0)
            self.results.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down from the search box moves into the results, as in a browser's address bar.
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount() > 0
        ):
            self.results.setFocus()
            if not self.results.selectionModel().hasSelection():
                self.results.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            patient_id = self.model.row_at(indexes[0].row()).patient_id
            if self.open is None or self.open.patient_id != patient_id:
                self.open_patient(patient_id)

    def _select_in_results(self, patient_id: int) -> None:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).patient_id == patient_id:
                self.results.blockSignals(True)
                self.results.selectRow(row)
                self.results.blockSignals(False)
                return

    # -- the open patient ------------------------------------------------------------------

    def current_patient_id(self) -> int | None:
        return self.open.patient_id if self.open else None

    def open_patient(self, patient_id: int) -> None:
        zone = self.desk.zone
        # A reload of the same patient (after a change elsewhere) keeps what is being typed.
        keep_form = self.form.patient_id == patient_id and self.form.is_dirty()
        self.open = self.desk.read(lambda db: read_open_patient(db, patient_id, zone))
        self._show_open(keep_form=keep_form)
        self.patient_opened.emit(patient_id)

    def _show_open(self, *, keep_form: bool = False) -> None:
        patient = self.open
        if patient is None:
            self.right.setCurrentIndex(0)
            return
        self.right.setCurrentIndex(1)
        self.heading.setText(f"{patient.display_name}")
        age = _age(patient.date_of_birth, self.desk.today())
        born = date_of_birth(patient.date_of_birth)
        self.subheading.setText(
            f"Chart {patient.chart_number} · born {born} (age {age})"
            + (f" · driver: {patient.details.driver_name}" if patient.details.driver_name else "")
        )
        self.archived_banner.setVisible(patient.archived)
        self.archive_button.setText("Unarchive" if patient.archived else "Archive")
        # What the signed-in user's roles may not do is greyed out (the services refuse it).
        for button in (self.induction_button, self.maintenance_button, self.single_button):
            button.setEnabled(not patient.archived and self.desk.may(Permission.BOOK))
        self.archive_button.setEnabled(self.desk.may(Permission.EDIT_PATIENTS))
        self.new_button.setEnabled(self.desk.may(Permission.EDIT_PATIENTS))
        if not keep_form:
            self.form.load(patient.details, patient.patient_id, consent_on=patient.email_consent_on)
        self.screening.load(patient.screening)
        self.courses_model.set_rows(patient.courses)
        self.no_courses.setVisible(not patient.courses)
        if patient.courses:
            self.courses.selectRow(0)
        else:
            self.sessions_model.set_rows([])

    def _course_selected(self) -> None:
        rows = self.courses.selectionModel().selectedRows()
        course = self.courses_model.row_at(rows[0].row()) if rows else None
        self.sessions_model.set_rows(course.sessions if course else [])

    def import_patients(self) -> ImportPatientsDialog:
        """Import patients…: the import dialog; the list shows the new patients afterwards."""
        dialog = ImportPatientsDialog(self.desk, self)
        dialog.open()
        return dialog

    def new_patient(self) -> None:
        """Ctrl+N: an empty form for a new patient, the cursor in First name."""
        self.open = None
        self.results.clearSelection()
        self.right.setCurrentIndex(1)
        self.heading.setText("New patient")
        self.subheading.setText("Fill in at least the name and date of birth, then Add patient.")
        self.archived_banner.hide()
        for button in (
            self.induction_button,
            self.maintenance_button,
            self.single_button,
            self.archive_button,
        ):
            button.setEnabled(False)
        self.form.load(PatientDetails("", "", None), None)
        self.screening.load(None)
        self.courses_model.set_rows([])
        self.sessions_model.set_rows([])
        self.tabs.setCurrentIndex(TAB_DETAILS)
        self.form.inputs["first_name"].setFocus()
        self.patient_opened.emit(0)

    def _saved(self, patient_id: int) -> None:
        self.archive_button.setEnabled(True)
        self.open_patient(patient_id)
        self.run_search()

    def toggle_archived(self) -> None:
        if self.open is None:
            return
        patient_id, archived, desk = self.open.patient_id, not self.open.archived, self.desk
        desk.act(
            lambda db: patient_service.set_archived(
                db, patient_id, archived, actor=desk.actor, now=desk.now()
            ),
            self,
        )

    def book(self, phase: Phase) -> int | None:
        """Open the booking dialog for the open patient; the booked series or session id."""
        if self.open is None:
            return None
        patient_id = self.open.patient_id
        if phase is Phase.SINGLE:
            from scheduler.ui.single_session_dialog import SingleSessionDialog

            booked = SingleSessionDialog.ask(self.desk, patient_id, parent=self)
        else:
            from scheduler.ui.series_dialog import SeriesDialog

            booked = SeriesDialog.ask(self.desk, patient_id, phase=phase, parent=self)
        if booked is not None:
            self.tabs.setCurrentIndex(TAB_SERIES)
        return booked

    # -- keeping up to date ----------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the search results and the open patient."""
        self._stale = False
        self.run_search()
        if self.open is not None:
            try:
                self.open_patient(self.open.patient_id)
            except NotFound:
                self.open = None
                self._show_open()

    def index_of(self, patient_id: int) -> QModelIndex:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).patient_id == patient_id:
                return self.model.index(row, 0)
        return QModelIndex()


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
