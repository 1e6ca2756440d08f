"""The Reports screen: the demo clinic's charts, their exports, and a range refused in red."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from scheduler.services.booking import book_single
from scheduler.services.reports.figures import INDUCTIONS, LETTERS, NO_SHOWS, UTILISATION
from scheduler.store import Database
from scheduler.ui import csv_files
from scheduler.ui.main_window import REPORTS, MainWindow
from scheduler.ui.report_chart import ChartPanel, value_marks
from scheduler.ui.reports_screen import ReportsScreen, default_range
from tests.factories import IV_SINGLE, add_chairs, at, make_patient, protocol_id
from tests.ui.conftest import TestDesk


@pytest.fixture
def reports(qtbot: QtBot, demo: Database, qsettings: QSettings) -> ReportsScreen:
    """The Reports screen of the demo clinic, reached through Go › Reports (Ctrl+8)."""
    window = MainWindow(TestDesk(demo), settings=qsettings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.go_actions[REPORTS].shortcut().toString() == "Ctrl+8"
    window.go_actions[REPORTS].trigger()
    assert window.current_index() == REPORTS
    screen = window.current_screen()
    assert isinstance(screen, ReportsScreen)
    return screen


def drawn(panel: ChartPanel) -> list[object]:
    """The bars and lines in a panel's plot."""
    return [
        item
        for item in panel.plot.getPlotItem().items
        if isinstance(item, pg.BarGraphItem | pg.PlotDataItem)
    ]


def heights(item: object) -> list[float]:
    if isinstance(item, pg.BarGraphItem):
        return [float(h) for h in item.opts["height"]]
    assert isinstance(item, pg.PlotDataItem)
    return [float(y) for y in item.yData]


def test_the_demo_clinic_shows_utilisation_no_shows_and_inductions(
    reports: ReportsScreen,
) -> None:
    assert reports.days() == (dt.date(2026, 9, 1), dt.date(2026, 11, 30))
    assert reports.report is not None
    for key in (UTILISATION, NO_SHOWS, INDUCTIONS):
        panel = reports.panel(key)
        chart = reports.report.chart(key)
        item = panel.plot.getPlotItem()
        assert panel.drawing.currentWidget() is panel.plot, key
        items = drawn(panel)
        assert len(items) == len(chart.series) >= 2, key
        assert any(h > 0 for item in items for h in heights(item)), key
        for series in chart.series:
            assert series.name in panel.legend.text()
        assert panel.title.text() == chart.title
        assert item.getAxis("left").labelText == chart.value_label
        assert item.getAxis("bottom").labelText == chart.unit.heading
    chairs = reports.panel(UTILISATION).legend.text()
    assert "Chair 1" in chairs
    assert "Spravato room" in chairs
    months = reports.panel(NO_SHOWS).plot.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert [label for _, label in months] == ["Sep 2026", "Oct 2026", "Nov 2026"]


def test_an_empty_chart_says_so_instead_of_drawing_nothing(reports: ReportsScreen) -> None:
    letters = reports.panel(LETTERS)  # the demo prints no letters
    assert letters.drawing.currentWidget() is letters.nothing
    assert letters.nothing.text() == "No letters were printed or emailed from Sep 1–Nov 30, 2026."


def test_each_chart_saves_its_numbers_and_its_picture(
    reports: ReportsScreen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def save_as(parent: object, suggested: str, title: str, kind: str) -> str:
        asked.append(suggested)
        return str(tmp_path / suggested.rsplit(".", 1)[0])  # the suffix is added

    monkeypatch.setattr(csv_files, "ask_save_path", save_as)
    panel = reports.panel(UTILISATION)
    saved_csv = panel.export_csv()
    assert saved_csv == tmp_path / "utilisation-2026-09-01-to-2026-11-30.csv"
    with saved_csv.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Week starting", "Chair", "Booked minutes", "Open minutes", "Utilisation %"]
    assert reports.report is not None
    assert rows[1:] == [list(r) for r in reports.report.chart(UTILISATION).csv_table()[1:]]
    saved_png = reports.panel(INDUCTIONS).export_png()
    assert saved_png == tmp_path / "inductions-2026-09-01-to-2026-11-30.png"
    assert saved_png.stat().st_size > 0
    image = QImage(str(saved_png))
    assert not image.isNull()
    figure = reports.panel(INDUCTIONS).figure
    ratio = figure.devicePixelRatioF()
    assert (image.width(), image.height()) == (
        round(figure.width() * ratio),
        round(figure.height() * ratio),
    )
    assert reports.panel(INDUCTIONS).saved.text() == f"Saved {saved_png.name}."
    assert len(asked) == 2


def test_a_backwards_range_is_refused_in_red(qtbot: QtBot, desk: TestDesk) -> None:
    screen = ReportsScreen(desk)
    qtbot.addWidget(screen)
    screen.show()
    screen.set_days(dt.date(2026, 11, 30), dt.date(2026, 11, 1))
    assert screen.problem.isVisible()
    assert screen.problem.text() == (
        "The report's last day (2026-11-01) is before its first day (2026-11-30); swap them."
    )
    screen.set_days(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert not screen.problem.isVisible()
    assert desk.refusals == []
    # Only the first day changes: the charts still count the new range.
    screen.set_days(dt.date(2026, 11, 16), dt.date(2026, 11, 30))
    assert screen.report is not None
    assert screen.report.first == dt.date(2026, 11, 16)


def test_the_default_range_is_three_whole_months() -> None:
    assert default_range(dt.date(2026, 11, 16)) == (dt.date(2026, 9, 1), dt.date(2026, 11, 30))
    assert default_range(dt.date(2026, 1, 31)) == (dt.date(2025, 11, 1), dt.date(2026, 1, 31))


@pytest.mark.parametrize(
    ("highest", "whole", "marks"),
    [
        (5, True, [0, 1, 2, 3, 4, 5]),
        (17, True, [0, 5, 10, 15, 20]),
        (75.2, False, [0, 20, 40, 60, 80]),
        (0.4, True, [0, 1]),
        (0, True, [0, 1]),
    ],
)
def test_value_marks_are_round_numbers(highest: float, whole: bool, marks: list[float]) -> None:
    assert value_marks(highest, whole=whole) == marks


def test_a_booking_elsewhere_on_the_desk_counts_again(qtbot: QtBot, desk: TestDesk) -> None:
    with desk.database.transaction() as s:
        chair = add_chairs(s, 1)[0]
        patient, protocol = make_patient(s), protocol_id(s, IV_SINGLE)
    screen = ReportsScreen(desk)
    qtbot.addWidget(screen)
    screen.show()
    screen.set_days(dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert screen.report is not None
    assert screen.report.chart(UTILISATION).series[0].values == (0.0,)
    booked = desk.act(
        lambda s: book_single(
            s,
            patient_id=patient,
            protocol_id=protocol,
            starts_at=at(dt.date(2026, 11, 18), 10),
            chair_id=chair,
            actor=desk.actor,
            now=desk.now(),
        )
    )
    assert booked is not None
    assert screen.report.chart(UTILISATION).series[0].values[0] > 0
