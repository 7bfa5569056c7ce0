"""Live alerts: incidents, the alert outbox and its items, POS tickets; users' quiet hours.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _index(batch_op: Any, table: str, *columns: str) -> None:
    """One plain index ``ix_<table>_<column>`` on each column, in this order."""
    for column in columns:
        batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def _drop_index(batch_op: Any, table: str, *columns: str) -> None:
    """Drop the plain indexes :func:`_index` made on these columns, in this order."""
    for column in columns:
        batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("message_key", sa.String(length=64), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(channel = 'pos' AND location_id IS NOT NULL AND user_id IS NULL)"
            " OR (channel <> 'pos' AND user_id IS NOT NULL AND location_id IS NULL)",
            name=op.f("ck_alert_outbox_recipient"),
        ),
        sa.CheckConstraint(
            "channel IN ('sms', 'email', 'pos')", name=op.f("ck_alert_outbox_channel")
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'parked', 'cancelled')",
            name=op.f("ck_alert_outbox_state"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_alert_outbox_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_alert_outbox_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_alert_outbox_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_outbox")),
        sa.UniqueConstraint("message_key", name=op.f("uq_alert_outbox_message_key")),
        info={"demo_reset": True},
    )
    with op.batch_alter_table("alert_outbox", schema=None) as batch_op:
        _index(batch_op, "alert_outbox", "location_id", "organization_id")
        batch_op.create_index("ix_alert_outbox_state_due_at", ["state", "due_at"], unique=False)
        _index(batch_op, "alert_outbox", "user_id")

    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("error_type", sa.String(length=40), nullable=False),
        sa.Column("error_case", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alert_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'open', 'flapped', 'resolved')", name=op.f("ck_incidents_state")
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["store_links.id"],
            name=op.f("fk_incidents_link_id_store_links"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_incidents_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        info={"demo_reset": True},
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        _index(batch_op, "incidents", "alert_at", "organization_id")
        batch_op.create_index(
            "uq_incidents_live_link",
            ["link_id"],
            unique=True,
            postgresql_where=sa.text("state IN ('pending', 'open')"),
            sqlite_where=sa.text("state IN ('pending', 'open')"),
        )

    op.create_table(
        "alert_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("recipient_key", sa.String(length=40), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_alert_items_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["alert_outbox.id"],
            name=op.f("fk_alert_items_outbox_id_alert_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_items")),
        sa.UniqueConstraint(
            "incident_id",
            "channel",
            "recipient_key",
            name=op.f("uq_alert_items_incident_id_channel_recipient_key"),
        ),
        info={"demo_reset": True},
    )
    with op.batch_alter_table("alert_items", schema=None) as batch_op:
        _index(batch_op, "alert_items", "incident_id", "outbox_id")

    op.create_table(
        "pos_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_pos_tickets_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_pos_tickets_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_tickets")),
        info={"demo_reset": True},
    )
    with op.batch_alter_table("pos_tickets", schema=None) as batch_op:
        _index(batch_op, "pos_tickets", "incident_id", "location_id")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiet_start", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("quiet_end", sa.String(length=5), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("quiet_end")
        batch_op.drop_column("quiet_start")

    with op.batch_alter_table("pos_tickets", schema=None) as batch_op:
        _drop_index(batch_op, "pos_tickets", "location_id", "incident_id")

    op.drop_table("pos_tickets")
    with op.batch_alter_table("alert_items", schema=None) as batch_op:
        _drop_index(batch_op, "alert_items", "outbox_id", "incident_id")

    op.drop_table("alert_items")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_incidents_live_link",
            postgresql_where=sa.text("state IN ('pending', 'open')"),
            sqlite_where=sa.text("state IN ('pending', 'open')"),
        )
        _drop_index(batch_op, "incidents", "organization_id", "alert_at")

    op.drop_table("incidents")
    with op.batch_alter_table("alert_outbox", schema=None) as batch_op:
        _drop_index(batch_op, "alert_outbox", "user_id")
        batch_op.drop_index("ix_alert_outbox_state_due_at")
        _drop_index(batch_op, "alert_outbox", "organization_id", "location_id")

    op.drop_table("alert_outbox")
