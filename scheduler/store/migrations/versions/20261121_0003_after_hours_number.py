"""The clinic's after-hours number, and which wording each therapy's letters use.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The seeded therapies' wording, so an existing clinic's letters become true to each therapy;
# a therapy the clinic added itself keeps the neutral general wording.
_WORDING = {
    "iv_ketamine": "ketamine",
    "im_ketamine": "ketamine",
    "esketamine": "esketamine",
    "nad": "nad",
    "sgb": "sgb",
    "consultation": "visit",
    "follow_up": "visit",
}
_NO_AFTERCARE = ("consultation", "follow_up")


def upgrade() -> None:
    # Plain ADD COLUMN: a batch copy of "therapies" on SQLite would drop a table that protocols
    # and sessions refer to, which foreign keys rightly refuse in a clinic with data.
    op.add_column(
        "clinic_settings",
        sa.Column("after_hours_phone", sa.String(length=40), nullable=False, server_default=""),
    )
    op.add_column(
        "therapies",
        sa.Column("letter_wording", sa.String(length=40), nullable=False, server_default="general"),
    )
    op.add_column(
        "therapies",
        sa.Column("aftercare_letter", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    therapies = sa.table(
        "therapies",
        sa.column("code", sa.String),
        sa.column("letter_wording", sa.String),
        sa.column("aftercare_letter", sa.Boolean),
    )
    for code, wording in _WORDING.items():
        op.execute(
            therapies.update().where(therapies.c.code == code).values(letter_wording=wording)
        )
    op.execute(
        therapies.update().where(therapies.c.code.in_(_NO_AFTERCARE)).values(aftercare_letter=False)
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL), for the same reason as above.
    for table, column in (
        ("therapies", "aftercare_letter"),
        ("therapies", "letter_wording"),
        ("clinic_settings", "after_hours_phone"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
