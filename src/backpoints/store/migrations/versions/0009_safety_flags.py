"""Standing red flags: the latest answer to each red-flag question, per person.

Seeded from each person's latest screening: the flags answered yes there stand until the
person answers those questions "no" again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "red_flag_answers",
        sa.Column(
            "person_id",
            sa.String(64),
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("flag", sa.String(64), primary_key=True),
        sa.Column("answer", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.bulk_insert(table, _seed())


def _seed() -> list[dict[str, Any]]:
    """The yes flags of each person's latest screening, as standing answers."""
    screenings = sa.table(
        "screenings",
        sa.column("id", sa.Integer()),
        sa.column("person_id", sa.String()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("answers", sa.JSON()),
    )
    latest: dict[str, tuple[Any, Any]] = {}
    query = sa.select(screenings).order_by(screenings.c.at, screenings.c.id)
    for row in op.get_bind().execute(query).mappings():
        latest[row["person_id"]] = (row["at"], row["answers"])
    seeded = []
    for person, (at, answers) in latest.items():
        data = json.loads(answers) if isinstance(answers, str) else answers or {}
        for flag in dict.fromkeys(data.get("flags", ())):
            seeded.append({"person_id": person, "flag": flag, "answer": True, "answered_at": at})
    return seeded


def downgrade() -> None:
    op.drop_table("red_flag_answers")
