"""PEG weekly check-ins (krebs2009): average pain, enjoyment and activity, each 0-10.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "peg_checkins",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "person_id",
            sa.String(64),
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("pain", sa.Integer(), nullable=False),
        sa.Column("enjoyment", sa.Integer(), nullable=False),
        sa.Column("activity", sa.Integer(), nullable=False),
    )
    op.create_index("ix_peg_checkins_person_at", "peg_checkins", ["person_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_peg_checkins_person_at", table_name="peg_checkins")
    op.drop_table("peg_checkins")
