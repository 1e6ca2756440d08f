"""Each patient's last completed session of a course, kept by triggers on sessions, so the
booster-due list reads its most overdue patients from an index instead of walking history.

Triggers rather than the services: a session becomes completed, stops being completed,
moves or is removed through the session services, but also through bulk builders, whole
copies and restores, and plain SQL; a trigger runs in the statement that makes the change,
whoever sends it, so the table cannot fall out of step. Each trigger recomputes the
patient's row from the sessions index (one seek), which also covers undoing a completion.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 23:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A session counts when completed as part of a course (the booster rule's "last session").
_COUNTS = "status = 'completed' AND series_id IS NOT NULL"


def _refresh(patient: str, only_if: str = "TRUE") -> str:
    """Statements that set ``patient``'s row from their sessions (none if nothing counts)."""
    return (
        f"DELETE FROM patient_last_sessions WHERE patient_id = {patient} AND {only_if};\n"
        "INSERT INTO patient_last_sessions (patient_id, session_id, starts_at)\n"
        "SELECT patient_id, id, starts_at FROM sessions\n"
        f"WHERE patient_id = {patient} AND {_COUNTS} AND {only_if}\n"
        "ORDER BY starts_at DESC, id DESC LIMIT 1;\n"
    )


# What changes a session's standing: its status, time, patient or course.
_WATCHED = "status, starts_at, patient_id, series_id"
_TRIGGERS = (
    ("insert", "INSERT", "NEW.status = 'completed' AND NEW.series_id IS NOT NULL"),
    ("update", f"UPDATE OF {_WATCHED}", "OLD.status = 'completed' OR NEW.status = 'completed'"),
    ("delete", "DELETE", "OLD.status = 'completed'"),
)

_SQLITE_BODIES = {
    "insert": _refresh("NEW.patient_id"),
    # A session moved to another patient changes both patients' rows.
    "update": _refresh("OLD.patient_id")
    + _refresh("NEW.patient_id", only_if="NEW.patient_id <> OLD.patient_id"),
    "delete": _refresh("OLD.patient_id"),
}

# On PostgreSQL one function refreshes a patient's row. The advisory lock makes two desks
# changing the same patient's sessions take turns; each statement after it sees what the
# other committed (READ COMMITTED), so the row ends as the later of the two leaves it.
_PG_FUNCTIONS = (
    "CREATE FUNCTION refresh_patient_last_session(patient integer) RETURNS void "
    "LANGUAGE plpgsql AS $$\nBEGIN\n"
    "PERFORM pg_advisory_xact_lock(8, patient);\n" + _refresh("patient") + "END;\n$$",
    "CREATE FUNCTION sessions_keep_last_completed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "IF TG_OP <> 'INSERT' THEN PERFORM refresh_patient_last_session(OLD.patient_id); END IF;\n"
    "IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.patient_id <> OLD.patient_id) THEN\n"
    "PERFORM refresh_patient_last_session(NEW.patient_id);\nEND IF;\n"
    "RETURN NULL;\nEND;\n$$",
)


def upgrade() -> None:
    op.create_table(
        "patient_last_sessions",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_last_sessions_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_patient_last_sessions_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_patient_last_sessions")),
    )
    # Every patient's latest counting session: the one with no later one (the patient's
    # sessions by status and time come from ix_sessions_patient_status_time, a seek each).
    op.execute(
        "INSERT INTO patient_last_sessions (patient_id, session_id, starts_at)\n"
        "SELECT s.patient_id, s.id, s.starts_at FROM sessions s\n"
        "WHERE s.status = 'completed' AND s.series_id IS NOT NULL AND NOT EXISTS (\n"
        "  SELECT 1 FROM sessions l WHERE l.patient_id = s.patient_id\n"
        "  AND l.status = 'completed' AND l.series_id IS NOT NULL\n"
        "  AND (l.starts_at > s.starts_at OR (l.starts_at = s.starts_at AND l.id > s.id)))"
    )
    # Built after the rows are in: one sort instead of a B-tree grown row by row.
    op.create_index(
        "ix_patient_last_sessions_time",
        "patient_last_sessions",
        ["starts_at", "session_id"],
        unique=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        for function in _PG_FUNCTIONS:
            op.execute(function)
        for name, event, when in _TRIGGERS:
            op.execute(
                f"CREATE TRIGGER sessions_last_completed_{name} AFTER {event} ON sessions "
                f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION sessions_keep_last_completed()"
            )
    else:
        for name, event, when in _TRIGGERS:
            op.execute(
                f"CREATE TRIGGER sessions_last_completed_{name} AFTER {event} ON sessions "
                f"FOR EACH ROW WHEN {when}\nBEGIN\n{_SQLITE_BODIES[name]}END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, _, _ in _TRIGGERS:
        on = " ON sessions" if postgresql else ""
        op.execute(f"DROP TRIGGER sessions_last_completed_{name}{on}")
    if postgresql:
        op.execute("DROP FUNCTION sessions_keep_last_completed()")
        op.execute("DROP FUNCTION refresh_patient_last_session(integer)")
    op.drop_index("ix_patient_last_sessions_time", table_name="patient_last_sessions")
    op.drop_table("patient_last_sessions")
