"""Find letters by when they were printed (the Letters screen's "printed today").

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_letters_generated_at", "letters", ["generated_at"])


def downgrade() -> None:
    op.drop_index("ix_letters_generated_at", table_name="letters")
