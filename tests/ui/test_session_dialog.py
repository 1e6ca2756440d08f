"""A session opened from Today or the calendar: move it, cancel it, print its letters."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from scheduler.domain.enums import ChairKind, SessionStatus
from scheduler.services.booking import book_single
from scheduler.services.schedule import sessions_on_day
from scheduler.store import Database
from scheduler.store.models import TreatmentSession
from scheduler.ui import session_dialog
from scheduler.ui.makeup_dialog import MakeupDialog
from scheduler.ui.pdf_preview import PdfPreviewDialog
from scheduler.ui.session_dialog import ReasonDialog, SessionDialog
from tests.conftest import ACTOR, CLINIC_TZ, NOW
from tests.factories import CONSULTATION, IV_SINGLE, add_chairs, make_patient, protocol_id
from tests.ui.conftest import TestDesk

ZONE = ZoneInfo(CLINIC_TZ)
TOMORROW = NOW.astimezone(ZONE).date() + dt.timedelta(days=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE).astimezone(dt.UTC)


@pytest.fixture
def dialog(qtbot: QtBot, db: Database, desk: TestDesk) -> SessionDialog:
    with db.transaction() as s:
        add_chairs(s, 2)
        patient = make_patient(s, first_name="Zoë", last_name="O'Brien")
        book_single(
            s, patient_id=patient, protocol_id=protocol_id(s, IV_SINGLE),
            starts_at=at(TOMORROW, 10), chair_id=None, actor=ACTOR, now=NOW,
        )  # fmt: skip
    (view,) = desk.read(lambda s: sessions_on_day(s, TOMORROW))
    widget = SessionDialog(desk, view)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def stored(db: Database, session_id: int) -> TreatmentSession:
    with db.reading() as s:
        row = s.get(TreatmentSession, session_id)
        assert row is not None
        return row


def test_shows_the_sessions_details(dialog: SessionDialog) -> None:
    labels = dialog._labels
    assert labels["patient"].text().startswith("Zoë O'Brien (chart ")
    assert labels["when"].text() == "10:00–11:30 AM on Tue, Nov 17, 2026"
    assert labels["status"].text() == "Booked"
    assert labels["driver"].text() == "None on file — ask the patient"


def test_reschedule_to_one_of_the_next_free_slots(
    qtbot: QtBot,
    dialog: SessionDialog,
    db: Database,
    desk: TestDesk,
    qtmodeltester: object,
) -> None:
    dialog.near.setFocus()
    dialog.near.setDateTime(dialog.near.dateTime().addSecs(4 * 3600))  # 2 PM
    qtbot.mouseClick(dialog.find_button, Qt.MouseButton.LeftButton)
    qtmodeltester.check(dialog.slots)  # type: ignore[attr-defined]
    chosen = dialog.slots.row_at(0)
    assert chosen.starts_at == at(TOMORROW, 14)
    with qtbot.waitSignal(desk.changed):
        qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
    assert desk.refusals == []
    row = stored(db, dialog.view.session_id)
    assert (row.starts_at, row.chair_id) == (chosen.starts_at, chosen.chair_id)
    assert dialog.changed_anything


def test_a_refused_move_is_shown_in_the_dialog_not_in_a_pop_up(
    qtbot: QtBot, dialog: SessionDialog, db: Database, desk: TestDesk
) -> None:
    """Another desk takes the slot while this one looks at it: the refusal shows inline."""
    dialog.near.setDateTime(dialog.near.dateTime().addSecs(4 * 3600))  # 2 PM
    qtbot.mouseClick(dialog.find_button, Qt.MouseButton.LeftButton)
    chosen = dialog.slots.row_at(0)
    with db.transaction() as s:
        book_single(
            s, patient_id=make_patient(s, first_name="Ann"), protocol_id=protocol_id(s, IV_SINGLE),
            starts_at=chosen.starts_at, chair_id=chosen.chair_id, actor=ACTOR, now=NOW,
        )  # fmt: skip
    assert not dialog.move_to_chosen()
    assert desk.refusals == []
    assert dialog.message.isVisible()
    assert dialog.message.text().startswith("Not moved: ")
    assert "is taken" in dialog.message.text()
    assert stored(db, dialog.view.session_id).starts_at == at(TOMORROW, 10)
    assert dialog.isVisible()
    # Finding slots again clears it: the message is about the slot no longer offered.
    qtbot.mouseClick(dialog.find_button, Qt.MouseButton.LeftButton)
    assert not dialog.message.isVisible()


def test_cancel_asks_for_a_reason(
    qtbot: QtBot, dialog: SessionDialog, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        session_dialog.ReasonDialog,
        "ask",
        classmethod(lambda cls, title, prompt, parent=None: "Moved away"),
    )
    offered: list[int] = []
    monkeypatch.setattr(
        MakeupDialog, "ask", classmethod(lambda cls, desk, sid, parent=None: offered.append(sid))
    )
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    row = stored(db, dialog.view.session_id)
    assert (row.status, row.status_reason) == (SessionStatus.CANCELLED.value, "Moved away")
    assert offered == []  # a single session leaves no course short


def test_no_show_waits_for_the_start_and_a_single_has_nothing_to_make_up(
    dialog: SessionDialog,
) -> None:
    assert not dialog.no_show_button.isEnabled()
    assert "start has passed" in dialog.no_show_button.toolTip()
    assert dialog.makeup_button.isHidden()


def test_the_reason_dialog_needs_words(qtbot: QtBot) -> None:
    reason = ReasonDialog("Cancel session", "Why?")
    qtbot.addWidget(reason)
    reason.show()
    assert not reason.ok_button.isEnabled()
    qtbot.keyClicks(reason.text, "   ")
    assert not reason.ok_button.isEnabled()
    qtbot.keyClicks(reason.text, "Feeling unwell")
    assert reason.ok_button.isEnabled()
    assert reason.reason() == "Feeling unwell"


def test_prep_letter_opens_a_preview(
    qtbot: QtBot, dialog: SessionDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, bytes]] = []
    monkeypatch.setattr(
        PdfPreviewDialog,
        "show_pdf",
        classmethod(
            lambda cls, pdf, title, file_name, parent=None, **kw: shown.append((title, pdf))
        ),
    )
    qtbot.mouseClick(dialog.prep_button, Qt.MouseButton.LeftButton)
    ((title, pdf),) = shown
    assert title == "Prep letter — Zoë O'Brien, Tue, Nov 17, 2026"
    assert pdf.startswith(b"%PDF")


def test_a_consultation_has_no_aftercare_button(
    qtbot: QtBot, db: Database, desk: TestDesk, dialog: SessionDialog
) -> None:
    assert dialog.aftercare_button.isVisible()  # the IV infusion has one
    with db.transaction() as s:
        add_chairs(s, 1, kind=ChairKind.OFFICE)
        patient = make_patient(s, first_name="Dana", last_name="Moreau")
        book_single(
            s, patient_id=patient, protocol_id=protocol_id(s, CONSULTATION),
            starts_at=at(TOMORROW, 14), chair_id=None, actor=ACTOR, now=NOW,
        )  # fmt: skip
    views = desk.read(lambda s: sessions_on_day(s, TOMORROW))
    visit = next(v for v in views if v.patient_name == "Dana Moreau")
    assert not visit.has_aftercare
    widget = SessionDialog(desk, visit)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.prep_button.isVisible()
    assert not widget.aftercare_button.isVisible()
