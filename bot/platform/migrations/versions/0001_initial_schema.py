"""Initial schema: organizations, users, locations, brands, stores, providers, links, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-24 04:15:29.780007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("name", name=op.f("uq_organizations_name")),
    )
    op.create_table(
        "providers",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("self_repair", sa.Boolean(), nullable=False),
        sa.Column("cancel_via_us", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_providers")),
        sa.UniqueConstraint("name", name=op.f("uq_providers_name")),
    )
    op.create_table(
        "brands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_brands_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brands")),
        sa.UniqueConstraint("organization_id", "name", name=op.f("uq_brands_organization_id_name")),
    )
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_brands_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("has_pos_device", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_locations_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint(
            "organization_id", "name", name=op.f("uq_locations_organization_id_name")
        ),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_locations_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "provider_accounts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("provider_key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("login", sa.String(length=320), nullable=False),
        sa.Column("asks_2fa", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_provider_accounts_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_key"],
            ["providers.key"],
            name=op.f("fk_provider_accounts_provider_key_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_accounts")),
        sa.UniqueConstraint(
            "organization_id", "label", name=op.f("uq_provider_accounts_organization_id_label")
        ),
    )
    with op.batch_alter_table("provider_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_accounts_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_provider_accounts_provider_key"), ["provider_key"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("phone_verified", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("can_manage_integrations", sa.Boolean(), nullable=False),
        sa.Column("can_cancel_orders", sa.Boolean(), nullable=False),
        sa.Column("alert_sms", sa.Boolean(), nullable=False),
        sa.Column("alert_email", sa.Boolean(), nullable=False),
        sa.CheckConstraint("language IN ('en', 'fr', 'es')", name=op.f("ck_users_language")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_users_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("phone", name=op.f("uq_users_phone")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_users_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_audit_log_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_log_organization_created", ["organization_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_log_user_id"), ["user_id"], unique=False)

    op.create_table(
        "stores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_stores_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_stores_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
        sa.UniqueConstraint("location_id", "brand_id", name=op.f("uq_stores_location_id_brand_id")),
    )
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stores_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stores_location_id"), ["location_id"], unique=False)

    op.create_table(
        "store_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("passed_qa", sa.Boolean(), nullable=False),
        sa.Column("activated", sa.Boolean(), nullable=False),
        sa.Column("error_type", sa.String(length=40), nullable=True),
        sa.Column("error_case", sa.String(length=40), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(state = 'disconnected' AND error_type IS NOT NULL)"
            " OR (state <> 'disconnected' AND error_type IS NULL)",
            name=op.f("ck_store_links_error_when_disconnected"),
        ),
        sa.CheckConstraint(
            "error_case IS NULL OR error_type = 'invalid_store_configuration'",
            name=op.f("ck_store_links_case_of_store_configuration"),
        ),
        sa.CheckConstraint(
            "error_type IS NULL OR error_type IN ('invalid_credentials', 'two_factor_required',"
            " 'mfa_required', 'third_party_blocked', 'invalid_store_configuration')",
            name=op.f("ck_store_links_error_type"),
        ),
        sa.CheckConstraint(
            "state IN ('active', 'connected', 'disconnected')", name=op.f("ck_store_links_state")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["provider_accounts.id"],
            name=op.f("fk_store_links_account_id_provider_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_store_links_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_links")),
        sa.UniqueConstraint(
            "account_id", "store_id", name=op.f("uq_store_links_account_id_store_id")
        ),
    )
    with op.batch_alter_table("store_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_store_links_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_store_links_store_id"), ["store_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("store_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_store_links_store_id"))
        batch_op.drop_index(batch_op.f("ix_store_links_account_id"))

    op.drop_table("store_links")
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stores_location_id"))
        batch_op.drop_index(batch_op.f("ix_stores_brand_id"))

    op.drop_table("stores")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_user_id"))
        batch_op.drop_index("ix_audit_log_organization_created")

    op.drop_table("audit_log")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_organization_id"))

    op.drop_table("users")
    with op.batch_alter_table("provider_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_accounts_provider_key"))
        batch_op.drop_index(batch_op.f("ix_provider_accounts_organization_id"))

    op.drop_table("provider_accounts")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locations_organization_id"))

    op.drop_table("locations")
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brands_organization_id"))

    op.drop_table("brands")
    op.drop_table("providers")
    op.drop_table("organizations")
