"""OTO setup sessions (the one-time page for the retailer ID and token).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "oto_setup_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('started', 'saved', 'invalid', 'provider_error', 'expired', 'superseded')",
            name=op.f("ck_oto_setup_sessions_outcome"),
        ),
        sa.CheckConstraint(
            "state IN ('open', 'succeeded', 'failed', 'expired')",
            name=op.f("ck_oto_setup_sessions_state"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_oto_setup_sessions_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_oto_setup_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oto_setup_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_oto_setup_sessions_token_hash")),
        info={"demo_reset": True},
    )
    with op.batch_alter_table("oto_setup_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oto_setup_sessions_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_oto_setup_sessions_user_conversation",
            ["user_id", "conversation_id"],
            unique=False,
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("oto_setup_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_oto_setup_sessions_user_conversation")
        batch_op.drop_index(batch_op.f("ix_oto_setup_sessions_organization_id"))
    op.drop_table("oto_setup_sessions")
