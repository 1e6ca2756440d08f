"""The enum columns: members of the domain's enums in Python, the same plain strings on disk.

The columns were plain strings holding each member's value; typing them as enums must not
change the schema (no migration) nor a single stored string, so that a clinic's existing
database reads back as members and the rows written now read the same in any SQL tool.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Enum, String, inspect, select, text

from scheduler.domain.enums import (
    ChairKind,
    DrivingRule,
    FindingSeverity,
    FindingStatus,
    LetterKind,
    MailSecurity,
    PaperSize,
    Phase,
    Place,
    SeriesStatus,
    SessionStatus,
)
from scheduler.services.booking import book_series
from scheduler.store import Database, open_database
from scheduler.store.models import Base, Letter, LetterEmail, SessionStatusChange, TreatmentSession
from tests.conftest import ACTOR, NOW
from tests.factories import add_finding, propose, set_up_test_clinic
from tests.raw_sql import engine_for, raw

# Every enum column, with its enum and the length of the string column the migrations built.
ENUM_COLUMNS: dict[tuple[str, str], tuple[type[StrEnum], int]] = {
    ("clinic_settings", "paper_size"): (PaperSize, 10),
    ("chairs", "kind"): (ChairKind, 20),
    ("therapies", "driving_rule"): (DrivingRule, 20),
    ("protocols", "phase"): (Phase, 20),
    ("screening_findings", "severity"): (FindingSeverity, 20),
    ("screening_findings", "status"): (FindingStatus, 20),
    ("series", "status"): (SeriesStatus, 20),
    ("sessions", "place"): (Place, 20),
    ("sessions", "status"): (SessionStatus, 20),
    ("session_status_changes", "from_status"): (SessionStatus, 20),
    ("session_status_changes", "to_status"): (SessionStatus, 20),
    ("letters", "kind"): (LetterKind, 20),
    ("letter_emails", "kind"): (LetterKind, 20),
    ("clinic_settings", "smtp_security"): (MailSecurity, 10),
}


def test_every_enum_column_stores_member_values_in_a_plain_string_column() -> None:
    found = {}
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, Enum):
                found[(table.name, column.name)] = column.type
    assert set(found) == set(ENUM_COLUMNS)
    for key, column_type in found.items():
        enum_cls, length = ENUM_COLUMNS[key]
        assert column_type.enum_class is enum_cls, key
        # The values, not the member names ("checked_in", not "CHECKED_IN"; "Letter", not
        # "LETTER"): what the string columns always held.
        assert column_type.enums == [member.value for member in enum_cls], key
        assert column_type.length == length, key
        assert not column_type.native_enum, key
        assert not column_type.create_constraint, key


def test_the_migrated_enum_columns_are_the_strings_the_models_describe(
    db_path: Path | str,
) -> None:
    open_database(str(db_path), now=NOW).close()
    engine = engine_for(db_path)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            for (table, name), (_, length) in ENUM_COLUMNS.items():
                column = next(c for c in inspector.get_columns(table) if c["name"] == name)
                assert isinstance(column["type"], String), (table, name)
                assert not isinstance(column["type"], Enum), (table, name)
                assert column["type"].length == length, (table, name)
                # No CHECK listing the values: only the constraints the models declare.
                checks = {c["name"] for c in inspector.get_check_constraints(table)}
                declared = Base.metadata.tables[table].constraints
                assert checks == {c.name for c in declared if isinstance(c, CheckConstraint)}
            # Alembic finds no type or length to change either: nothing to migrate.
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def _rows_of_every_enum_table(db: Database, db_path: Path | str) -> dict[str, int]:
    """One row id of each table with an enum column, in the set-up test clinic."""
    clinic = set_up_test_clinic(db)
    with db.transaction() as s:
        add_finding(s, clinic.other_patient)
        series = book_series(s, propose(s, clinic), actor=ACTOR, now=NOW)
        session = series.sessions[0]
        s.add(Letter(kind=LetterKind.PREP, patient_id=clinic.patient, generated_at=NOW))
        s.add(LetterEmail(kind=LetterKind.PREP, patient_id=clinic.patient, sent=True, at=NOW))
        s.flush()
        change = s.scalar(
            select(SessionStatusChange.id).where(SessionStatusChange.session_id == session.id)
        )
        assert change is not None
        ids = {"series": series.id, "sessions": session.id, "session_status_changes": change}
    engine = engine_for(db_path)
    try:
        with engine.connect() as conn:
            for table, _ in ENUM_COLUMNS:
                if table not in ids:
                    ids[table] = conn.scalar(text(f"SELECT min(id) FROM {table}"))
    finally:
        engine.dispose()
    # The induction protocol: any phase keeps its count within the induction rule.
    ids["protocols"] = clinic.iv
    return ids


def _mapped_class(table: str) -> type[Base]:
    return next(
        m.class_ for m in Base.registry.mappers if getattr(m.class_, "__tablename__", "") == table
    )


@pytest.mark.parametrize(("table", "column"), list(ENUM_COLUMNS))
def test_stored_strings_read_back_as_members_and_members_are_stored_as_before(
    db: Database, db_path: Path | str, table: str, column: str
) -> None:
    enum_cls, _ = ENUM_COLUMNS[(table, column)]
    row_id = _rows_of_every_enum_table(db, db_path)[table]
    cls = _mapped_class(table)
    for member in enum_cls:
        # Written as the desk wrote it before the columns were typed: the value as a string.
        raw(db_path, f"UPDATE {table} SET {column} = ? WHERE id = ?", member.value, row_id)
        with db.reading() as s:
            assert getattr(s.get(cls, row_id), column) is member
        # Written through the model now: the very same string on disk.
        other = next(m for m in enum_cls if m is not member) if len(enum_cls) > 1 else member
        with db.transaction() as s:
            setattr(s.get(cls, row_id), column, other)
        engine = engine_for(db_path)
        try:
            with engine.connect() as conn:
                stored = conn.scalar(text(f"SELECT {column} FROM {table} WHERE id = {row_id}"))
        finally:
            engine.dispose()
        assert stored == other.value


def test_a_status_change_without_a_previous_status_reads_back_as_none(db: Database) -> None:
    clinic = set_up_test_clinic(db)
    with db.transaction() as s:
        session = book_series(s, propose(s, clinic), actor=ACTOR, now=NOW).sessions[0]
        session_id = session.id
    with db.reading() as s:
        first = s.scalars(
            select(SessionStatusChange)
            .where(SessionStatusChange.session_id == session_id)
            .order_by(SessionStatusChange.id)
        ).first()
        assert first is not None
        assert first.from_status is None
        assert first.to_status is SessionStatus.BOOKED
        booked = s.get(TreatmentSession, session_id)
        assert booked is not None
        assert booked.status is SessionStatus.BOOKED
