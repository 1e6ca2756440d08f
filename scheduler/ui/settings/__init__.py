"""Settings (administrators): one module per tab, a shared list editor, and the screen."""

from scheduler.ui.settings.screen import SettingsScreen

__all__ = ["SettingsScreen"]
