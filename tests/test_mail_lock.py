"""Emailing never holds the clinic's write lock while the mail server talks: the front desk
books while a slow server takes the day's letters, and a database busy when the run comes to
record what it sent never makes it send them again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.cli import common
from scheduler.store import Database, database, postgres
from scheduler.store.models import LetterEmail, Patient
from tests.letter_fixtures import PatientSpec, add_patient, add_printing_nurse
from tests.mail_server import Mailbox
from tests.test_mail import _remind, day, smtp

# Fixtures shared with the mail tests: the loopback server in Settings, and the day's patients.
__all__ = ["day", "smtp"]


class Meanwhile:
    """Another workstation: once the server has a message, ``write`` runs on its own thread
    and connection; then the stalled server is let go. Its error, if any, is kept."""

    def __init__(self, box: Mailbox, write: Callable[[], None]) -> None:
        self.error: BaseException | None = None
        self.done_at: float | None = None
        box.hold()

        def other_workstation() -> None:
            try:
                if box.arrived.wait(30):
                    write()
            except BaseException as exc:  # kept for the test to report
                self.error = exc
            finally:
                box.release()

        self.thread = threading.Thread(target=other_workstation, daemon=True)
        self.thread.start()

    def join(self) -> None:
        self.thread.join(60)
        assert not self.thread.is_alive()


def book_a_new_patient(db: Database) -> Callable[[], None]:
    """The front desk's write: a new patient saved (in its own transaction)."""

    def write() -> None:
        with db.transaction() as s:
            add_patient(s, PatientSpec("Ava", "Reyes"))

    return write


def test_the_front_desk_can_write_while_remind_waits_for_the_mail_server(
    db: Database, db_path: Path, tmp_path: Path, smtp: tuple[Mailbox, int],
    day: dict[str, int],
) -> None:  # fmt: skip
    box, _port = smtp
    password = add_printing_nurse(db, db_path, tmp_path)
    meanwhile = Meanwhile(box, book_a_new_patient(db))
    assert _remind(db_path, password) == 0
    meanwhile.join()
    assert meanwhile.error is None, f"the other workstation could not write: {meanwhile.error}"
    assert len(box.received) == 2
    with db.reading() as s:
        assert s.scalars(select(Patient).where(Patient.first_name == "Ava")).one()
        assert len(s.scalars(select(LetterEmail)).all()) == 2


def test_a_database_busy_when_recording_never_sends_the_letters_twice(
    db: Database, db_path: Path, tmp_path: Path, smtp: tuple[Mailbox, int],
    day: dict[str, int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    box, _port = smtp
    password = add_printing_nurse(db, db_path, tmp_path)
    # Short waits for the lock, so that every attempt to record finds it taken.
    monkeypatch.setattr(common, "LOCK_ATTEMPTS", 2)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(postgres, "LOCK_TIMEOUT", "200ms")
    box.hold()
    codes: list[int] = []
    run = threading.Thread(target=lambda: codes.append(_remind(db_path, password)), daemon=True)
    run.start()
    try:
        assert box.arrived.wait(30)
        # Another workstation saves, and holds the lock until remind has given up recording.
        with db.transaction() as s:
            add_patient(s, PatientSpec("Ava", "Reyes"))
            box.release()
            run.join(60)
    finally:
        box.release()
        run.join(60)
    assert codes == [2]
    assert [rcpt for rcpt, _ in box.received] == [["dana@example.org"], ["zoe@example.org"]]
    err = capsys.readouterr().err
    assert err.endswith(
        "error: The letters were emailed (2 sent, 0 failed) but could not be recorded: the "
        "database stayed busy on another workstation. Do not send them again.\n"
    )
    with db.reading() as s:
        assert s.scalars(select(LetterEmail)).all() == []
