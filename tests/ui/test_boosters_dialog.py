"""Boosters due: the list a page at a time as it scrolls, and a row opening its patient."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from scheduler.services.boosters import boosters_due
from scheduler.store import Database
from scheduler.ui.boosters_dialog import BoostersDueDialog, BoostersDueModel
from tests.ui.conftest import TestDesk


def test_the_list_loads_page_by_page_and_opens_the_patient(
    qtbot: QtBot, demo: Database, qtmodeltester: ModelTester, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = TestDesk(demo)
    with demo.reading() as db:
        everyone = boosters_due(db, today=desk.today(), limit=1000)
    assert len(everyone) >= 2
    monkeypatch.setattr(BoostersDueModel, "PAGE", 1)
    opened: list[int] = []
    dialog = BoostersDueDialog(desk, opened.append)
    qtbot.addWidget(dialog)
    dialog.show()
    model = dialog.model
    assert model.rowCount() == 1
    assert model.canFetchMore()
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rows() == everyone
    first = model.index(0, BoostersDueModel.COL_NAME)
    assert model.data(first) == everyone[0].patient_name
    overdue = model.data(model.index(0, BoostersDueModel.COL_OVERDUE))
    assert overdue == f"{everyone[0].days_overdue} days"
    rect = dialog.table.visualRect(model.index(1, BoostersDueModel.COL_NAME))
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [everyone[1].patient_id]
    assert dialog.result() == BoostersDueDialog.DialogCode.Accepted


def test_nobody_due_says_so(qtbot: QtBot, desk: TestDesk) -> None:
    dialog = BoostersDueDialog(desk, lambda _: None)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 0
    assert "Nobody is due a booster" in dialog.note.text()
    assert not dialog.open_button.isEnabled()
