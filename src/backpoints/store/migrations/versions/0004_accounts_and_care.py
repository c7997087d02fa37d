"""Server mode: accounts, log-in sessions, failed log-ins, care links, routines, audit log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _person(name: str, nullable: bool = False, primary_key: bool = False) -> sa.Column[str]:
    fk = sa.ForeignKey("people.id", ondelete="CASCADE")
    return sa.Column(name, sa.String(64), fk, nullable=nullable, primary_key=primary_key)


def upgrade() -> None:
    op.create_table(
        "accounts",
        _person("id", primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "login_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        _person("account_id"),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
    )
    op.create_index("ix_login_sessions_account_id", "login_sessions", ["account_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    )
    op.create_index("ix_login_failures_email", "login_failures", ["email"])
    op.create_index("ix_login_failures_client", "login_failures", ["client"])
    op.create_table(
        "care_links",
        sa.Column("id", sa.String(32), primary_key=True),
        _person("therapist_id"),
        _person("client_id", nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("accepted_at", WHEN, nullable=True),
        sa.Column("revoked_at", WHEN, nullable=True),
    )
    op.create_index("ix_care_links_therapist_id", "care_links", ["therapist_id"])
    op.create_index("ix_care_links_client_id", "care_links", ["client_id"])
    op.create_table(
        "routines",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _person("therapist_id"),
        _person("client_id"),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_routines_therapist_id", "routines", ["therapist_id"])
    op.create_index("ix_routines_client_id", "routines", ["client_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _person("client_id"),
        sa.Column("therapist_id", sa.String(64), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("action", sa.String(200), nullable=False),
    )
    op.create_index("ix_audit_log_client_id", "audit_log", ["client_id"])
    op.create_index("ix_audit_client_at", "audit_log", ["client_id", "at"])


def downgrade() -> None:
    for table in ("audit_log", "routines", "care_links", "login_failures", "login_sessions"):
        op.drop_table(table)
    op.drop_table("accounts")
