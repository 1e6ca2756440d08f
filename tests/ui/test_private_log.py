"""The desk's log after a database error: where it happened, never whose data was involved."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.exc import IntegrityError

from scheduler.domain.patients import PatientDetails
from scheduler.services.patients import create_patient, update_patient
from scheduler.store import Database
from scheduler.ui import app as app_module
from tests.conftest import ACTOR, NOW
from tests.raw_sql import raw
from tests.ui.conftest import TestDesk

MARKER = "MARKER-9c1e"
DETAILS = PatientDetails(
    first_name=f"Ada {MARKER}",
    last_name=f"Lovelace {MARKER}",
    date_of_birth=dt.date(1970, 3, 4),
    mobile_phone="555 0100",
    indications=f"suicidal ideation, on lithium {MARKER}",
    notes=f"{MARKER} notes",
)


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The desk's real log file, as ``set_up_logging`` makes it, removed after the test."""
    path = app_module.set_up_logging(tmp_path / "log" / "desk.log")
    assert path is not None
    root = logging.getLogger()
    yield path
    for handler in list(root.handlers):
        if getattr(handler, "baseFilename", None) == str(path):
            root.removeHandler(handler)
            handler.close()


# The driver's own error class, as the log names it.
DRIVER_ERROR = {"sqlite": "sqlite3.IntegrityError", "postgresql": "psycopg.errors.CheckViolation"}
FAULT_TRIGGER = {
    "sqlite": [
        "CREATE TRIGGER fault BEFORE UPDATE ON patients "
        "BEGIN SELECT RAISE(ABORT, 'simulated fault'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RAISE EXCEPTION 'simulated fault' USING ERRCODE = 'check_violation'; END $$",
        "CREATE TRIGGER fault BEFORE UPDATE ON patients FOR EACH ROW EXECUTE FUNCTION fault()",
    ],
}


def failing_patient(db: Database, db_path: Path) -> int:
    """A patient whose every update fails inside the database, as a full disk would."""
    with db.transaction() as s:
        patient_id = create_patient(s, DETAILS, actor=ACTOR, now=NOW).id
    for statement in FAULT_TRIGGER[db.engine.dialect.name]:
        raw(db_path, statement)
    return patient_id


def test_a_database_error_in_a_desk_action_is_logged_without_patient_data(
    desk: TestDesk,
    db: Database,
    db_path: Path,
    log_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    patient_id = failing_patient(db, db_path)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[2]))
    changed = dataclasses.replace(DETAILS, notes=f"{MARKER} changed notes")
    result = desk.act(lambda s: update_patient(s, patient_id, changed, actor=ACTOR, now=NOW))
    assert result is None
    assert "nothing was saved" in shown[0]
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "unexpected error in a desk action" in text
    assert "sqlalchemy.exc.IntegrityError" in text
    assert "SQL: UPDATE patients SET" in text
    driver_error = DRIVER_ERROR[db.engine.dialect.name]
    assert f"{driver_error}: (message left out: it may hold patient data)" in text
    assert MARKER not in text
    assert "lithium" not in text
    assert MARKER not in shown[0]


def test_an_uncaught_database_error_is_logged_without_patient_data(
    db: Database, db_path: Path, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient_id = failing_patient(db, db_path)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    shown: list[str] = []
    hook = app_module.install_excepthook(log_file, show=shown.append)
    changed = dataclasses.replace(DETAILS, indications=f"{MARKER} on lithium")
    try:
        with db.transaction() as s:
            update_patient(s, patient_id, changed, actor=ACTOR, now=NOW)
    except IntegrityError as exc:
        hook(type(exc), exc, exc.__traceback__)
    assert shown
    text = log_file.read_text(encoding="utf-8")
    assert "uncaught exception" in text
    assert "Traceback (most recent call last):" in text
    assert "update_patient" in text
    assert MARKER not in text
    assert "lithium" not in text
