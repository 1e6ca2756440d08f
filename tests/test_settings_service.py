"""Settings edits: clinic details, hours, closures, chairs, staff, therapies, protocols."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from scheduler.domain.enums import ChairKind, Phase, StaffRole
from scheduler.errors import NotFound, ValidationFailed
from scheduler.services import settings as svc
from scheduler.services.clinic import get_settings
from scheduler.store import Database
from scheduler.store.models import AuditEntry, Protocol, Therapy
from tests.conftest import ACTOR, NOW

KW: dict[str, Any] = {"actor": ACTOR, "now": NOW}


def fields_of(exc: ValidationFailed) -> set[str]:
    return {p.field for p in exc.problems}


def test_clinic_details_saved_and_audited(db: Database, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), "navy").save(logo)  # Settings accept only a real picture
    with db.reading() as s:
        details = svc.clinic_details(s)
    details.name = "  Lakeside Infusions "
    details.timezone = "Europe/London"
    details.paper_size = "A4"
    details.logo_path = str(logo)
    with db.transaction() as s:
        svc.update_clinic_details(s, details, **KW)
    with db.reading() as s:
        saved = get_settings(s)
        assert (saved.name, saved.timezone, saved.paper_size) == (
            "Lakeside Infusions",
            "Europe/London",
            "A4",
        )
        assert saved.logo_path == str(logo)
        assert s.scalar(select(func.count()).where(AuditEntry.action == "clinic.update")) == 1


def test_clinic_details_problems_named_per_field(db: Database, tmp_path: Path) -> None:
    details = svc.ClinicDetails(
        name=" ",
        timezone="Mars/Olympus",
        paper_size="A3",
        logo_path=str(tmp_path / "missing.png"),
        letter_template_dir=str(tmp_path / "nowhere"),
    )
    with db.transaction() as s, pytest.raises(ValidationFailed) as caught:
        svc.update_clinic_details(s, details, **KW)
    assert fields_of(caught.value) == {
        "name",
        "timezone",
        "paper_size",
        "logo_path",
        "letter_template_dir",
    }


def test_opening_hours_replace_the_week(db: Database) -> None:
    hours: dict[int, tuple[dt.time, dt.time] | None] = {
        d: (dt.time(7, 30), dt.time(19, 0)) for d in range(5)
    }
    hours[5] = None
    with db.transaction() as s:
        svc.set_opening_hours(s, hours, **KW)
    with db.reading() as s:
        saved = svc.opening_hours(s)
    assert saved[0] == (dt.time(7, 30), dt.time(19, 0))
    assert saved[5] is None
    assert saved[6] is None


def test_opening_hours_must_open_before_closing(db: Database) -> None:
    with db.transaction() as s, pytest.raises(ValidationFailed, match="Tuesday"):
        svc.set_opening_hours(s, {1: (dt.time(18), dt.time(8))}, **KW)


def test_closures_added_once_and_removed(db: Database) -> None:
    day = dt.date(2026, 12, 25)
    with db.transaction() as s:
        closure_id = svc.add_closure(s, day, "Christmas", **KW).closure_id
    with db.transaction() as s, pytest.raises(ValidationFailed, match="already closed"):
        svc.add_closure(s, day, "again", **KW)
    with db.transaction() as s:
        svc.remove_closure(s, closure_id, **KW)
    with db.reading() as s:
        assert svc.list_closures(s) == []
    with db.transaction() as s, pytest.raises(NotFound):
        svc.remove_closure(s, closure_id, **KW)


def test_chairs_named_uniquely(db: Database) -> None:
    with db.transaction() as s:
        chair_id = svc.save_chair(s, None, svc.ChairEdit("Chair 1", sort_order=1), **KW).chair_id
        svc.save_chair(s, None, svc.ChairEdit("Room A", ChairKind.ROOM, sort_order=2), **KW)
    with db.transaction() as s, pytest.raises(ValidationFailed, match="already a chair"):
        svc.save_chair(s, None, svc.ChairEdit("chair 1"), **KW)
    with db.transaction() as s:
        svc.save_chair(s, chair_id, svc.ChairEdit("Chair 1", active=False, sort_order=3), **KW)
    with db.reading() as s:
        chairs = [(c.edit.name, c.edit.active) for c in svc.list_chairs(s)]
    assert chairs == [("Room A", True), ("Chair 1", False)]


CLINICIAN = frozenset({StaffRole.CLINICIAN})


def test_staff_added_and_edited(db: Database) -> None:
    with db.transaction() as s:
        staff_id = svc.save_staff(s, None, svc.StaffEdit("Dr Ng", CLINICIAN), **KW).staff_id
        svc.save_staff(s, staff_id, svc.StaffEdit("Dr Ada Ng", CLINICIAN), **KW)
    with db.reading() as s:
        assert [m.edit.name for m in svc.list_staff(s, now=NOW)] == ["Dr Ada Ng"]
    with db.transaction() as s, pytest.raises(ValidationFailed) as caught:
        svc.save_staff(s, None, svc.StaffEdit("", frozenset()), **KW)
    assert fields_of(caught.value) == {"name", "roles"}


@pytest.mark.parametrize(("count", "ok"), [(5, False), (6, True), (8, True), (9, False)])
def test_induction_protocol_has_six_to_eight_sessions(db: Database, count: int, ok: bool) -> None:
    with db.reading() as s:
        protocol = next(p for p in svc.list_protocols(s) if p.edit.phase == Phase.INDUCTION.value)
        protocol_id, edit = protocol.protocol_id, protocol.edit
    edit.session_count = count
    if ok:
        with db.transaction() as s:
            svc.save_protocol(s, protocol_id, edit, **KW)
        with db.reading() as s:
            assert s.get(Protocol, protocol_id).session_count == count  # type: ignore[union-attr]
    else:
        with db.transaction() as s, pytest.raises(ValidationFailed) as caught:
            svc.save_protocol(s, protocol_id, edit, **KW)
        assert fields_of(caught.value) == {"session_count"}


def test_new_protocol_needs_unique_name_and_sane_gaps(db: Database) -> None:
    with db.reading() as s:
        therapy_id = svc.list_therapies(s)[0].therapy_id
    edit = svc.ProtocolEdit(
        "IV ketamine induction", Phase.MAINTENANCE, 3, therapy_id=therapy_id, min_gap_days=10,
        max_gap_days=5,
    )  # fmt: skip
    with db.transaction() as s, pytest.raises(ValidationFailed) as caught:
        svc.save_protocol(s, None, edit, **KW)
    assert fields_of(caught.value) == {"name", "max_gap_days"}
    edit.name, edit.max_gap_days, edit.preferred_weekdays = "Monthly booster", None, (3, 1)
    with db.transaction() as s:
        saved = svc.save_protocol(s, None, edit, **KW)
        assert saved.edit.preferred_weekdays == (1, 3)
        stored = s.get(Protocol, saved.protocol_id)
        assert stored is not None
        assert stored.preferred_weekdays == "1,3"


def test_therapy_edit_validated_and_saved(db: Database) -> None:
    with db.reading() as s:
        therapy = svc.list_therapies(s)[0]
        therapy_id, edit = therapy.therapy_id, therapy.edit
    edit.observation_minutes = 60
    edit.colour = "#123456"
    with db.transaction() as s:
        saved = svc.save_therapy(s, therapy_id, edit, **KW)
        assert (saved.edit.observation_minutes, saved.edit.colour) == (60, "#123456")
        stored = s.get(Therapy, therapy_id)
        assert stored is not None
        assert (stored.observation_minutes, stored.colour) == (60, "#123456")
    edit.treatment_minutes, edit.colour, edit.places = 0, "blue", "moon"
    with db.transaction() as s, pytest.raises(ValidationFailed) as caught:
        svc.save_therapy(s, therapy_id, edit, **KW)
    assert fields_of(caught.value) == {"treatment_minutes", "colour", "places"}


def test_timezone_names_are_iana() -> None:
    names = svc.timezone_names()
    assert "America/New_York" in names
    assert svc.timezone_problem("Europe/Paris") is None
    assert svc.timezone_problem("Nowhere/Town")
