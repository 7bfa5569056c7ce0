"""Human handoff: support agents, handoffs (one open per conversation) and their messages.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("state IN ('waiting', 'taken')")
_PLAIN_INDEXES = ("agent_id", "conversation_id", "organization_id", "user_id")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("email", name=op.f("uq_agents_email")),
    )
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("packet", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "channel IN ('web', 'telegram', 'sms')", name=op.f("ck_handoffs_channel")
        ),
        sa.CheckConstraint(
            "reason IN ('asked', 'fallbacks', 'action_failed', 'agent')",
            name=op.f("ck_handoffs_reason"),
        ),
        sa.CheckConstraint(
            "state = 'waiting' OR state = 'cancelled' OR agent_id IS NOT NULL",
            name=op.f("ck_handoffs_holder"),
        ),
        sa.CheckConstraint(
            "state IN ('waiting', 'taken', 'returned', 'closed', 'cancelled')",
            name=op.f("ck_handoffs_state"),
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_handoffs_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_handoffs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_handoffs_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        info={"demo_reset": True},
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        for column in _PLAIN_INDEXES:
            batch_op.create_index(batch_op.f(f"ix_handoffs_{column}"), [column], unique=False)
        batch_op.create_index("ix_handoffs_state_created_at", ["state", "created_at"], unique=False)
        batch_op.create_index(
            "uq_handoffs_open_conversation",
            ["conversation_id"],
            unique=True,
            postgresql_where=_OPEN,
            sqlite_where=_OPEN,
        )

    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=8), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "sender IN ('user', 'agent', 'system')", name=op.f("ck_handoff_messages_sender")
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_handoff_messages_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_handoff_messages_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_messages")),
        info={"demo_reset": True},
    )
    with op.batch_alter_table("handoff_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoff_messages_handoff_id"), ["handoff_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("handoff_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_messages_handoff_id"))

    op.drop_table("handoff_messages")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_handoffs_open_conversation", postgresql_where=_OPEN, sqlite_where=_OPEN
        )
        batch_op.drop_index("ix_handoffs_state_created_at")
        for column in reversed(_PLAIN_INDEXES):
            batch_op.drop_index(batch_op.f(f"ix_handoffs_{column}"))

    op.drop_table("handoffs")
    op.drop_table("agents")
