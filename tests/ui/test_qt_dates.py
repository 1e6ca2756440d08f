"""Date and time fields write their values as the tables beside them do, in US English."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QLocale, QTime
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QTimeEdit
from pytestqt.qtbot import QtBot

from scheduler.ui.qt_dates import DATE_TIME_FORMAT, TIME_FORMAT, show_us_style, to_qdate


def test_fields_show_us_dates_and_12_hour_times_whatever_the_default_locale(qtbot: QtBot) -> None:
    saved = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    try:
        day, time, both = QDateEdit(), QTimeEdit(), QDateTimeEdit()
        for edit in (day, time, both):
            qtbot.addWidget(edit)
        show_us_style(day)
        show_us_style(time, TIME_FORMAT)
        show_us_style(both, DATE_TIME_FORMAT)
        day.setDate(to_qdate(dt.date(2026, 11, 16)))
        time.setTime(QTime(14, 5))
        both.setDate(to_qdate(dt.date(2026, 11, 17)))
        both.setTime(QTime(9, 30))
    finally:
        QLocale.setDefault(saved)
    assert day.text() == "Mon 11/16/2026"
    assert time.text() == "2:05 PM"
    assert both.text() == "Tue 11/17/2026  9:30 AM"
