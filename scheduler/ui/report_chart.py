"""One chart of the Reports screen: a report's ``Chart`` drawn with pyqtgraph, and its exports.

The panel shows the chart's title, the plot (bars side by side per period, or a line per
series), a legend in the desk's colours under it and the note on how it is counted. The
figure (everything but the buttons) is what *Save picture* writes; *Save CSV* writes the
same numbers the chart draws.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from scheduler.errors import ServiceError
from scheduler.services.reports.charts import Chart, ChartKind
from scheduler.services.reports.export import chart_csv, write_chart_file
from scheduler.ui import csv_files
from scheduler.ui.widgets import note_label, title_label

# The series' colours: the desk's navy, then the calendar's therapy colours, so a chart
# sits beside the rest of the desk. Each differs from its neighbours in hue and lightness.
SERIES_COLOURS = (
    "#2d5d8a", "#e08a2e", "#3aa66a", "#c94f4f", "#8e5bc4", "#5f8f9e", "#9e8b5f", "#3b7dd8",
)  # fmt: skip
INK = "#1d3552"  # axis words, as the desk's titles
RULE = "#9fb0c3"  # axis lines and grid, as the desk's field borders
# Period names along the axis at most this many pixels apart, so they never overlap.
LABEL_SPACING = 64
# Value marks on the vertical axis: about this many, at round numbers.
VALUE_MARKS = 5
# Room above the top mark, so the highest bar never touches the frame.
HEADROOM = 1.04
# And room below zero: the axis drops a mark whose words would cross the plot's edge.
FOOTROOM = 0.05


class ChartPanel(QFrame):
    """A framed chart with *Save CSV…* and *Save picture…*; ``show_chart`` fills it."""

    def __init__(self, plot_height: int = 220, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart: Chart | None = None
        self.span = ""  # the report's days, for file names: "2026-09-01-to-2026-11-30"
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = title_label("", section=True)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setFixedHeight(plot_height)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        item.showGrid(x=False, y=True, alpha=0.25)
        font = QFont()
        font.setPointSize(9)
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(RULE))
            axis.setTextPen(pg.mkPen(INK))
            # Marks at the ends of the range are kept: the top one names the scale.
            axis.setStyle(tickFont=font, hideOverlappingLabels=False)
        self.nothing = QLabel()
        self.nothing.setObjectName("note")
        self.nothing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drawing = QStackedWidget()
        self.drawing.addWidget(self.plot)
        self.drawing.addWidget(self.nothing)
        self.drawing.setFixedHeight(plot_height)  # an empty chart keeps the panel's size
        self.legend = QLabel()
        self.legend.setObjectName("chart_legend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.note = note_label()

        self.figure = QWidget()  # what the picture shows: not the buttons
        self.figure.setObjectName("chart_figure")
        self.figure.setAutoFillBackground(True)
        figure = QVBoxLayout(self.figure)
        figure.setContentsMargins(10, 6, 10, 6)
        for widget in (self.title, self.drawing, self.legend, self.note):
            figure.addWidget(widget)

        self.csv_button = QPushButton("Save CS&V…")
        self.csv_button.setToolTip("The chart's numbers as a spreadsheet file (CSV)")
        self.csv_button.clicked.connect(self.export_csv)
        self.png_button = QPushButton("Save pict&ure…")
        self.png_button.setToolTip("The chart as a picture (PNG)")
        self.png_button.clicked.connect(self.export_png)
        self.saved = note_label()
        buttons = QHBoxLayout()
        buttons.setContentsMargins(10, 0, 10, 8)
        buttons.addWidget(self.saved, 1)
        buttons.addWidget(self.csv_button)
        buttons.addWidget(self.png_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.figure, 1)
        layout.addLayout(buttons)

    # -- drawing ---------------------------------------------------------------------------

    def show_chart(self, chart: Chart, span: str, nothing: str) -> None:
        """Draw ``chart``; ``nothing`` is said instead of an empty plot when it has no numbers."""
        self.chart = chart
        self.span = span
        self.title.setText(chart.title)
        self.note.setText(chart.note)
        self.note.setVisible(bool(chart.note))
        self.saved.clear()
        item = self.plot.getPlotItem()
        item.clear()
        if chart.is_empty:
            self.nothing.setText(nothing)
            self.drawing.setCurrentWidget(self.nothing)
            self.legend.clear()
            return
        self.drawing.setCurrentWidget(self.plot)
        for number in range(len(chart.series)):
            item.addItem(_drawn(chart, number, SERIES_COLOURS[number % len(SERIES_COLOURS)]))
        self.legend.setText(_legend(chart))
        self._axes()

    def _axes(self) -> None:
        chart = self.chart
        assert chart is not None
        item = self.plot.getPlotItem()
        count = len(chart.starts)
        item.setLabel("bottom", chart.unit.heading, color=INK)
        item.setLabel("left", chart.value_label, color=INK)
        width = max(self.plot.width(), 400)
        step = max(1, math.ceil(count * LABEL_SPACING / width))
        labels = chart.labels
        item.getAxis("bottom").setTicks([[(n, labels[n]) for n in range(0, count, step)], []])
        values = [v for s in chart.series for v in s.values]
        marks = value_marks(max(values), whole=all(float(v).is_integer() for v in values))
        item.getAxis("left").setTicks([[(m, _mark(m)) for m in marks], []])
        item.setXRange(-0.6, count - 0.4, padding=0)
        item.setYRange(-marks[-1] * FOOTROOM, marks[-1] * HEADROOM, padding=0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.chart is not None and not self.chart.is_empty:
            self._axes()  # fewer or more period names fit

    # -- exports ---------------------------------------------------------------------------

    def export_csv(self) -> Path | None:
        """Save the chart's numbers as CSV where the user chooses."""
        if self.chart is None:
            return None
        return self._save("Save the chart's numbers", ".csv", "CSV (*.csv)", chart_csv(self.chart))

    def export_png(self) -> Path | None:
        """Save the chart (title, plot, legend and note) as a PNG picture."""
        if self.chart is None:
            return None
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.figure.grab().save(buffer, "PNG")
        buffer.close()
        return self._save("Save the chart as a picture", ".png", "PNG (*.png)", bytes(data.data()))

    def _save(self, title: str, suffix: str, kind: str, data: bytes) -> Path | None:
        assert self.chart is not None
        suggested = f"{self.chart.key}-{self.span}{suffix}"
        chosen = csv_files.ask_save_path(self, suggested, title, kind)
        if chosen is None:
            return None
        path = Path(chosen if chosen.lower().endswith(suffix) else f"{chosen}{suffix}")
        try:
            written = write_chart_file(path, data)
        except ServiceError as exc:
            self.saved.setText(str(exc))
            return None
        self.saved.setText(f"Saved {written.name}.")
        return written


def _drawn(chart: Chart, number: int, colour: str) -> object:
    """The plot item of the chart's series ``number``: its bars or its line."""
    series = chart.series[number]
    periods = range(len(chart.starts))
    if chart.kind is ChartKind.LINES:
        return pg.PlotDataItem(
            list(periods),
            list(series.values),
            pen=pg.mkPen(colour, width=2),
            symbol="o",
            symbolSize=6,
            symbolBrush=colour,
            symbolPen=pg.mkPen(colour),
            name=series.name,
        )
    share = 0.8 / len(chart.series)  # the bars of one period fill 80% of its width
    return pg.BarGraphItem(
        x=[n - 0.4 + share * (number + 0.5) for n in periods],
        height=list(series.values),
        width=share * 0.9,
        brush=colour,
        pen=pg.mkPen(colour),
        name=series.name,
    )


def _legend(chart: Chart) -> str:
    """The series' names, each after a square of its colour, on as many lines as they need."""
    entries = [
        f'<span style="color:{SERIES_COLOURS[n % len(SERIES_COLOURS)]}">&#9632;</span>'
        f"&nbsp;{html.escape(series.name)}"
        for n, series in enumerate(chart.series)
    ]
    return "&nbsp;&nbsp;&nbsp; ".join(entries)


def value_marks(highest: float, *, whole: bool = True) -> Sequence[float]:
    """Round-number marks from 0 to at least ``highest``: 0, 5, 10… or 0, 20, 40…

    Counts (``whole``) are marked at whole numbers only.
    """
    if highest <= 0:
        return [0.0, 1.0]
    rough = highest / VALUE_MARKS
    power = 10 ** math.floor(math.log10(rough))
    step = next(power * f for f in (1, 2, 2.5, 5, 10) if power * f >= rough)
    if whole:
        step = max(1.0, math.ceil(step))
    top = math.ceil(highest / step) * step
    return [round(step * n, 6) for n in range(round(top / step) + 1)]


def _mark(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
