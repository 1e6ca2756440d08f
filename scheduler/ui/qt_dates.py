"""Clinic dates and times as Qt's date widgets take them.

Spelled out field by field: the toolkit's typed signatures do not all accept Python's date and
datetime, and the desk must not depend on which toolkit version converts them implicitly.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QTime


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def to_qdatetime(moment: dt.datetime, zone: ZoneInfo) -> QDateTime:
    """The instant as the clinic's wall-clock time (what a date-time field shows)."""
    local = moment.astimezone(zone)
    return QDateTime(to_qdate(local.date()), QTime(local.hour, local.minute, local.second))
