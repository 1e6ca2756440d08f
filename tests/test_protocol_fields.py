"""The protocol's fields are declared once (``ProtocolFields``) and kept whole on every path."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from scheduler.domain import catalogue
from scheduler.domain.catalogue import ProtocolFields
from scheduler.domain.enums import Phase
from scheduler.services import settings as svc
from scheduler.store import Database
from scheduler.store.models import Protocol, Therapy
from tests.conftest import ACTOR, NOW


def test_every_protocol_field_is_a_column_of_the_protocols_table() -> None:
    columns = set(Protocol.__table__.columns.keys())
    assert {f.name for f in dataclasses.fields(ProtocolFields)} <= columns


def test_the_clinic_starts_with_each_default_protocol_as_declared(db: Database) -> None:
    with db.reading() as s:
        codes = {t.id: t.code for t in s.scalars(select(Therapy))}
        saved = {p.name: p for p in s.scalars(select(Protocol))}
        for default in catalogue.PROTOCOLS:
            row = saved[default.name]
            assert codes[row.therapy_id] == default.therapy_code
            assert row.field_values() == {
                f.name: getattr(default, f.name) for f in dataclasses.fields(ProtocolFields)
            }


def test_a_protocol_saved_from_settings_reads_back_as_edited(db: Database) -> None:
    with db.reading() as s:
        therapy_id = svc.list_therapies(s)[0].therapy_id
    edit = svc.ProtocolEdit(
        "  Monthly booster ", Phase.MAINTENANCE, 2, therapy_id=therapy_id, min_gap_days=20,
        max_gap_days=40, max_span_days=60, preferred_weekdays=(4, 1, 4),
        maintenance_interval_days=30, active=False,
    )  # fmt: skip
    with db.transaction() as s:
        protocol_id = svc.save_protocol(s, None, edit, actor=ACTOR, now=NOW).protocol_id
    with db.reading() as s:
        protocol = s.get(Protocol, protocol_id)
        assert protocol is not None
        assert protocol.preferred_weekdays == "1,4"  # as the database keeps them
        (again,) = [p.edit for p in svc.list_protocols(s) if p.protocol_id == protocol_id]
    assert again == dataclasses.replace(edit, name="Monthly booster", preferred_weekdays=(1, 4))
