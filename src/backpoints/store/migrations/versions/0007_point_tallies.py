"""Per-person tallies of each (region, point)'s tries, filled from the ratings already stored.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "point_tallies",
        sa.Column(
            "person_id",
            sa.String(64),
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("region", sa.String(32), primary_key=True),
        sa.Column("point_id", sa.String(64), primary_key=True),
        sa.Column("helped", sa.Integer(), nullable=False),
        sa.Column("tried", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO point_tallies (person_id, region, point_id, helped, tried) "
        "SELECT person_id, region, point_id, "
        "SUM(CASE WHEN relieved THEN 1 ELSE 0 END), COUNT(*) "
        "FROM ratings GROUP BY person_id, region, point_id"
    )


def downgrade() -> None:
    op.drop_table("point_tallies")
