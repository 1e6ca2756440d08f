"""Painting never loses references to ``None``: the guard against a toolkit that aborts the desk.

PySide6 6.12.0 on Python 3.11 drops one reference to ``None`` on every QPainter call that
returns nothing. The count falls by hundreds a repaint until CPython aborts the process
(``Fatal Python error: none_dealloc``), taking any unsaved typing with it. These tests paint
every hand-painted surface of the desk a few thousand times and fail, long before the count
could reach zero, as soon as it falls: on a leaking toolkit they are red, not a crash.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QPaintEvent
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from scheduler.store import Database
from scheduler.ui.calendar import CalendarScreen
from scheduler.ui.calendar.grid import TimeGrid
from scheduler.ui.pdf_preview import PdfPreview, print_pdf
from tests.ui.conftest import TestDesk
from tests.ui.paint_clinics import BUSY_CHAIRS, BUSY_STARTS, TODAY, busy_clinic

# Far above what unrelated objects freeing their own references can move the count by, far
# below None's count in a test process (tens of thousands): a leak of ~1 reference per painter
# call crosses it within the first few repaints, long before the process could abort.
ALLOWED_DROP = 300
PAINTS = 2_000
BUSY_PAINTS = 300
PREVIEW_PAINTS = 300
PRINTS = 400  # two pages each: one drawImage a page is the only painter call that returns None


def paint_repeatedly(paint: Callable[[], object], times: int) -> None:
    """Paint ``times`` times; fail as soon as ``None`` has lost references."""
    gc.collect()
    start = sys.getrefcount(None)
    for number in range(1, times + 1):
        paint()
        lost = start - sys.getrefcount(None)
        if lost > ALLOWED_DROP:
            pytest.fail(
                f"After {number} paints Python's None had lost {lost} references: this Qt "
                "binding leaks them and would abort the desk (see the README, 'The toolkit')."
            )
    gc.collect()
    assert start - sys.getrefcount(None) <= ALLOWED_DROP


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = busy_clinic(tmp_path_factory.mktemp("busy"))
    yield database
    database.close()


def two_page_pdf(path: Path) -> bytes:
    """A small PDF with text and shapes on two pages (the preview paints whatever it is given)."""
    canvas = Canvas(str(path), pagesize=LETTER)
    for page in (1, 2):
        canvas.rect(72, 600, 300, 80, fill=0)
        canvas.drawString(90, 640, f"Arrive at 10:30 AM. Page {page}.")
        canvas.showPage()
    canvas.save()
    return path.read_bytes()


@pytest.fixture
def grid_paints(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the time grid's paint events, so a test knows its repaints really painted."""
    painted = [0]
    paint = TimeGrid.paintEvent

    def counted(grid: TimeGrid, event: QPaintEvent) -> None:
        painted[0] += 1
        paint(grid, event)

    monkeypatch.setattr(TimeGrid, "paintEvent", counted)
    return painted


def shown_calendar(qtbot: QtBot, database: Database, mode: str) -> CalendarScreen:
    screen = CalendarScreen(TestDesk(database))
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitExposed(screen)
    if mode == "week":
        screen.show_week(TODAY)
    else:
        screen.show_day(TODAY)
    qtbot.wait(1)  # let the scroll area lay the grid out, or repaint() has nothing to paint
    return screen


def repaint_calendar(
    qtbot: QtBot, database: Database, mode: str, painted: list[int], times: int
) -> CalendarScreen:
    """Show the calendar and repaint its grid ``times`` times, checking each really painted."""
    screen = shown_calendar(qtbot, database, mode)
    painted[0] = 0
    paint_repeatedly(screen.grid.repaint, times)
    assert painted[0] == times
    return screen


@pytest.mark.parametrize("mode", ["day", "week"])
def test_calendar_on_the_demo_clinic_paints_without_losing_none(
    qtbot: QtBot, demo: Database, grid_paints: list[int], mode: str
) -> None:
    screen = repaint_calendar(qtbot, demo, mode, grid_paints, PAINTS)
    assert screen.grid.blocks, "the demo clinic has sessions this week"


def test_week_of_a_40_chair_clinic_paints_without_losing_none(
    qtbot: QtBot, busy: Database, grid_paints: list[int]
) -> None:
    # Each repaint draws 600 sessions, so a few hundred are as telling as thousands elsewhere.
    screen = repaint_calendar(qtbot, busy, "week", grid_paints, BUSY_PAINTS)
    assert len(screen.grid.blocks) == BUSY_CHAIRS * len(BUSY_STARTS) * 5


@pytest.mark.slow
@pytest.mark.soak
@pytest.mark.parametrize("clinic", ["demo", "busy"])
def test_week_view_survives_ten_thousand_repaints(
    qtbot: QtBot, request: pytest.FixtureRequest, grid_paints: list[int], clinic: str
) -> None:
    repaint_calendar(qtbot, request.getfixturevalue(clinic), "week", grid_paints, 10_000)


def test_letter_preview_and_printing_paint_without_losing_none(
    qtbot: QtBot, tmp_path: Path
) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.resize(700, 900)
    preview.show()
    preview.set_pdf(two_page_pdf(tmp_path / "letter.pdf"), "Prep letter")
    assert preview.page_count() == 2
    # The pages are pictures rendered by PDFium; grabbing paints the whole preview through Qt.
    paint_repeatedly(preview.grab, PREVIEW_PAINTS)

    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    paint_repeatedly(lambda: print_pdf(preview.pdf, printer), PRINTS)
