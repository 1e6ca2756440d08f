"""Staff accounts: sign-in names, password hashes, several roles per person, the idle lock,
and the signer of a clinician's decision in the audit trail

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD/DROP COLUMN and CREATE INDEX, no table rebuild: rebuilding ``staff`` would
    # drop a table that patients and sessions refer to while foreign keys are enforced.
    op.add_column(
        "staff", sa.Column("roles", sa.String(length=100), nullable=False, server_default="")
    )
    op.execute("UPDATE staff SET roles = role")
    op.drop_column("staff", "role")
    op.add_column("staff", sa.Column("sign_in", sa.String(length=60), nullable=True))
    op.create_index(op.f("ix_staff_sign_in"), "staff", ["sign_in"], unique=True)
    op.create_table(
        "staff_passwords",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_passwords_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_staff_passwords")),
    )
    op.add_column(
        "clinic_settings",
        sa.Column("idle_lock_minutes", sa.Integer(), nullable=False, server_default="10"),
    )
    op.add_column(
        "audit_trail",
        # Nullable, no default: an empty column stays out of an entry's hash, so the entries
        # sealed before this revision still verify.
        sa.Column("signed_by", sa.String(length=120), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("audit_trail", "signed_by")
    op.drop_column("clinic_settings", "idle_lock_minutes")
    op.drop_table("staff_passwords")
    op.drop_index(op.f("ix_staff_sign_in"), table_name="staff")
    op.drop_column("staff", "sign_in")
    op.add_column(
        "staff", sa.Column("role", sa.String(length=20), nullable=False, server_default="nurse")
    )
    # A person with several roles keeps the first one (row by row: portable to every server).
    staff = sa.table(
        "staff", sa.column("id", sa.Integer), sa.column("roles", sa.String),
        sa.column("role", sa.String),
    )  # fmt: skip
    conn = op.get_bind()
    for staff_id, roles in conn.execute(sa.select(staff.c.id, staff.c.roles)).all():
        first = roles.split(",")[0] or "nurse"
        conn.execute(staff.update().where(staff.c.id == staff_id).values(role=first))
    op.drop_column("staff", "roles")
