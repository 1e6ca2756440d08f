"""The waitlist: patients waiting for a first course or an earlier slot, with their terms.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.String(length=20), nullable=False),
        sa.Column("earliest_start", sa.Time(), nullable=True),
        sa.Column("latest_start", sa.Time(), nullable=True),
        sa.Column("chair_ids", sa.String(length=200), nullable=False),
        sa.Column("earliest_day", sa.Date(), nullable=True),
        sa.Column("notice_hours", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.CheckConstraint(
            "notice_hours >= 0", name=op.f("ck_waitlist_entries_notice_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_waitlist_entries_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["protocol_id"],
            ["protocols.id"],
            name=op.f("fk_waitlist_entries_protocol_id_protocols"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
    )
    op.create_index("ix_waitlist_entries_added_at", "waitlist_entries", ["added_at"], unique=False)
    op.create_index(
        op.f("ix_waitlist_entries_patient_id"), "waitlist_entries", ["patient_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_waitlist_entries_patient_id"), table_name="waitlist_entries")
    op.drop_index("ix_waitlist_entries_added_at", table_name="waitlist_entries")
    op.drop_table("waitlist_entries")
