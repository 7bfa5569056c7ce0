"""Live orders, menus (items, weekly hours) and the OTO dispatch integration.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:02:29.670761
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "dispatch_integrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("retailer_id", sa.String(length=100), nullable=True),
        sa.Column("token_secret", sa.Text(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("provider IN ('oto')", name=op.f("ck_dispatch_integrations_provider")),
        sa.CheckConstraint(
            "(retailer_id IS NULL AND token_secret IS NULL)"
            " OR (retailer_id IS NOT NULL AND token_secret IS NOT NULL)",
            name=op.f("ck_dispatch_integrations_credentials_together"),
        ),
        sa.CheckConstraint(
            "currency IS NULL OR (length(currency) = 3 AND upper(currency) = currency)",
            name=op.f("ck_dispatch_integrations_currency"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dispatch_integrations_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_dispatch_integrations_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_integrations")),
        sa.UniqueConstraint(
            "organization_id",
            "provider",
            name=op.f("uq_dispatch_integrations_organization_id_provider"),
        ),
    )
    with op.batch_alter_table("dispatch_integrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispatch_integrations_organization_id"),
            ["organization_id"],
            unique=False,
        )

    op.create_table(
        "dispatch_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("order_type", sa.String(length=16), nullable=False),
        sa.Column("has_customer", sa.Boolean(), nullable=False),
        sa.Column("has_delivery_address", sa.Boolean(), nullable=False),
        sa.Column("kitchen_status", sa.String(length=16), nullable=False),
        sa.Column("cashier_open", sa.Boolean(), nullable=False),
        sa.Column("sent_to_oto", sa.Boolean(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kitchen_status IN ('not_sent', 'sent', 'ready')",
            name=op.f("ck_dispatch_orders_kitchen_status"),
        ),
        sa.CheckConstraint(
            "order_type IN ('delivery', 'pickup')", name=op.f("ck_dispatch_orders_order_type")
        ),
        sa.CheckConstraint(
            "NOT has_delivery_address OR has_customer",
            name=op.f("ck_dispatch_orders_address_of_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_dispatch_orders_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_dispatch_orders_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_orders")),
        sa.UniqueConstraint(
            "organization_id",
            "external_id",
            name=op.f("uq_dispatch_orders_organization_id_external_id"),
        ),
    )
    with op.batch_alter_table("dispatch_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispatch_orders_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dispatch_orders_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "dispatch_branches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["dispatch_integrations.id"],
            name=op.f("fk_dispatch_branches_integration_id_dispatch_integrations"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_dispatch_branches_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_branches")),
        sa.UniqueConstraint(
            "integration_id",
            "location_id",
            name=op.f("uq_dispatch_branches_integration_id_location_id"),
        ),
    )
    with op.batch_alter_table("dispatch_branches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispatch_branches_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "live_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("provider_key", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cancel_reason", sa.String(length=64), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_from_active", sa.Boolean(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "NOT removed_from_active OR status = 'cancelled'",
            name=op.f("ck_live_orders_removed_when_cancelled"),
        ),
        sa.CheckConstraint(
            "status = 'cancelled' OR (cancel_reason IS NULL AND cancelled_at IS NULL)",
            name=op.f("ck_live_orders_cancel_fields_when_cancelled"),
        ),
        sa.CheckConstraint(
            "status IN ('accepted', 'preparing', 'ready', 'delivered', 'fulfilled', 'cancelled')",
            name=op.f("ck_live_orders_status"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_live_orders_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_key"], ["providers.key"], name=op.f("fk_live_orders_provider_key_providers")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_live_orders_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_orders")),
        sa.UniqueConstraint(
            "organization_id",
            "external_id",
            name=op.f("uq_live_orders_organization_id_external_id"),
        ),
    )
    with op.batch_alter_table("live_orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_live_orders_organization_placed", ["organization_id", "placed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_orders_provider_key"), ["provider_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_live_orders_store_id"), ["store_id"], unique=False)

    op.create_table(
        "menus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_menus_store_id_stores")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menus")),
        sa.UniqueConstraint("store_id", name=op.f("uq_menus_store_id")),
    )
    op.create_table(
        "menu_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("menu_id", sa.Integer(), nullable=False),
        sa.Column("day_of_week", sa.Integer(), nullable=False),
        sa.Column("opens_minute", sa.Integer(), nullable=False),
        sa.Column("closes_minute", sa.Integer(), nullable=False),
        sa.CheckConstraint("day_of_week BETWEEN 0 AND 6", name=op.f("ck_menu_hours_day_of_week")),
        sa.CheckConstraint(
            "opens_minute >= 0 AND closes_minute <= 1440 AND opens_minute < closes_minute",
            name=op.f("ck_menu_hours_period"),
        ),
        sa.ForeignKeyConstraint(
            ["menu_id"], ["menus.id"], name=op.f("fk_menu_hours_menu_id_menus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_hours")),
        sa.UniqueConstraint(
            "menu_id",
            "day_of_week",
            "opens_minute",
            name=op.f("uq_menu_hours_menu_id_day_of_week_opens_minute"),
        ),
    )
    with op.batch_alter_table("menu_hours", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_menu_hours_menu_id"), ["menu_id"], unique=False)

    op.create_table(
        "menu_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("menu_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("price_cents", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "price_cents IS NULL OR price_cents >= 0", name=op.f("ck_menu_items_price_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["menu_id"], ["menus.id"], name=op.f("fk_menu_items_menu_id_menus")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_items")),
    )
    with op.batch_alter_table("menu_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_menu_items_menu_id"), ["menu_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("menu_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_menu_items_menu_id"))

    op.drop_table("menu_items")
    with op.batch_alter_table("menu_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_menu_hours_menu_id"))

    op.drop_table("menu_hours")
    op.drop_table("menus")
    with op.batch_alter_table("live_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_orders_store_id"))
        batch_op.drop_index(batch_op.f("ix_live_orders_provider_key"))
        batch_op.drop_index("ix_live_orders_organization_placed")

    op.drop_table("live_orders")
    with op.batch_alter_table("dispatch_branches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatch_branches_location_id"))

    op.drop_table("dispatch_branches")
    with op.batch_alter_table("dispatch_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatch_orders_organization_id"))
        batch_op.drop_index(batch_op.f("ix_dispatch_orders_location_id"))

    op.drop_table("dispatch_orders")
    with op.batch_alter_table("dispatch_integrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatch_integrations_organization_id"))

    op.drop_table("dispatch_integrations")
