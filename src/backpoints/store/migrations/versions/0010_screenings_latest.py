"""An index for a person's latest screening (read at every session start): the read costs the
same however many screenings the diary holds.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_screenings_person_at", "screenings", ["person_id", "at", "id"])


def downgrade() -> None:
    op.drop_index("ix_screenings_person_at", table_name="screenings")
