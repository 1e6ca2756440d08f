"""A row looked up by id: found, or refused in the sentence the desk shows for that action."""

from __future__ import annotations

import pytest

from scheduler.errors import NotFound
from scheduler.services import patients, session_life
from scheduler.services import settings as svc
from scheduler.services.rows import get_or_refuse
from scheduler.store import Database
from scheduler.store.models import Therapy
from tests.conftest import ACTOR, NOW


def test_a_row_that_exists_is_returned(db: Database) -> None:
    with db.reading() as s:
        therapy = svc.list_therapies(s)[0]
        found = get_or_refuse(s, Therapy, therapy.therapy_id, "No therapy with that id.")
        assert (found.id, found.name) == (therapy.therapy_id, therapy.edit.name)


def test_each_action_keeps_its_own_refusal(db: Database) -> None:
    with db.reading() as s:
        with pytest.raises(NotFound, match=r"^No patient with id 9999\.$"):
            patients.get_patient(s, 9999)
        with pytest.raises(NotFound, match=r"^No session with id 9999\.$"):
            session_life.get_session(s, 9999)
    with db.transaction() as s, pytest.raises(NotFound, match=r"^That closure was already"):
        svc.remove_closure(s, 9999, actor=ACTOR, now=NOW)
