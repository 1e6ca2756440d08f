"""Scheduled backups: the folder they go to, how many days are kept, when the last good one was made.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 18:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("backup_folder", "backup_keep_days", "last_backup_at")


def upgrade() -> None:
    # Plain ADD COLUMN, as in 0003: no batch copy of a table others refer to.
    op.add_column("clinic_settings", sa.Column("backup_folder", sa.String(500), nullable=True))
    op.add_column(
        "clinic_settings",
        sa.Column("backup_keep_days", sa.Integer(), nullable=False, server_default="14"),
    )
    op.add_column("clinic_settings", sa.Column("last_backup_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    for column in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE clinic_settings DROP COLUMN {column}")
