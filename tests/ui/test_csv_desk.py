"""Import patients… stepped through on the Patients screen; the desk's Export CSV… buttons."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from scheduler.store.models import Patient
from scheduler.ui import csv_files
from scheduler.ui.boosters_dialog import BoostersDueDialog
from scheduler.ui.import_dialog import (
    DUPLICATE_BACKGROUND,
    ERROR_BACKGROUND,
    STEP_MAPPING,
    STEP_PREVIEW,
    ImportPatientsDialog,
)
from scheduler.ui.letters_screen import LettersScreen
from scheduler.ui.main_window import MainWindow
from scheduler.ui.patients_screen import PatientsScreen
from scheduler.ui.today_screen import TodayScreen
from tests.ui.conftest import TestDesk
from tests.ui.test_patients_screen import add_patients

# "Given" is not a header the desk knows: the user picks First name for it.
EXPORT = (
    "Given,Last Name,Date of Birth,Cell,E-mail,Favourite colour\n"
    "Zoë,Łukasiewicz,02/13/1984,555 201 3344,zoe@example.org,green\n"
    "美咲,佐藤,1975-07-04,,,blue\n"
    "Dana,Kowalski,1990-07-01,,,red\n"
)


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None
    return item


def announcements(desk: TestDesk) -> list[str]:
    said: list[str] = []
    desk.announced.connect(said.append)
    return said


def on_file(desk: TestDesk) -> int:
    with desk.database.reading() as s:
        return s.scalar(select(func.count(Patient.id))) or 0


@pytest.fixture
def screen(window: MainWindow) -> PatientsScreen:
    """The Patients screen of the desk's main window, shown."""
    window.find_patient()
    return window.patients_screen()


def open_import(
    screen: PatientsScreen, path: Path, monkeypatch: pytest.MonkeyPatch
) -> ImportPatientsDialog:
    monkeypatch.setattr(
        ImportPatientsDialog, "ask_open_path", classmethod(lambda cls, p: str(path))
    )
    screen.import_button.click()
    dialog = screen.findChild(ImportPatientsDialog)
    assert isinstance(dialog, ImportPatientsDialog)
    assert dialog.choose_file()
    return dialog


def test_import_steps_through_mapping_preview_and_import(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    add_patients(desk, ("Dana", "Kowalski", dt.date(1990, 7, 1)))
    said = announcements(desk)
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + EXPORT.encode())
    dialog = open_import(screen, path, monkeypatch)

    # Mapping: guessed from the headers; no first name yet, so Next waits.
    assert dialog.steps.currentIndex() == STEP_MAPPING
    assert dialog.mapping() == {1: "last_name", 2: "date_of_birth", 3: "mobile_phone", 4: "email"}
    assert not dialog.next_button.isEnabled()
    assert "No column is chosen for First name" in dialog.problem.text()
    dialog.combos[0].setCurrentIndex(dialog.combos[0].findData("first_name"))
    assert dialog.next_button.isEnabled()
    assert dialog.problem.isHidden()

    # Preview: the rows as stored; Dana is on file already (amber) and left out.
    dialog.next_button.click()
    assert dialog.steps.currentIndex() == STEP_PREVIEW
    table = dialog.rows_table
    assert table.rowCount() == 3
    assert [cell(table, 0, c).text() for c in range(7)] == [
        "2", "Łukasiewicz", "Zoë", "02/13/1984", "555 201 3344", "zoe@example.org", "new"
    ]  # fmt: skip
    assert cell(table, 2, 7).text() == "Likely the same person as chart 100001"
    assert cell(table, 2, 1).background().color() == DUPLICATE_BACKGROUND
    assert dialog.import_button.isEnabled()
    assert dialog.include_duplicates.isVisibleTo(dialog)

    dialog.import_button.click()
    assert dialog.result() == ImportPatientsDialog.DialogCode.Accepted
    assert said == ["2 patients imported; 1 likely duplicate left out (row 4)."]
    assert on_file(desk) == 3
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3)


def test_rows_in_error_are_red_and_import_waits(
    desk: TestDesk, screen: PatientsScreen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(EXPORT.replace("1975-07-04", "1975-13-04").encode("utf-8"))
    dialog = open_import(screen, path, monkeypatch)
    dialog.combos[0].setCurrentIndex(dialog.combos[0].findData("first_name"))
    dialog.next_button.click()
    assert cell(dialog.rows_table, 1, 7).text() == "Date of birth 1975-13-04 is not a date."
    assert cell(dialog.rows_table, 1, 0).background().color() == ERROR_BACKGROUND
    assert not dialog.import_button.isEnabled()
    assert dialog.problem.text().startswith("1 row with problems (in red).")
    assert on_file(desk) == 0
    # Back to the mapping and forward again: the same preview.
    dialog.back_button.click()
    assert dialog.steps.currentIndex() == STEP_MAPPING
    dialog.next_button.click()
    assert not dialog.import_button.isEnabled()


def test_an_empty_file_is_one_red_sentence(
    screen: PatientsScreen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    monkeypatch.setattr(
        ImportPatientsDialog, "ask_open_path", classmethod(lambda cls, p: str(path))
    )
    dialog = ImportPatientsDialog(screen.desk, screen)
    assert not dialog.choose_file()
    assert (
        dialog.problem.text()
        == "empty.csv: The file is empty; there are no patients in it to import."
    )
    assert not dialog.next_button.isEnabled()


def saved_to(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(csv_files, "ask_save_path", lambda parent, suggested: str(path))


def read_back(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_export_buttons_write_private_csv_files(
    qtbot: QtBot, desk: TestDesk, screen: PatientsScreen, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    add_patients(desk, ("Zoë", "Okafor", dt.date(1980, 5, 17)))
    said = announcements(desk)
    today = TodayScreen(desk)
    letters = LettersScreen(desk)
    boosters = BoostersDueDialog(desk, lambda _: None)
    for widget in (today, letters, boosters):
        qtbot.addWidget(widget)
    for name, button in (
        ("patients", screen.export_button),
        ("today", today.day_export_button),
        ("letters", letters.day_export_button),
        ("boosters", boosters.export_button),
    ):
        path = tmp_path / name  # the desk adds .csv
        saved_to(monkeypatch, path)
        button.click()
        written = path.with_suffix(".csv")
        assert written.stat().st_mode & 0o077 == 0
        assert read_back(written)[0]
    assert read_back(tmp_path / "patients.csv")[1][:2] == ["Zoë", "Okafor"]
    assert said[0] == f"Patients exported to {tmp_path / 'patients.csv'}."
    assert len(said) == 4


def test_an_export_that_cannot_be_written_is_refused(
    desk: TestDesk, screen: PatientsScreen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_to(monkeypatch, tmp_path / "missing" / "patients.csv")
    screen.export_button.click()
    assert desk.refusals[0].startswith(f"Cannot write {tmp_path / 'missing' / 'patients.csv'}")
