"""The calendar: the screen, the loading of its days and the painted time grid it shows."""

from scheduler.ui.calendar.screen import CalendarScreen

__all__ = ["CalendarScreen"]
