"""A tamper-evident audit trail: each entry hashed with the one before; a verified checkpoint.

Existing entries get their patient (for the Audit screen's filter) and are hashed in order,
so that a database upgraded from an older version verifies at once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from scheduler.store.audit_hash import GENESIS, entry_hash

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    op.add_column("audit_trail", sa.Column("patient_id", sa.Integer(), nullable=True))
    op.add_column("audit_trail", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_trail", sa.Column("entry_hash", sa.String(length=64), nullable=True))
    op.create_index("ix_audit_trail_patient_id", "audit_trail", ["patient_id"])
    op.create_index("ix_audit_trail_prev_hash", "audit_trail", ["prev_hash"], unique=True)
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    _seal_existing_entries(op.get_bind())


def _patient_of(entry: Any) -> int | None:
    """The patient an older entry is about: the patient row itself, or the row's patient_id."""
    if entry.entity == "patients":
        return int(entry.entity_id) if entry.entity_id is not None else None
    for snapshot in (entry.after, entry.before):
        if isinstance(snapshot, dict) and isinstance(snapshot.get("patient_id"), int):
            return int(snapshot["patient_id"])
    return None


def _seal_existing_entries(bind: sa.Connection) -> None:
    """Give every existing entry its patient, then chain the hashes in id order."""
    # The table as it is now in this database, so that the hash covers exactly its columns.
    trail = sa.Table("audit_trail", sa.MetaData(), autoload_with=bind)
    set_patient = (
        trail.update()
        .where(trail.c.id == sa.bindparam("b_id"))
        .values(patient_id=sa.bindparam("b_patient"))
    )
    set_hashes = (
        trail.update()
        .where(trail.c.id == sa.bindparam("b_id"))
        .values(prev_hash=sa.bindparam("b_prev"), entry_hash=sa.bindparam("b_hash"))
    )
    patients = [
        {"b_id": row.id, "b_patient": _patient_of(row)}
        for row in bind.execute(sa.select(trail).order_by(trail.c.id))
    ]
    for start in range(0, len(patients), BATCH):
        bind.execute(set_patient, patients[start : start + BATCH])
    previous = GENESIS
    sealed: list[dict[str, Any]] = []
    for row in bind.execute(sa.select(trail).order_by(trail.c.id)):
        columns = dict(row._mapping)
        columns["prev_hash"] = previous
        previous = entry_hash(columns)
        sealed.append({"b_id": row.id, "b_prev": columns["prev_hash"], "b_hash": previous})
    for start in range(0, len(sealed), BATCH):
        bind.execute(set_hashes, sealed[start : start + BATCH])


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
    with op.batch_alter_table("audit_trail") as batch:
        batch.drop_index("ix_audit_trail_prev_hash")
        batch.drop_index("ix_audit_trail_patient_id")
        batch.drop_column("entry_hash")
        batch.drop_column("prev_hash")
        batch.drop_column("patient_id")
