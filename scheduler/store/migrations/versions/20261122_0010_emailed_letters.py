"""Emailed letters: the clinic's mail server, each patient's consent to email, and a record of
every letter emailed (or that could not be) per session.

The mail server's password is not here: it lives in the operating system's credential store.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SMTP_COLUMNS = (
    sa.Column("smtp_host", sa.String(length=200), nullable=False, server_default=""),
    sa.Column("smtp_port", sa.Integer(), nullable=False, server_default="587"),
    sa.Column("smtp_security", sa.String(length=10), nullable=False, server_default="starttls"),
    sa.Column("smtp_user", sa.String(length=200), nullable=False, server_default=""),
    sa.Column("smtp_from", sa.String(length=200), nullable=False, server_default=""),
)


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy on SQLite: other tables refer to patients). No patient
    # has agreed to email yet: the column starts empty.
    for column in _SMTP_COLUMNS:
        op.add_column("clinic_settings", column)
    op.add_column("patients", sa.Column("email_consent_on", sa.Date(), nullable=True))
    op.create_table(
        "letter_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_letter_emails_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_letter_emails_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_emails")),
    )
    op.create_index("ix_letter_emails_session_kind", "letter_emails", ["session_id", "kind"])
    op.create_index(op.f("ix_letter_emails_patient_id"), "letter_emails", ["patient_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_letter_emails_patient_id"), table_name="letter_emails")
    op.drop_index("ix_letter_emails_session_kind", table_name="letter_emails")
    op.drop_table("letter_emails")
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL), for the same reason as above.
    op.execute("ALTER TABLE patients DROP COLUMN email_consent_on")
    for column in reversed(_SMTP_COLUMNS):
        op.execute(f"ALTER TABLE clinic_settings DROP COLUMN {column.name}")
