"""Repair: pairing sessions, code failures, provider credentials, sandbox state, requests.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 07:08:22.306481
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "pairing_code_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["provider_accounts.id"],
            name=op.f("fk_pairing_code_failures_account_id_provider_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_code_failures")),
    )
    with op.batch_alter_table("pairing_code_failures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pairing_code_failures_account_created", ["account_id", "created_at"], unique=False
        )

    op.create_table(
        "pairing_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("step_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('started', 'needs_code', 'code_rejected', 'invalid_credentials',"
            " 'locked', 'succeeded', 'new_error', 'provider_error', 'expired', 'superseded')",
            name=op.f("ck_pairing_sessions_outcome"),
        ),
        sa.CheckConstraint(
            "state IN ('open', 'awaiting_code', 'succeeded', 'failed', 'locked', 'expired')",
            name=op.f("ck_pairing_sessions_state"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["provider_accounts.id"],
            name=op.f("fk_pairing_sessions_account_id_provider_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_pairing_sessions_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pairing_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pairing_sessions_token_hash")),
    )
    with op.batch_alter_table("pairing_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pairing_sessions_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pairing_sessions_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_pairing_sessions_user_conversation", ["user_id", "conversation_id"], unique=False
        )

    op.create_table(
        "provider_credentials",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=320), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["provider_accounts.id"],
            name=op.f("fk_provider_credentials_account_id_provider_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_provider_credentials_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_provider_credentials")),
    )
    op.create_table(
        "repair_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["provider_accounts.id"],
            name=op.f("fk_repair_requests_account_id_provider_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_repair_requests_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_repair_requests_requested_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_requests")),
    )
    with op.batch_alter_table("repair_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_repair_requests_account_closed", ["account_id", "closed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_repair_requests_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "sandbox_accounts",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=64), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("injections", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["provider_accounts.id"],
            name=op.f("fk_sandbox_accounts_account_id_provider_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_sandbox_accounts")),
    )
    with op.batch_alter_table("provider_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pairing_locked_until", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("provider_accounts", schema=None) as batch_op:
        batch_op.drop_column("pairing_locked_until")

    op.drop_table("sandbox_accounts")
    with op.batch_alter_table("repair_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_repair_requests_organization_id"))
        batch_op.drop_index("ix_repair_requests_account_closed")

    op.drop_table("repair_requests")
    op.drop_table("provider_credentials")
    with op.batch_alter_table("pairing_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_pairing_sessions_user_conversation")
        batch_op.drop_index(batch_op.f("ix_pairing_sessions_organization_id"))
        batch_op.drop_index(batch_op.f("ix_pairing_sessions_account_id"))

    op.drop_table("pairing_sessions")
    with op.batch_alter_table("pairing_code_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_pairing_code_failures_account_created")

    op.drop_table("pairing_code_failures")
