"""Clinic dates and times as Qt's date widgets take and show them.

Spelled out field by field: the toolkit's typed signatures do not all accept Python's date and
datetime, and the desk must not depend on which toolkit version converts them implicitly.
Date fields show the US style of ``scheduler.domain.when`` in US English whatever the
machine's locale, so a field and the table beside it write a day the same way.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime
from PySide6.QtWidgets import QDateTimeEdit

# What a date, time or date-and-time field shows: "Mon 11/16/2026", "9:30 AM".
DATE_FORMAT = "ddd MM/dd/yyyy"
TIME_FORMAT = "h:mm AP"
DATE_TIME_FORMAT = f"{DATE_FORMAT}  {TIME_FORMAT}"
_US_ENGLISH = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def show_us_style(edit: QDateTimeEdit, display_format: str = DATE_FORMAT) -> None:
    """Make a date or time field write its value the desk's way, in US English."""
    edit.setLocale(_US_ENGLISH)
    edit.setDisplayFormat(display_format)


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> dt.date:
    """The day a date field holds."""
    return dt.date(value.year(), value.month(), value.day())


def to_qdatetime(moment: dt.datetime, zone: ZoneInfo) -> QDateTime:
    """The instant as the clinic's wall-clock time (what a date-time field shows)."""
    local = moment.astimezone(zone)
    return QDateTime(to_qdate(local.date()), QTime(local.hour, local.minute, local.second))
