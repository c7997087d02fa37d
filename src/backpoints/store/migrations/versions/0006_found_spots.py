"""Tender spots found in a scan.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "found_spots",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "person_id",
            sa.String(64),
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("x_cm", sa.Float(), nullable=False),
        sa.Column("y_cm", sa.Float(), nullable=False),
        sa.Column("tenderness", sa.Integer(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_found_spots_person_region", "found_spots", ["person_id", "region"])


def downgrade() -> None:
    op.drop_table("found_spots")
