"""Patients: search as you type, the form with field problems, screening, archive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from scheduler.domain.enums import FindingStatus, StaffRole
from scheduler.domain.patients import PatientDetails
from scheduler.services.changes import EVERYTHING
from scheduler.services.patients import (
    COUNT_LIMIT,
    create_patient,
    get_patient,
    keep_search_words,
)
from scheduler.store.models import Patient
from scheduler.ui import patients_screen as screen_module
from scheduler.ui import screening_panel, widgets
from scheduler.ui.patient_models import PatientSearchModel
from scheduler.ui.patients_screen import PatientsScreen
from scheduler.ui.sign_in import Signature, SignatureDialog
from tests.conftest import ACTOR, NOW
from tests.factories import add_account
from tests.ui.conftest import TestDesk


def add_patients(desk: TestDesk, *people: tuple[str, str, dt.date]) -> list[int]:
    with desk.database.transaction() as s:
        return [
            create_patient(s, PatientDetails(first, last, born), actor=ACTOR, now=NOW).id
            for first, last, born in people
        ]


@pytest.fixture
def screen(qtbot: QtBot, desk: TestDesk) -> PatientsScreen:
    widget = PatientsScreen(desk)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    return widget


def test_typing_zoe_finds_zoe(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen, qtmodeltester: ModelTester
) -> None:
    add_patients(
        desk,
        ("Zoë", "Łukasiewicz-Núñez", dt.date(1970, 7, 11)),
        ("Ben", "Okafor", dt.date(1985, 1, 2)),
    )
    screen.refresh()
    qtmodeltester.check(screen.model)
    screen.search.clear()
    qtbot.keyClicks(screen.search, "zoe")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=2000)
    index = screen.model.index(0, PatientSearchModel.COL_NAME)
    assert screen.model.data(index) == "Łukasiewicz-Núñez, Zoë"
    assert screen.count_label.text() == "1 found"
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)
    assert screen.heading.text() == "Zoë Łukasiewicz-Núñez"


def add_sams(desk: TestDesk, count: int) -> None:
    with desk.database.transaction() as s:
        for i in range(count):
            patient = Patient(
                chart_number=str(200000 + i), first_name="Sam", last_name=f"Lee{i:03d}",
                preferred_name="", mobile_phone="", home_phone="", archived=False,
                date_of_birth=dt.date(1980, 1, 1), name_key=f" lee{i:03d} sam",
                created_at=NOW, updated_at=NOW,
            )  # fmt: skip
            keep_search_words(patient)
            s.add(patient)


def test_search_is_lazy_with_many_patients(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen, qtmodeltester: ModelTester
) -> None:
    add_sams(desk, 250)
    screen.refresh()
    model = screen.model
    assert model.rowCount() == PatientSearchModel.PAGE
    assert model.canFetchMore()
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 250
    assert screen.count_label.text() == "250 patients"


def test_a_typed_search_counts_to_its_limit_and_pages_on_past_it(
    desk: TestDesk, screen: PatientsScreen
) -> None:
    add_sams(desk, 250)
    model = screen.model
    screen.search.setText("sam l")
    screen.run_search()
    assert (model.rowCount(), model.canFetchMore()) == (PatientSearchModel.PAGE, True)
    assert screen.count_label.text() == f"more than {COUNT_LIMIT} found"
    while model.canFetchMore():
        model.fetchMore()
    names = {model.data(model.index(row, PatientSearchModel.COL_NAME)) for row in range(250)}
    assert (model.rowCount(), len(names)) == (250, 250)
    screen.search.setText("sam lee2")
    screen.run_search()
    assert (model.rowCount(), model.canFetchMore()) == (50, False)
    assert screen.count_label.text() == "50 found"


def test_new_patient_with_problems_shown_next_to_fields(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen
) -> None:
    screen.new_patient()
    form = screen.form
    qtbot.keyClicks(form.inputs["first_name"], "Ana")
    qtbot.keyClicks(form.inputs["date_of_birth"], "31/31/1990")
    qtbot.keyClicks(form.inputs["mobile_phone"], "12ab")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert "not a date" in form.problems.message("date_of_birth")
    form.inputs["date_of_birth"].setText("1990-03-09")  # type: ignore[union-attr]
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.problems.message("last_name") == "Last name is required."
    assert "may hold only digits" in form.problems.message("mobile_phone")
    assert form.problems.message("date_of_birth") == ""
    assert desk.refusals == []
    with desk.database.reading() as s:
        assert s.scalars(select(Patient)).all() == []

    # QTest types ASCII only: names with accents arrive as if pasted.
    form.inputs["last_name"].insert("Müller")  # type: ignore[union-attr]
    form.inputs["mobile_phone"].setText("(207) 555-0101")  # type: ignore[union-attr]
    form.inputs["driver_name"].insert("Jo Müller")  # type: ignore[union-attr]
    with qtbot.waitSignal(form.saved):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    with desk.database.reading() as s:
        saved = s.scalars(select(Patient)).one()
        assert (saved.last_name, saved.driver_name, saved.date_of_birth) == (
            "Müller",
            "Jo Müller",
            dt.date(1990, 3, 9),
        )
    assert screen.current_patient_id() == saved.id
    assert screen.heading.text() == "Ana Müller"


@pytest.mark.parametrize("confirmed", [True, False])
def test_duplicate_asks_before_saving(
    qtbot: QtBot,
    desk: TestDesk,
    screen: PatientsScreen,
    monkeypatch: pytest.MonkeyPatch,
    confirmed: bool,
) -> None:
    add_patients(desk, ("Seán", "O'Brien", dt.date(1975, 5, 5)))
    questions: list[tuple[str, tuple[str, ...]]] = []

    def answer(parent: object, title: str, question: str, answers: Sequence[str]) -> str | None:
        questions.append((question, tuple(answers)))
        return "Add anyway" if confirmed else None

    monkeypatch.setattr(widgets, "choose", answer)
    screen.new_patient()
    qtbot.keyClicks(screen.form.inputs["first_name"], "Sean")
    qtbot.keyClicks(screen.form.inputs["last_name"], "O'Brien")
    qtbot.keyClicks(screen.form.inputs["date_of_birth"], "05/05/1975")
    qtbot.mouseClick(screen.form.save_button, Qt.MouseButton.LeftButton)
    assert len(questions) == 1
    assert "already on file" in questions[0][0]
    assert questions[0][1] == ("Open that chart", "Add anyway")
    assert desk.refusals == []
    with desk.database.reading() as s:
        assert len(s.scalars(select(Patient)).all()) == (2 if confirmed else 1)


def press_when_asked(qtbot: QtBot, text: str, seen: list[list[str]]) -> None:
    """Press the button named ``text`` on the question box as soon as it is open."""

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        seen.append([b.text() for b in box.buttons()])
        button = next(b for b in box.buttons() if b.text() == text)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, press)


def test_open_that_chart_shows_the_patient_on_file(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen
) -> None:
    (on_file,) = add_patients(desk, ("Seán", "O'Brien", dt.date(1975, 5, 5)))
    screen.new_patient()
    qtbot.keyClicks(screen.form.inputs["first_name"], "Sean")
    qtbot.keyClicks(screen.form.inputs["last_name"], "O'Brien")
    qtbot.keyClicks(screen.form.inputs["date_of_birth"], "05/05/1975")
    seen: list[list[str]] = []
    press_when_asked(qtbot, "Open that chart", seen)
    qtbot.mouseClick(screen.form.save_button, Qt.MouseButton.LeftButton)
    assert sorted(seen[0]) == ["Add anyway", "Cancel", "Open that chart"]
    assert screen.current_patient_id() == on_file
    assert screen.heading.text() == "Seán O'Brien"
    assert screen.form.patient_id == on_file
    assert screen.form.text("first_name") == "Seán"
    with desk.database.reading() as s:
        assert len(s.scalars(select(Patient)).all()) == 1


def test_screening_finding_override_and_clearance(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    (patient_id,) = add_patients(desk, ("Ada", "Berg", dt.date(1960, 2, 2)))
    with desk.database.transaction() as s:
        desk.sign_in(add_account(s, "Dr Helen Park", "helen", StaffRole.CLINICIAN))
    reasons = iter(["", "BP controlled on amlodipine, rechecked today"])

    def sign(
        cls: type[SignatureDialog], /, desk: object, title: str, prompt: str, **kwargs: object
    ) -> Signature:
        # The signed-in clinician signs; only an override asks for a reason.
        return Signature(None, next(reasons) if title.startswith("Override") else "")

    monkeypatch.setattr(SignatureDialog, "ask", classmethod(sign))
    screen.refresh()
    screen.open_patient(patient_id)
    panel = screen.screening
    screen.tabs.setCurrentIndex(screen_module.TAB_SCREENING)
    qtmodeltester_rows = panel.model.rowCount()
    assert qtmodeltester_rows == 0
    assert "not cleared" in panel.status.text()

    monkeypatch.setattr(
        screening_panel.AddFindingDialog,
        "ask",
        classmethod(lambda cls, parent=None: ("uncontrolled_hypertension", "172/104")),
    )
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 1
    assert "Booking is blocked" in panel.status.text()

    # Clearing screening with a contraindication open is refused, in plain words.
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert desk.refusals
    assert "contraindication is open" in desk.refusals[-1]

    panel.table.selectRow(0)
    qtbot.mouseClick(panel.override_button, Qt.MouseButton.LeftButton)
    assert "Write the reason" in panel.problems.message("reason")
    panel.table.selectRow(0)
    qtbot.mouseClick(panel.override_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    with desk.database.reading() as s:
        patient = get_patient(s, patient_id)
        assert patient.findings[0].status == FindingStatus.OVERRIDDEN
        assert patient.screening_cleared_at == NOW
    assert "Screening cleared" in panel.status.text()


def test_rems_enrolment_saved(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    (patient_id,) = add_patients(desk, ("Ada", "Berg", dt.date(1960, 2, 2)))
    with desk.database.transaction() as s:
        desk.sign_in(add_account(s, "Dr Helen Park", "helen", StaffRole.CLINICIAN))
    monkeypatch.setattr(
        SignatureDialog,
        "ask",
        classmethod(lambda cls, *args, **kwargs: Signature(None, "")),
    )
    screen.open_patient(patient_id)
    panel = screen.screening
    screen.tabs.setCurrentIndex(screen_module.TAB_SCREENING)
    qtbot.mouseClick(panel.rems, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.rems_save, Qt.MouseButton.LeftButton)
    with desk.database.reading() as s:
        assert get_patient(s, patient_id).rems_enrolled_on == NOW.date()


def test_archive_hides_from_search_and_back(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen
) -> None:
    (patient_id,) = add_patients(desk, ("Ada", "Berg", dt.date(1960, 2, 2)))
    screen.refresh()
    screen.open_patient(patient_id)
    qtbot.mouseClick(screen.archive_button, Qt.MouseButton.LeftButton)
    assert screen.model.rowCount() == 0
    assert screen.archived_banner.isVisible()
    assert not screen.induction_button.isEnabled()
    qtbot.mouseClick(screen.archive_button, Qt.MouseButton.LeftButton)
    assert screen.model.rowCount() == 1
    with desk.database.reading() as s:
        assert get_patient(s, patient_id).archived is False


def test_booking_buttons_open_the_dialogs(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scheduler.ui.series_dialog import SeriesDialog
    from scheduler.ui.single_session_dialog import SingleSessionDialog

    (patient_id,) = add_patients(desk, ("Ada", "Berg", dt.date(1960, 2, 2)))
    calls: list[tuple[str, int]] = []

    def series_ask(cls: object, desk_: object, pid: int, *, phase: str, parent: object) -> int:
        calls.append((phase, pid))
        return 1

    def single_ask(cls: object, desk_: object, pid: int, parent: object = None) -> None:
        calls.append(("single", pid))

    monkeypatch.setattr(SeriesDialog, "ask", classmethod(series_ask))
    monkeypatch.setattr(SingleSessionDialog, "ask", classmethod(single_ask))
    screen.open_patient(patient_id)
    qtbot.mouseClick(screen.induction_button, Qt.MouseButton.LeftButton)
    assert screen.tabs.currentIndex() == screen_module.TAB_SERIES
    qtbot.mouseClick(screen.maintenance_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.single_button, Qt.MouseButton.LeftButton)
    assert calls == [
        ("induction", patient_id),
        ("maintenance", patient_id),
        ("single", patient_id),
    ]


def test_series_tab_models(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen, qtmodeltester: ModelTester
) -> None:
    qtmodeltester.check(screen.courses_model)
    qtmodeltester.check(screen.sessions_model)
    qtmodeltester.check(screen.screening.model)


def test_typing_searches_once_after_a_pause_and_down_enters_the_list(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen
) -> None:
    add_patients(
        desk,
        ("Ben", "Okafor", dt.date(1985, 1, 2)),
        ("Bea", "Okonkwo", dt.date(1990, 6, 7)),
    )
    resets: list[bool] = []
    screen.model.modelReset.connect(lambda: resets.append(True))
    screen.search.setFocus()
    qtbot.keyClicks(screen.search, "oko")
    qtbot.waitUntil(lambda: len(resets) == 1, timeout=2000)
    assert screen.model.rowCount() == 1  # typed quickly: one search, for the whole word
    qtbot.keyClick(screen.search, Qt.Key.Key_Down)
    assert screen.results.hasFocus()
    assert screen.heading.text() == "Bea Okonkwo"


def test_unsaved_typing_survives_a_change_elsewhere(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen
) -> None:
    (patient_id,) = add_patients(desk, ("Ada", "Berg", dt.date(1960, 2, 2)))
    screen.open_patient(patient_id)
    qtbot.keyClicks(screen.form.inputs["driver_name"], "Sam Berg")
    desk.changed.emit(EVERYTHING)  # e.g. a session booked from the Calendar
    assert screen.form.text("driver_name") == "Sam Berg"
    qtbot.mouseClick(screen.form.save_button, Qt.MouseButton.LeftButton)
    with desk.database.reading() as s:
        assert get_patient(s, patient_id).driver_name == "Sam Berg"
    assert not screen.form.is_dirty()
