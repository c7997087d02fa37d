"""Pain entries and steps as rows of their own (reports, exports, the sessions table).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _session_fk() -> sa.ForeignKey:
    return sa.ForeignKey("sessions.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "pain_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(32), _session_fk(), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("intensity", sa.Integer(), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
    )
    op.create_index("ix_pain_entries_session_id", "pain_entries", ["session_id"])
    op.create_table(
        "steps",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(32), _session_fk(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("point_id", sa.String(64), nullable=False),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("shown_at", WHEN, nullable=False),
        sa.UniqueConstraint("session_id", "n", name="uq_steps_session_n"),
    )
    _backfill()


def _backfill() -> None:
    """Rows for sessions stored before this revision, read from their saved state."""
    conn = op.get_bind()
    sessions = sa.table(
        "sessions",
        sa.column("id", sa.String),
        sa.column("started_at", WHEN),
        sa.column("state", sa.JSON),
    )
    entries = sa.table(
        "pain_entries",
        sa.column("session_id", sa.String),
        sa.column("region", sa.String),
        sa.column("intensity", sa.Integer),
        sa.column("recorded_at", WHEN),
    )
    for session_id, started_at, state in conn.execute(
        sa.select(sessions.c.id, sessions.c.started_at, sessions.c.state)
    ):
        rows = [
            {
                "session_id": session_id,
                "region": r["region"],
                "intensity": r["pain_start"],
                "recorded_at": started_at,
            }
            for r in (state or {}).get("regions", [])
        ]
        if rows:
            conn.execute(entries.insert(), rows)


def downgrade() -> None:
    op.drop_table("steps")
    op.drop_table("pain_entries")
