"""The Reports screen: the clinic's numbers as charts over the days the user picks.

Chair utilisation across the top, then no-shows and late cancellations beside inductions,
then boosters due beside letters printed and emailed. Each chart saves its numbers as CSV and itself
as a picture. Counts only: no patient is named, so every role may look.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from scheduler.domain.when import date_span
from scheduler.errors import ServiceError
from scheduler.services.changes import Change
from scheduler.services.reports.figures import (
    BOOSTERS,
    INDUCTIONS,
    LETTERS,
    NO_SHOWS,
    UTILISATION,
    ClinicReport,
    clinic_report,
)
from scheduler.ui.desk import Desk
from scheduler.ui.qt_dates import from_qdate, show_us_style, to_qdate
from scheduler.ui.report_chart import ChartPanel
from scheduler.ui.widgets import RefreshedWhenShown, note_label, problem_label, title_label

SHOWS = Change.SESSIONS | Change.LETTERS | Change.CLOSURES | Change.SETTINGS
# Where each chart sits: (row, column, columns spanned).
PLACES = {
    UTILISATION: (0, 0, 2),
    NO_SHOWS: (1, 0, 1),
    INDUCTIONS: (1, 1, 1),
    BOOSTERS: (2, 0, 1),
    LETTERS: (2, 1, 1),
}
# What an empty chart says instead, before the days it covers.
NOTHING = {
    UTILISATION: "No chair or room was booked",
    NO_SHOWS: "No no-shows or late cancellations",
    INDUCTIONS: "No induction course started or finished",
    BOOSTERS: "No booster falls due with nothing booked",
    LETTERS: "No letters were printed or emailed",
}


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The two months before this one and this month, to its end: three whole months."""
    first = today.replace(day=1) - relativedelta(months=2)
    last = today.replace(day=1) + relativedelta(months=1, days=-1)
    return first, last


class ReportsScreen(RefreshedWhenShown):
    """The charts, and the first and last day they cover."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.report: ClinicReport | None = None
        first, last = default_range(desk.today())
        self.first_day = self._date_field(first, "The first day the charts count")
        self.last_day = self._date_field(last, "The last day the charts count")
        self.problem = problem_label()
        self.panels = {key: ChartPanel(260 if key == UTILISATION else 200) for key in PLACES}
        for key, panel in self.panels.items():
            panel.setObjectName(f"{key}_chart")

        days = QHBoxLayout()
        days.addWidget(title_label("Reports"))
        days.addStretch(1)
        from_label = QLabel("&From")
        from_label.setBuddy(self.first_day)
        for widget in (from_label, self.first_day, QLabel("to"), self.last_day):
            days.addWidget(widget)
        grid = QGridLayout()
        grid.setSpacing(12)
        for key, (row, column, span) in PLACES.items():
            grid.addWidget(self.panels[key], row, column, 1, span)
        grid.setRowStretch(len(PLACES), 1)  # spare height below the charts, not inside them
        charts = QWidget()
        charts.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(charts)
        layout = QVBoxLayout(self)
        layout.addLayout(days)
        layout.addWidget(self.problem)
        layout.addWidget(
            note_label(
                "Counted in the clinic's time zone; weeks start on Monday. No patient is named."
            )
        )
        layout.addWidget(scroll, 1)

        self.first_day.dateChanged.connect(self.refresh)
        self.last_day.dateChanged.connect(self.refresh)
        desk.follow(SHOWS, self.data_changed, self)
        self.refresh()

    def _date_field(self, day: dt.date, tip: str) -> QDateEdit:
        field = QDateEdit()
        show_us_style(field)
        field.setCalendarPopup(True)
        field.setDate(to_qdate(day))
        field.setToolTip(tip)
        return field

    def days(self) -> tuple[dt.date, dt.date]:
        return from_qdate(self.first_day.date()), from_qdate(self.last_day.date())

    def set_days(self, first: dt.date, last: dt.date) -> None:
        """Show the charts from ``first`` to ``last`` (one reload, not one per field)."""
        for field, day in ((self.first_day, first), (self.last_day, last)):
            field.blockSignals(True)
            field.setDate(to_qdate(day))
            field.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """Count again for the days shown; a range the service refuses is said in red."""
        self._stale = False
        first, last = self.days()
        desk = self.desk
        try:
            self.report = desk.read(
                lambda db: clinic_report(db, first, last, actor=desk.actor, today=desk.today())
            )
        except ServiceError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
            return
        self.problem.hide()
        span = f"{first.isoformat()}-to-{last.isoformat()}"
        days = date_span(first, last)
        for chart in self.report.charts:
            self.panels[chart.key].show_chart(chart, span, f"{NOTHING[chart.key]} from {days}.")

    def panel(self, key: str) -> ChartPanel:
        return self.panels[key]
