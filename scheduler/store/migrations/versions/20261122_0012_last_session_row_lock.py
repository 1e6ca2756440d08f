"""The last-completed-session trigger on PostgreSQL takes turns by the patient's row lock.

0009's function took an advisory lock per patient. Advisory locks live in the server's
shared lock table until the transaction ends, and that table holds only a few thousand
entries per connection: a restore, a whole copy or a bulk build writing sessions of more
patients than that in one transaction failed with "out of shared memory". A row lock on the
patient (FOR NO KEY UPDATE) is kept in the row itself, so any number fit in one transaction;
two desks changing the same patient's sessions still take turns, and the lock does not stand
in the way of sessions referring to the patient (their key-share locks).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 03:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFRESH = (
    "DELETE FROM patient_last_sessions WHERE patient_id = patient;\n"
    "INSERT INTO patient_last_sessions (patient_id, session_id, starts_at)\n"
    "SELECT patient_id, id, starts_at FROM sessions\n"
    "WHERE patient_id = patient AND status = 'completed' AND series_id IS NOT NULL\n"
    "ORDER BY starts_at DESC, id DESC LIMIT 1;\n"
)


def _function(take_turns: str) -> str:
    return (
        "CREATE OR REPLACE FUNCTION refresh_patient_last_session(patient integer) "
        "RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n"
        f"{take_turns}\n{_REFRESH}END;\n$$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_function("PERFORM 1 FROM patients WHERE id = patient FOR NO KEY UPDATE;"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_function("PERFORM pg_advisory_xact_lock(8, patient);"))
