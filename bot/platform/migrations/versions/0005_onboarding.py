"""Onboarding a new provider account by chat (issue 4): the onboardings table.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "onboardings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider_key", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=200), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("pairing_id", sa.String(length=32), nullable=True),
        sa.Column("brand_mode", sa.String(length=8), nullable=True),
        sa.Column("provider_stores", sa.JSON(), nullable=False),
        sa.Column("link_ids", sa.JSON(), nullable=False),
        sa.Column("created", sa.JSON(), nullable=False),
        sa.Column("alert", sa.String(length=40), nullable=True),
        sa.Column("alert_store_ids", sa.JSON(), nullable=False),
        sa.Column("qa_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "brand_mode IS NULL OR brand_mode IN ('merge', 'new')",
            name=op.f("ck_onboardings_brand_mode"),
        ),
        sa.CheckConstraint(
            "state IN ('ready', 'pairing', 'choose_brand', 'choose_stores', 'waiting_qa',"
            " 'alert', 'passed_qa')",
            name=op.f("ck_onboardings_state"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_onboardings_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_onboardings_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_key"], ["providers.key"], name=op.f("fk_onboardings_provider_key_providers")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_onboardings_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboardings")),
        info={"demo_reset": True},
    )
    with op.batch_alter_table("onboardings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_onboardings_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_onboardings_user_conversation", ["user_id", "conversation_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("onboardings", schema=None) as batch_op:
        batch_op.drop_index("ix_onboardings_user_conversation")
        batch_op.drop_index(batch_op.f("ix_onboardings_organization_id"))
    op.drop_table("onboardings")
