"""A clinician's all-clear on a red-flag answer: the day of the check and who checked, kept
with the answer it cleared until the question is answered again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("red_flag_answers", sa.Column("cleared_on", sa.Date(), nullable=True))
    op.add_column("red_flag_answers", sa.Column("cleared_by", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("red_flag_answers") as batch:
        batch.drop_column("cleared_by")
        batch.drop_column("cleared_on")
