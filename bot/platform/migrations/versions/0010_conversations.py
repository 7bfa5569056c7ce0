"""Live conversations: when each conversation's user last wrote (agents take them).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = ("last_message_at", "organization_id", "user_id")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "conversations",
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_conversations_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_conversations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversations")),
        info={"demo_reset": True},
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        for column in _INDEXES:
            batch_op.create_index(batch_op.f(f"ix_conversations_{column}"), [column], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        for column in reversed(_INDEXES):
            batch_op.drop_index(batch_op.f(f"ix_conversations_{column}"))
    op.drop_table("conversations")
