"""Drag and drop on the calendar: a session dragged to another time, chair or day is moved by
the same rules as any move, a refusal is said inline and the session stays, Esc and leaving
the grid cancel, and Ctrl+Z undoes the last move."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from scheduler.domain.access import Actor
from scheduler.domain.enums import StaffRole
from scheduler.services.booking import book_single
from scheduler.services.clinic import get_settings
from scheduler.services.session_life import reschedule
from scheduler.store import Database
from scheduler.store.models import AuditEntry, TreatmentSession
from scheduler.ui.calendar import CalendarScreen
from scheduler.ui.calendar.dragging import DropPlace, drop_label, drop_place, snapped
from scheduler.ui.calendar.grid import GridBlock, GridColumn, GridGroup, TimeGrid
from scheduler.ui.main_window import CALENDAR, MainWindow
from scheduler.ui.session_dialog import SessionDialog
from scheduler.ui.session_models import SessionLike
from tests.conftest import ACTOR, NOW
from tests.factories import WED, Clinic, at, make_patient, set_up_test_clinic
from tests.ui.conftest import TestDesk

TODAY = dt.date(2026, 11, 16)  # a Monday; the desk's clock says 9:00 AM
TOM = "tom"  # who is signed in at the desk, and named in the trail


@dataclass
class Scene:
    """The calendar on a clinic with Ann in chair 1 at 11:00 AM today and Zoë in chair 2 at
    1:00 PM, and a hand to drag with."""

    qtbot: QtBot
    screen: CalendarScreen
    desk: TestDesk
    db: Database
    clinic: Clinic
    ann: int
    zoe: int
    said: list[str] = field(default_factory=list)  # what the status bar was told

    @property
    def grid(self) -> TimeGrid:
        return self.screen.grid

    def block(self, session_id: int) -> GridBlock:
        return next(b for b in self.grid.blocks if b.session_id == session_id)

    def name(self, session_id: int) -> str:
        """The patient's name on a session's block."""
        return self.block(session_id).lines[0]

    def grab_point(self, session_id: int) -> QPoint:
        """Where a user takes hold of a block: a little inside its top left."""
        rect = self.grid.block_rect(self.block(session_id))
        return QPoint(int(rect.left()) + 12, int(rect.top()) + 6)

    def over(self, session_id: int, when: dt.datetime, column: int) -> QPoint:
        """Where to take the pointer so that the block's top lands at ``when`` in ``column``."""
        grabbed = self.grab_point(session_id)
        offset = grabbed.y() - int(self.grid.block_rect(self.block(session_id)).top())
        target = self.grid.point_of(when, column)
        return QPoint(target.x(), target.y() - 2 + offset)

    def hold_and_move(self, grabbed: QPoint, to: QPoint) -> QPoint:
        """Press on a block and move in steps, as a hand does; where the pointer is now."""
        self.qtbot.mousePress(self.grid, Qt.MouseButton.LeftButton, pos=grabbed)
        for step in range(1, 5):
            self.qtbot.mouseMove(self.grid, grabbed + (to - grabbed) * (step / 4))
        return to

    def drag(self, session_id: int, when: dt.datetime, column: int) -> QPoint:
        """Drag a session's block over ``when`` in ``column`` without letting go."""
        return self.hold_and_move(self.grab_point(session_id), self.over(session_id, when, column))

    def let_go(self, at_point: QPoint) -> None:
        self.qtbot.mouseRelease(self.grid, Qt.MouseButton.LeftButton, pos=at_point)

    def drop(self, session_id: int, when: dt.datetime, column: int) -> None:
        self.let_go(self.drag(session_id, when, column))

    def undo(self) -> None:
        self.qtbot.keyClick(self.screen, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    def stored(self, session_id: int) -> tuple[dt.datetime, int | None]:
        """Where the session is in the database."""
        with self.db.reading() as s:
            row = s.get(TreatmentSession, session_id)
            assert row is not None
            return row.starts_at, row.chair_id

    def moves_of(self, session_id: int) -> list[tuple[str, str]]:
        """The trail's moves of a session: who, and the note."""
        with self.db.reading() as s:
            entries = s.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.action == "session.reschedule", AuditEntry.entity_id == session_id
                )
                .order_by(AuditEntry.id)
            )
            return [(e.actor, e.reason) for e in entries]

    def place_of(self, session_id: int) -> tuple[int, float]:
        """Where a session's block is drawn: its column and start."""
        block = self.block(session_id)
        return block.column, block.start_min


@pytest.fixture
def scene(qtbot: QtBot, desk: TestDesk, db: Database) -> Scene:
    clinic = set_up_test_clinic(db)
    with db.transaction() as s:
        ann, zoe = (
            book_single(
                s, patient_id=patient, protocol_id=clinic.iv_single, starts_at=at(TODAY, hour),
                chair_id=chair, actor=ACTOR, now=NOW,
            ).id
            for patient, hour, chair in ((clinic.other_patient, 11, clinic.chairs[0]),
                                         (clinic.patient, 13, clinic.chairs[1]))
        )  # fmt: skip
    desk.sign_in(Actor(clinic.front_desk, TOM, "Tom", frozenset({StaffRole.FRONT_DESK})))
    screen = CalendarScreen(desk)
    qtbot.addWidget(screen)
    screen.resize(1000, 900)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    screen.setFocus()
    made = Scene(qtbot, screen, desk, db, clinic, ann, zoe)
    desk.announced.connect(made.said.append)
    return made


def test_a_session_dragged_to_another_time_and_chair_moves_there(scene: Scene) -> None:
    ann, grid = scene.ann, scene.grid
    to = scene.drag(ann, at(TODAY, 15, 30), 1)
    # While dragging: the ghost is at the snapped time in chair 2.
    assert grid.dragging == ann
    assert grid.drop_target == DropPlace(1, 15 * 60 + 30, scene.clinic.chairs[1], "Chair 2")
    with scene.qtbot.waitSignal(scene.desk.changed, timeout=1000):
        scene.let_go(to)
    assert scene.stored(ann) == (at(TODAY, 15, 30), scene.clinic.chairs[1])
    assert scene.moves_of(ann) == [
        (TOM, "Moved from Mon, Nov 16, 2026, 11:00 AM to Mon, Nov 16, 2026, 3:30 PM.")
    ]
    assert scene.said == [f"Moved {scene.name(ann)} to Mon, Nov 16 at 3:30 PM, Chair 2"]
    assert scene.place_of(ann) == (1, 15 * 60 + 30)
    assert grid.highlighted == ann
    assert grid.dragging is None
    assert grid.drop_target is None
    assert not scene.screen.problem.isVisible()
    assert scene.desk.refusals == []


@pytest.mark.parametrize(
    ("hour", "column", "reason"),
    [
        (18, 0, "after closing time"),  # the clinic closes at 6:00 PM
        (13, 1, "Chair 2 is taken"),  # Zoë is in chair 2 then
    ],
    ids=["closed hour", "busy chair"],
)
def test_a_refused_drop_leaves_the_session_and_says_why_inline(
    scene: Scene, hour: int, column: int, reason: str
) -> None:
    ann, grid, problem = scene.ann, scene.grid, scene.screen.problem
    scene.drop(ann, at(TODAY, hour), column)
    assert scene.stored(ann) == (at(TODAY, 11), scene.clinic.chairs[0])
    assert scene.moves_of(ann) == []
    # Said on the calendar itself, not in a pop-up, and the block is back where it was.
    assert scene.desk.refusals == []
    assert problem.isVisible()
    assert problem.text().startswith("Not moved")
    assert reason in problem.text()
    assert scene.place_of(ann) == (0, 11 * 60)
    assert grid.dragging is None
    assert grid.drop_target is None
    assert scene.said == []
    # The next drag starts with a clear strip.
    grabbed = scene.grab_point(ann)
    scene.hold_and_move(grabbed, grabbed + QPoint(0, 60))
    assert not problem.isVisible()
    scene.qtbot.keyClick(scene.screen, Qt.Key.Key_Escape)


def test_a_session_dragged_to_another_day_of_the_week_moves_there(scene: Scene) -> None:
    scene.screen.show_week(TODAY)
    ann, grid = scene.ann, scene.grid
    to = scene.drag(ann, at(WED, 10), 2)
    # Wednesday has no sessions yet, so no chairs under its title: Ann keeps hers.
    assert grid.drop_target == DropPlace(2, 10 * 60, scene.clinic.chairs[0], "Chair 1")
    with scene.qtbot.waitSignal(scene.desk.changed, timeout=1000):
        scene.let_go(to)
    assert scene.stored(ann) == (at(WED, 10), scene.clinic.chairs[0])
    assert scene.said == [f"Moved {scene.name(ann)} to Wed, Nov 18 at 10:00 AM, Chair 1"]
    assert scene.screen.mode == "week"
    assert scene.place_of(ann) == (2, 10 * 60)


def test_in_the_week_a_session_goes_to_the_chair_it_is_dropped_on(scene: Scene) -> None:
    scene.screen.show_week(TODAY)
    ann, grid = scene.ann, scene.grid
    # Today's column is shared by chair 1 (Ann) and chair 2 (Zoë): drop Ann on chair 2's half.
    zoe = grid.block_rect(scene.block(scene.zoe))
    to = QPoint(int(zoe.center().x()), scene.over(ann, at(TODAY, 15), 0).y())
    scene.hold_and_move(scene.grab_point(ann), to)
    target = grid.drop_target
    assert target is not None
    assert (target.chair_id, target.start_min) == (scene.clinic.chairs[1], 15 * 60)
    scene.let_go(to)
    assert scene.stored(ann) == (at(TODAY, 15), scene.clinic.chairs[1])


def test_ctrl_z_puts_the_session_back(scene: Scene) -> None:
    ann, undo_button = scene.ann, scene.screen.undo_button
    assert not undo_button.isEnabled()
    scene.drop(ann, at(TODAY, 15), 1)
    assert scene.stored(ann) == (at(TODAY, 15), scene.clinic.chairs[1])
    assert undo_button.isEnabled()
    with scene.qtbot.waitSignal(scene.desk.changed, timeout=1000):
        scene.undo()
    assert scene.stored(ann) == (at(TODAY, 11), scene.clinic.chairs[0])
    assert [who for who, _ in scene.moves_of(ann)] == [TOM, TOM]
    assert scene.said[-1] == (
        f"Move undone: {scene.name(ann)} is back on Mon, Nov 16 at 11:00 AM, Chair 1"
    )
    assert scene.place_of(ann) == (0, 11 * 60)
    assert scene.grid.highlighted == ann
    assert not undo_button.isEnabled()
    scene.undo()
    assert scene.said[-1] == "No move to undo"
    assert scene.stored(ann) == (at(TODAY, 11), scene.clinic.chairs[0])


def test_undo_is_refused_inline_when_the_old_place_was_taken(scene: Scene) -> None:
    ann, clinic = scene.ann, scene.clinic
    scene.drop(ann, at(TODAY, 15), 1)
    with scene.db.transaction() as s:
        ben = make_patient(s, first_name="Ben")
        book_single(
            s, patient_id=ben, protocol_id=clinic.iv_single, starts_at=at(TODAY, 11),
            chair_id=clinic.chairs[0], actor=ACTOR, now=NOW,
        )  # fmt: skip
    scene.undo()
    assert scene.stored(ann) == (at(TODAY, 15), clinic.chairs[1])
    assert scene.desk.refusals == []
    problem = scene.screen.problem
    assert problem.isVisible()
    assert problem.text().startswith("Not undone: ")
    assert "Chair 1 is taken" in problem.text()
    assert scene.screen.undo_button.isEnabled()  # it may be tried again once the place is free


def test_undo_leaves_a_session_moved_again_since(scene: Scene) -> None:
    ann = scene.ann
    who = scene.name(ann)
    scene.drop(ann, at(TODAY, 15), 1)
    with scene.db.transaction() as s:  # moved again, at another workstation
        reschedule(s, ann, starts_at=at(WED, 10), chair_id=None, actor=ACTOR, now=NOW)
    scene.undo()
    assert scene.stored(ann)[0] == at(WED, 10)
    assert scene.screen.problem.text() == (
        f"Not undone: {who}'s session has been moved again since. Open it to move it."
    )
    assert not scene.screen.undo_button.isEnabled()


def test_esc_and_leaving_the_grid_cancel_a_drag(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int] = []

    def open_session(cls: type[SessionDialog], desk: object, view: SessionLike, *_: object) -> None:
        opened.append(view.session_id)

    monkeypatch.setattr(SessionDialog, "open_session", classmethod(open_session))
    ann, grid = scene.ann, scene.grid
    where = (at(TODAY, 11), scene.clinic.chairs[0])
    to = scene.drag(ann, at(TODAY, 15), 1)
    assert grid.drop_target is not None
    scene.qtbot.keyClick(scene.screen, Qt.Key.Key_Escape)
    assert grid.dragging is None
    assert grid.drop_target is None
    scene.let_go(to)
    assert scene.stored(ann) == where
    # Out over the hours at the left: no ghost, and letting go there moves nothing.
    outside = QPoint(10, to.y())
    scene.hold_and_move(scene.grab_point(ann), outside)
    assert grid.dragging == ann
    assert grid.drop_target is None
    scene.let_go(outside)
    assert grid.dragging is None
    assert scene.stored(ann) == where
    # Nothing was opened on the way, and nothing refused.
    assert opened == []
    assert scene.desk.refusals == []
    assert not scene.screen.problem.isVisible()
    # A click that barely moves still opens the session.
    grabbed = scene.grab_point(ann)
    scene.hold_and_move(grabbed, grabbed + QPoint(1, 1))
    scene.let_go(grabbed + QPoint(1, 1))
    assert opened == [ann]


def test_only_what_the_rules_would_move_can_be_dragged(scene: Scene) -> None:
    ann, grid, desk = scene.ann, scene.grid, scene.desk
    # An administrator may not move sessions (the service would refuse): no drag.
    desk.sign_in(Actor(None, "alex", "Alex Admin", frozenset({StaffRole.ADMINISTRATOR})))
    to = scene.drag(ann, at(TODAY, 15), 1)
    assert grid.dragging is None
    assert grid.drop_target is None
    scene.let_go(to)
    # Nor is a session that has started: the desk's clock is past Ann's start.
    desk.sign_in(ACTOR)
    desk.clock_now = at(TODAY, 11, 5)
    scene.screen.refresh()
    to = scene.drag(ann, at(TODAY, 15), 1)
    assert grid.dragging is None
    scene.let_go(to)
    assert scene.stored(ann)[0] == at(TODAY, 11)


def test_a_colleague_signing_in_gets_their_own_calendar(scene: Scene) -> None:
    ann, desk = scene.ann, scene.desk
    scene.drop(ann, at(TODAY, 15), 1)
    assert scene.screen.undo_button.isEnabled()
    # Alex (administration only) signs in at this desk: nothing to drag, Tom's move not theirs.
    desk.sign_in(Actor(None, "alex", "Alex Admin", frozenset({StaffRole.ADMINISTRATOR})))
    assert scene.grid.movable == frozenset()
    assert not scene.screen.undo_button.isEnabled()
    scene.undo()
    assert scene.stored(ann) == (at(TODAY, 15), scene.clinic.chairs[1])
    desk.sign_in(ACTOR)
    assert scene.grid.movable == {ann, scene.zoe}


def test_the_ghost_snaps_to_the_clinics_slot_step(scene: Scene) -> None:
    with scene.db.transaction() as s:
        get_settings(s).slot_minutes = 5
    scene.screen.refresh()
    scene.drag(scene.ann, at(TODAY, 14, 37), 1)
    target = scene.grid.drop_target
    assert target is not None
    assert target.start_min % 5 == 0
    assert abs(target.start_min - (14 * 60 + 37)) <= 3
    scene.qtbot.keyClick(scene.screen, Qt.Key.Key_Escape)


@pytest.mark.parametrize(
    ("minute", "step", "expected"),
    [(637.0, 15, 630), (638.0, 15, 645), (637.0, 5, 635), (100.0, 15, 420), (2000.0, 15, 1125)],
)
def test_starts_snap_to_the_nearest_slot_within_the_grid(
    minute: float, step: int, expected: int
) -> None:
    assert snapped(minute, step, 7 * 60, 19 * 60) == expected


def week_day(*groups: GridGroup) -> list[GridColumn]:
    return [GridColumn("Tue, Nov 17", TODAY, None, (dt.time(8), dt.time(18)), None, groups, True)]


def test_in_the_week_another_chair_is_chosen_only_beside_the_sessions_own() -> None:
    ann = GridBlock(1, 0, 600, 45, 45, 15, "#3b7dd8", ("Ann",), chair_id=1, chair_name="Chair 1")
    rooms = week_day(GridGroup("Spravato room", 0, 0.5, 5), GridGroup("Home / video", 0.5, 0.5))
    # A day showing only rooms: Ann keeps her chair, drawn across the day.
    place = drop_place(ann, rooms, 0, 0.2, 660)
    assert place == DropPlace(0, 660, 1, "Chair 1")
    # A day showing her chair and another: the one pointed at.
    chairs = week_day(GridGroup("Chair 1", 0, 0.5, 1), GridGroup("Chair 2", 0.5, 0.5, 2))
    assert drop_place(ann, chairs, 0, 0.7, 660) == DropPlace(0, 660, 2, "Chair 2", (0.5, 0.5))
    assert drop_place(ann, chairs, 0, 0.2, 660) == DropPlace(0, 660, 1, "Chair 1", (0, 0.5))
    pointed = drop_place(ann, chairs, 0, 0.7, 660)
    assert pointed is not None
    assert drop_label(pointed, chairs) == "Mon, Nov 16, 11:00 AM · Chair 2"
    # A visit at home stays one, wherever it is pointed.
    visit = GridBlock(2, 0, 600, 30, 0, 0, "#5a8a9a", ("Kevin",), chair_name="Home visit")
    assert drop_place(visit, rooms, 0, 0.2, 660) == DropPlace(
        0, 660, None, "Home visit", (0.5, 0.5)
    )


def test_in_the_day_a_session_in_a_chair_does_not_go_home() -> None:
    day = [
        GridColumn("Chair 1", TODAY, 1),
        GridColumn("Home / video", TODAY, None),
    ]
    ann = GridBlock(1, 0, 600, 45, 45, 15, "#3b7dd8", ("Ann",), chair_id=1, chair_name="Chair 1")
    assert drop_place(ann, day, 1, 0.5, 660) is None
    assert drop_place(ann, day, 0, 0.5, 660) == DropPlace(0, 660, 1, "Chair 1")
    assert drop_label(DropPlace(0, 660, 1, "Chair 1"), day) == "11:00 AM · Chair 1"


def test_in_the_window_esc_and_ctrl_z_reach_the_calendar_from_the_mouse(
    qtbot: QtBot, window: MainWindow, desk: TestDesk, db: Database
) -> None:
    clinic = set_up_test_clinic(db)
    with db.transaction() as s:
        ann = book_single(
            s, patient_id=clinic.patient, protocol_id=clinic.iv_single, starts_at=at(TODAY, 11),
            chair_id=clinic.chairs[0], actor=ACTOR, now=NOW,
        ).id  # fmt: skip
    window.show_screen(CALENDAR)
    screen = window.current_screen()
    assert isinstance(screen, CalendarScreen)
    window.activateWindow()
    qtbot.waitActive(window)
    scene = Scene(qtbot, screen, desk, db, clinic, ann, ann)
    to = scene.drag(ann, at(TODAY, 15), 1)
    # The keys go where the focus is after the press, as a user's would.
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_Escape)
    assert scene.grid.dragging is None
    scene.let_go(to)
    scene.drop(ann, at(TODAY, 15), 1)
    assert scene.stored(ann) == (at(TODAY, 15), clinic.chairs[1])
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert scene.stored(ann) == (at(TODAY, 11), clinic.chairs[0])
