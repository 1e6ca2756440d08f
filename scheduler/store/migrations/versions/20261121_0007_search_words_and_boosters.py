"""Patient search words (a B-tree served prefix search), filled for the patients on file, in
place of the phone-digits column; indexes that find each patient's last completed session for
the booster-due list.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 20:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from scheduler.domain.text import digits, search_words

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000


def upgrade() -> None:
    words = op.create_table(
        "patient_search_words",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=6), nullable=False),
        sa.Column(
            "word",
            sa.String(length=100).with_variant(sa.String(100, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name_key", sa.String(length=400), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_search_words_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", "kind", "word", name=op.f("pk_patient_search_words")),
        sqlite_with_rowid=False,
    )
    _fill(words)
    # Built after the rows are in: one sort instead of a B-tree grown row by row.
    op.create_index(
        "ix_patient_search_words_kind_word",
        "patient_search_words",
        ["kind", "word", "name_key", "patient_id", "archived"],
        unique=False,
    )
    op.create_index(
        "ix_sessions_patient_status_time",
        "sessions",
        ["patient_id", "status", "starts_at", "series_id"],
        unique=False,
    )
    op.create_index(
        "ix_sessions_status_time",
        "sessions",
        ["status", "starts_at", "patient_id", "series_id"],
        unique=False,
    )
    # The digits column served the old LIKE search; the number words replace it.
    op.drop_index("ix_patients_phone_digits", table_name="patients")
    op.drop_column("patients", "phone_digits")


def _fill(words: sa.Table) -> None:
    """Every patient's words, from the same rules the patient service keeps them by."""
    conn = op.get_bind()
    patients = conn.execute(
        sa.text(
            "SELECT id, last_name, first_name, preferred_name, chart_number, mobile_phone, "
            "home_phone, name_key, archived FROM patients ORDER BY id"
        )
    )
    while batch := patients.fetchmany(_BATCH):
        rows = [
            {
                "patient_id": p.id,
                "kind": kind,
                "word": word,
                "name_key": p.name_key,
                "archived": p.archived,
            }
            for p in batch
            for kind, word in search_words(
                last_name=p.last_name,
                first_name=p.first_name,
                preferred_name=p.preferred_name,
                chart_number=p.chart_number,
                phones=[p.mobile_phone, p.home_phone],
            )
        ]
        if rows:
            conn.execute(words.insert(), rows)


def downgrade() -> None:
    op.add_column(
        "patients",
        sa.Column("phone_digits", sa.String(length=100), nullable=False, server_default=""),
    )
    conn = op.get_bind()
    phones = conn.execute(sa.text("SELECT id, mobile_phone, home_phone FROM patients")).all()
    for p in phones:
        kept = " ".join(d for d in (digits(p.mobile_phone), digits(p.home_phone)) if d)
        if kept:
            conn.execute(
                sa.text("UPDATE patients SET phone_digits = :kept WHERE id = :id"),
                {"kept": kept, "id": p.id},
            )
    op.create_index("ix_patients_phone_digits", "patients", ["phone_digits"], unique=False)
    op.drop_index("ix_sessions_status_time", table_name="sessions")
    op.drop_index("ix_sessions_patient_status_time", table_name="sessions")
    op.drop_index("ix_patient_search_words_kind_word", table_name="patient_search_words")
    op.drop_table("patient_search_words")
