"""Who takes the patient home from a session, or why no one does.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 23:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy on SQLite: other tables refer to sessions). The sessions
    # already on the books start with nobody recorded.
    op.add_column(
        "sessions",
        sa.Column("escort_name", sa.String(length=100), nullable=False, server_default=""),
    )
    op.add_column(
        "sessions",
        sa.Column("escort_phone", sa.String(length=30), nullable=False, server_default=""),
    )
    op.add_column(
        "sessions",
        sa.Column("no_escort_reason", sa.Text(), nullable=False, server_default=""),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL), for the same reason as above.
    for column in ("no_escort_reason", "escort_phone", "escort_name"):
        op.execute(f"ALTER TABLE sessions DROP COLUMN {column}")
