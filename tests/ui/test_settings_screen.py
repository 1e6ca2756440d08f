"""Settings: each tab saves through the desk, problems shown under their fields."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from scheduler.domain.enums import Phase, StaffRole
from scheduler.services import settings as svc
from scheduler.services.clinic import get_settings
from scheduler.store.models import Chair, Protocol, Staff, Therapy
from scheduler.ui.settings import SettingsScreen
from tests.ui.conftest import TestDesk


@pytest.fixture
def screen(qtbot: QtBot, desk: TestDesk) -> SettingsScreen:
    widget = SettingsScreen(desk)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    return widget


def test_every_table_model_is_sound(screen: SettingsScreen, qtmodeltester: ModelTester) -> None:
    for model in (
        screen.hours.closures_model,
        screen.chairs.model,
        screen.staff.model,
        screen.therapies.model,
        screen.protocols.model,
    ):
        qtmodeltester.check(model)


def test_clinic_details_saved(qtbot: QtBot, desk: TestDesk, screen: SettingsScreen) -> None:
    tab = screen.clinic
    tab.name.clear()
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "needs a name" in tab.problems.message("name")
    qtbot.keyClicks(tab.name, "Lakeside Infusions")
    tab.timezone.setCurrentText("Mars/Base")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "not a time zone" in tab.problems.message("timezone")
    tab.timezone.setCurrentText("America/Chicago")
    tab.paper.setCurrentIndex(tab.paper.findData("A4"))
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    with desk.database.reading() as s:
        saved = get_settings(s)
        assert (saved.name, saved.timezone, saved.paper_size) == (
            "Lakeside Infusions",
            "America/Chicago",
            "A4",
        )
    assert desk.zone.key == "America/Chicago"
    assert desk.refusals == []


def test_opening_hours_and_closures(qtbot: QtBot, desk: TestDesk, screen: SettingsScreen) -> None:
    tab = screen.hours
    screen.tabs.setCurrentWidget(tab)
    tab.open_boxes[5].setChecked(False)  # Saturday closed
    tab.opens[0].setTime(QTime(19, 0))  # Monday opens after it closes
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "Monday" in tab.problems.message("weekday_0")
    tab.opens[0].setTime(QTime(7, 30))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    with desk.database.reading() as s:
        hours = svc.opening_hours(s)
    assert hours[0] == (dt.time(7, 30), dt.time(18, 0))
    assert hours[5] is None

    tab.closure_day.setDate(QDate(2026, 11, 26))
    qtbot.keyClicks(tab.closure_reason, "Thanksgiving")
    qtbot.mouseClick(tab.add_closure_button, Qt.MouseButton.LeftButton)
    assert tab.closures_model.rowCount() == 1
    qtbot.keyClicks(tab.closure_reason, "again")
    qtbot.mouseClick(tab.add_closure_button, Qt.MouseButton.LeftButton)
    assert "already closed" in tab.problems.message("day")
    tab.closures.selectRow(0)
    qtbot.mouseClick(tab.remove_closure_button, Qt.MouseButton.LeftButton)
    assert tab.closures_model.rowCount() == 0


def test_chairs_added_and_renamed(qtbot: QtBot, desk: TestDesk, screen: SettingsScreen) -> None:
    tab = screen.chairs
    screen.tabs.setCurrentWidget(tab)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(tab.name, "Chair 1")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(tab.name, "chair 1")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "already a chair" in tab.problems.message("name")
    tab.name.setText("Spravato room")
    tab.kind.setCurrentIndex(tab.kind.findData("room"))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    with desk.database.reading() as s:
        chairs = {c.name: c.kind for c in s.scalars(select(Chair))}
    assert chairs == {"Chair 1": "chair", "Spravato room": "room"}


def test_staff_added(qtbot: QtBot, desk: TestDesk, screen: SettingsScreen) -> None:
    tab = screen.staff
    screen.tabs.setCurrentWidget(tab)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(tab.name, "Dr Ada Ng")
    tab.role_boxes[StaffRole.NURSE].setChecked(False)
    tab.role_boxes[StaffRole.CLINICIAN].setChecked(True)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    with desk.database.reading() as s:
        staff = s.scalars(select(Staff)).one()
        assert (staff.name, staff.roles, staff.active) == ("Dr Ada Ng", "clinician", True)


def test_induction_protocol_count_checked(
    qtbot: QtBot, desk: TestDesk, screen: SettingsScreen
) -> None:
    tab = screen.protocols
    screen.tabs.setCurrentWidget(tab)
    row = next(i for i, r in enumerate(tab.model.rows()) if r.edit.phase == Phase.INDUCTION.value)
    tab.table.selectRow(row)
    protocol_id = tab.editing_id
    tab.count.setValue(9)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "6 to 8 sessions" in tab.problems.message("session_count")
    tab.count.setValue(8)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.problems.message("session_count") == ""
    with desk.database.reading() as s:
        assert s.get(Protocol, protocol_id).session_count == 8  # type: ignore[union-attr]
    assert tab.editing_id == protocol_id  # the same protocol stays selected after saving


def test_therapy_minutes_edited(qtbot: QtBot, desk: TestDesk, screen: SettingsScreen) -> None:
    tab = screen.therapies
    screen.tabs.setCurrentWidget(tab)
    tab.table.selectRow(0)
    therapy_id = tab.editing_id
    tab.observation.setValue(60)
    tab.colour.setText("teal")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "#3b7dd8" in tab.problems.message("colour")
    tab.colour.setText("#2a9d8f")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    with desk.database.reading() as s:
        therapy = s.get(Therapy, therapy_id)
        assert therapy is not None
        assert (therapy.observation_minutes, therapy.colour) == (60, "#2a9d8f")
        assert therapy.places.split(",")[0] == "chair"  # the usual place stays first


def test_after_hours_number_saved(qtbot: QtBot, desk: TestDesk, screen: SettingsScreen) -> None:
    tab = screen.clinic
    qtbot.keyClicks(tab.after_hours, " (617) 555-0199 ")
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    with desk.database.reading() as s:
        assert get_settings(s).after_hours_phone == "(617) 555-0199"


def test_a_new_therapy_gets_the_general_wording_and_settings_says_so(
    qtbot: QtBot, desk: TestDesk, screen: SettingsScreen
) -> None:
    tab = screen.therapies
    screen.tabs.setCurrentWidget(tab)
    tab.table.selectRow(0)
    assert tab.wording.currentData() == "ketamine"  # the seeded IV ketamine
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    assert tab.wording.currentData() == "general"
    assert "starts on the general wording, which says nothing about any one drug" in (
        tab.wording_note.text()
    )
    assert tab.wording_note.isVisible()
    qtbot.keyClicks(tab.name, "Vitamin drip")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert desk.refusals == []
    with desk.database.reading() as s:
        added = s.scalars(select(Therapy).where(Therapy.name == "Vitamin drip")).one()
        assert (added.code, added.letter_wording, added.aftercare_letter) == (
            "vitamin_drip",
            "general",
            True,
        )
    assert tab.editing_id == added.id


def test_an_account_gets_a_sign_in_name_and_a_password(
    qtbot: QtBot, desk: TestDesk, screen: SettingsScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scheduler.services import accounts
    from scheduler.ui.settings import staff as staff_tab

    tab = screen.staff
    screen.tabs.setCurrentWidget(tab)
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    assert not tab.password_button.isEnabled()  # a name to sign in with comes first
    qtbot.keyClicks(tab.name, "Tom Becker")
    qtbot.keyClicks(tab.sign_in, "tom")
    tab.role_boxes[StaffRole.NURSE].setChecked(False)
    tab.role_boxes[StaffRole.FRONT_DESK].setChecked(True)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.model.rows()[0].account == "no password yet"
    assert tab.password_button.isEnabled()
    monkeypatch.setattr(
        staff_tab.PasswordDialog,
        "ask",
        classmethod(lambda cls, name, parent=None: "front desk 2026"),
    )
    qtbot.mouseClick(tab.password_button, Qt.MouseButton.LeftButton)
    assert tab.model.rows()[0].account == "can sign in"
    with desk.database.transaction() as s:
        signed = accounts.sign_in(s, "tom", "front desk 2026", now=desk.now()).actor
    assert signed is not None
    assert signed.roles == {StaffRole.FRONT_DESK}


def test_the_idle_lock_time_is_a_clinic_setting(
    qtbot: QtBot, desk: TestDesk, screen: SettingsScreen
) -> None:
    tab = screen.clinic
    screen.tabs.setCurrentWidget(tab)
    assert tab.idle_lock.value() == 10
    tab.idle_lock.setValue(3)
    assert tab.save()
    with desk.database.reading() as s:
        assert get_settings(s).idle_lock_minutes == 3
