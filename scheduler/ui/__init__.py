"""The desk: PySide6 windows, dialogs and item models. Talks to services only."""
