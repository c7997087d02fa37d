"""Routine runs (with stress before and after) and people's own routines.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _person() -> sa.Column[str]:
    fk = sa.ForeignKey("people.id", ondelete="CASCADE")
    return sa.Column("person_id", sa.String(64), fk, nullable=False)


def upgrade() -> None:
    op.create_table(
        "routine_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        _person(),
        sa.Column("routine_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Column("stress_before", sa.Integer(), nullable=True),
        sa.Column("stress_after", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
    )
    op.create_index("ix_routine_runs_person_started", "routine_runs", ["person_id", "started_at"])
    op.create_table(
        "custom_routines",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _person(),
        sa.Column("routine_id", sa.String(64), nullable=False),
        sa.Column("routine", sa.JSON(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.UniqueConstraint("person_id", "routine_id", name="uq_custom_routines_person_routine"),
    )


def downgrade() -> None:
    op.drop_table("custom_routines")
    op.drop_table("routine_runs")
