"""Reading the audit trail: filters, pages newest first, and the view exported as CSV."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import stat
from pathlib import Path

import pytest

from scheduler.errors import ServiceError
from scheduler.services import audit
from scheduler.services.audit_view import (
    AuditFilter,
    audit_choices,
    audit_page,
    changes_text,
    export_audit_csv,
)
from scheduler.services.patients import details_of, get_patient, update_patient
from scheduler.store import Database
from tests.conftest import ACTOR, NOW
from tests.factories import NURSE_AMY, make_patient

LATER = NOW + dt.timedelta(days=3)


@pytest.fixture
def trail(db: Database) -> tuple[Database, int, int]:
    """Two patients; Zoë's phone changed three days later by the nurse."""
    with db.transaction() as s:
        zoe = make_patient(s, first_name="Zoë", last_name="Łukasiewicz-Núñez", now=NOW)
        other = make_patient(s, first_name="Sam", last_name="Other", now=NOW)
    with db.transaction() as s:
        details = dataclasses.replace(details_of(get_patient(s, zoe)), mobile_phone="555 0199")
        update_patient(s, zoe, details, actor=NURSE_AMY, now=LATER)
    return db, zoe, other


def test_the_newest_entry_comes_first_with_its_patient_and_changes(
    trail: tuple[Database, int, int],
) -> None:
    db, zoe, _other = trail
    with db.reading() as s:
        page = audit_page(s, ACTOR, AuditFilter())
    newest = page.entries[0]
    assert (newest.action, newest.actor, newest.patient_id) == ("patient.update", "nurse amy", zoe)
    assert newest.patient_name == "Zoë Łukasiewicz-Núñez"
    # Only the field staff changed: the search words kept beside it are not a change of theirs.
    assert newest.changes == "mobile_phone: — → 555 0199"
    assert [e.entry_id for e in page.entries] == sorted(
        (e.entry_id for e in page.entries), reverse=True
    )
    assert not page.more


def test_filters_narrow_by_who_patient_action_and_clinic_days(
    trail: tuple[Database, int, int],
) -> None:
    db, zoe, other = trail
    with db.reading() as s:
        by_nurse = audit_page(s, ACTOR, AuditFilter(actor="nurse amy")).entries
        by_patient = audit_page(s, ACTOR, AuditFilter(patient="nunez")).entries
        by_chart = audit_page(s, ACTOR, AuditFilter(patient=by_patient[0].chart_number)).entries
        creations = audit_page(s, ACTOR, AuditFilter(action="patient.create")).entries
        later_days = audit_page(s, ACTOR, AuditFilter(first_day=LATER.date())).entries
        first_day = audit_page(s, ACTOR, AuditFilter(last_day=NOW.date())).entries
        choices = audit_choices(s, ACTOR)
    assert [e.action for e in by_nurse] == ["patient.update"]
    assert {e.patient_id for e in by_patient} == {zoe}
    assert [e.action for e in by_patient] == ["patient.update", "patient.create"]
    assert by_chart == by_patient
    assert [e.patient_id for e in creations] == [other, zoe]
    assert [e.action for e in later_days] == ["patient.update"]
    assert "patient.update" not in [e.action for e in first_day]
    assert "nurse amy" in choices.actors
    assert "patient.create" in choices.actions


def test_pages_continue_below_the_last_entry_shown(trail: tuple[Database, int, int]) -> None:
    db, _zoe, _other = trail
    with db.reading() as s:
        everything = audit_page(s, ACTOR, AuditFilter()).entries
        first = audit_page(s, ACTOR, AuditFilter(), size=2)
        second = audit_page(s, ACTOR, AuditFilter(), older_than=first.last_id, size=2)
    assert first.more
    assert first.entries + second.entries == everything[:4]


def test_the_view_exports_as_a_private_csv(
    trail: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, _zoe, _other = trail
    previous = os.umask(0o022)
    try:
        path = tmp_path / "audit.csv"
        with db.reading() as s:
            written = export_audit_csv(s, ACTOR, AuditFilter(patient="zoe"), path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0][:5] == ["Entry", "When", "Who", "Signed by", "Action"]
    assert written == len(rows) - 1 == 2
    assert rows[1][2:7] == ["nurse amy", "", "patient.update", "Zoë Łukasiewicz-Núñez", rows[2][6]]
    assert rows[1][1] == "2026-11-19T09:00:00-05:00"  # on the clinic's clock


def test_an_unwritable_export_names_the_problem(
    trail: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, _zoe, _other = trail
    with db.reading() as s, pytest.raises(ServiceError, match="Cannot write the audit export"):
        export_audit_csv(s, ACTOR, AuditFilter(), tmp_path / "missing" / "audit.csv")


def test_changes_name_each_field_that_changed() -> None:
    assert changes_text(None, {"a": 1}) == "created"
    assert changes_text({"a": 1}, None) == "removed"
    assert changes_text({"a": "x", "b": 2}, {"a": "y", "b": 2}) == "a: x → y"


def test_only_those_who_may_read_the_trail_see_it(trail: tuple[Database, int, int]) -> None:
    db, _zoe, _other = trail
    with db.reading() as s, pytest.raises(ServiceError, match=r"Amy Lee \(Nurse\) may not"):
        audit_page(s, NURSE_AMY, AuditFilter())


def test_a_signed_decision_names_the_person_at_the_desk_and_the_signer(
    trail: tuple[Database, int, int],
) -> None:
    db, zoe, _other = trail
    with db.transaction() as s:
        patient = get_patient(s, zoe)
        audit.record(
            s, actor="tom", now=LATER, action="screening.clear", row=patient, before=None,
            reason="Reviewed the BP log", signed_by="helen",
        )  # fmt: skip
    with db.reading() as s:
        newest = audit_page(s, ACTOR, AuditFilter()).entries[0]
    assert (newest.actor, newest.signed_by) == ("tom", "helen")
    assert newest.who == "tom, signed by helen"
