"""The desk's log file, kept free of patient data and readable by its owner only.

Exception messages may quote anything: a patient's name in a refusal, a row's values in a
database error on another backend. The log keeps what a developer needs to find the fault
(the exception types, where they were raised, the SQL statement without its parameters) and
leaves every message out.
"""

from __future__ import annotations

import logging
import traceback
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from sqlalchemy.exc import StatementError

from scheduler.private_files import private_file

LEFT_OUT = "(message left out: it may hold patient data)"
STATEMENT_CHARS = 500

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class PrivateLogFile(RotatingFileHandler):
    """A rotating log file whose every generation is created owner-only (0600)."""

    def _open(self) -> TextIOWrapper:
        private_file(Path(self.baseFilename))
        return super()._open()


CAUSED = "\nThe above exception was the direct cause of the following exception:\n\n"
DURING = "\nDuring handling of the above exception, another exception occurred:\n\n"


def _described(error: BaseException) -> str:
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(traceback.extract_tb(error.__traceback__))
    kind = type(error)
    lines.append(f"{kind.__module__}.{kind.__qualname__}: {LEFT_OUT}\n")
    if isinstance(error, StatementError) and error.statement:
        # The statement holds placeholders, never values (the engine hides its parameters).
        lines.append(f"SQL: {error.statement[:STATEMENT_CHARS]}\n")
    return "".join(lines)


def private_traceback(error: BaseException) -> str:
    """A traceback of ``error`` and the errors it came from, without any exception message."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.insert(0, _described(current))
        if current.__cause__ is not None:
            parts.insert(0, CAUSED)
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            parts.insert(0, DURING)
            current = current.__context__
        else:
            current = None
    if parts and parts[0] in (CAUSED, DURING):
        parts.pop(0)
    return "".join(parts).rstrip("\n")


class PrivateFormatter(logging.Formatter):
    """Formats log lines as usual, but exceptions through ``private_traceback``."""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have formatted the record first and left the full traceback,
        # messages included, in ``exc_text``; this one always builds its own.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: ExcInfo) -> str:
        error = ei[1]
        return private_traceback(error) if error is not None else ""
