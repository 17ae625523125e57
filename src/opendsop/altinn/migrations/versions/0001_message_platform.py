"""The message platform: resources, roles, content-addressed blobs, correspondences, file transfers,
status history, idempotency keys, the event outbox and its webhook subscriptions.

Revision ID: 0001
Revises:
Create Date: 2026-12-08 02:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "altinn_attachment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=11), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "altinn_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "altinn_correspondence",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=11), nullable=False),
        sa.Column("recipient", sa.String(length=11), nullable=False),
        sa.Column("senders_reference", sa.String(length=4096), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_changed", sa.BigInteger(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("published", sa.BigInteger(), nullable=True),
        sa.Column("publish_at", sa.BigInteger(), nullable=True),
        sa.Column("due", sa.BigInteger(), nullable=True),
        sa.Column("delete_after", sa.BigInteger(), nullable=True),
        sa.Column("confirmation_needed", sa.Boolean(), nullable=False),
        sa.Column("never_confirmed_sent", sa.Boolean(), nullable=False),
        sa.Column("idempotent_key", sa.String(length=64), nullable=True),
        sa.Column("reply_to", sa.String(length=36), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("altinn_correspondence_publish", "altinn_correspondence", ["status", "publish_at"], unique=False)
    op.create_index("altinn_correspondence_recipient", "altinn_correspondence", ["recipient", "created"], unique=False)
    op.create_index("altinn_correspondence_sender", "altinn_correspondence", ["sender", "created"], unique=False)
    op.create_table(
        "altinn_correspondence_attachment",
        sa.Column("correspondence_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("correspondence_id", "position"),
    )
    op.create_table(
        "altinn_dead_letter",
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=512), nullable=False),
        sa.Column("dead_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("subscription_id", "seq"),
    )
    op.create_table(
        "altinn_event",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("party", sa.String(length=11), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=128), nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("altinn_event_party", "altinn_event", ["party", "seq"], unique=False)
    op.create_table(
        "altinn_feed_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "altinn_file_recipient",
        sa.Column("file_transfer_id", sa.String(length=36), nullable=False),
        sa.Column("recipient", sa.String(length=11), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_changed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("file_transfer_id", "recipient"),
    )
    op.create_index("altinn_file_recipient_party", "altinn_file_recipient", ["recipient", "status"], unique=False)
    op.create_table(
        "altinn_file_transfer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("resource_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=11), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_changed", sa.BigInteger(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("altinn_file_transfer_resource", "altinn_file_transfer", ["resource_id", "created"], unique=False)
    op.create_index("altinn_file_transfer_status", "altinn_file_transfer", ["status"], unique=False)
    op.create_table(
        "altinn_idempotency",
        sa.Column("sender", sa.String(length=11), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sender", "kind", "key"),
    )
    op.create_table(
        "altinn_resource",
        sa.Column("identifier", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=11), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("identifier"),
    )
    op.create_table(
        "altinn_role",
        sa.Column("holder", sa.String(length=11), nullable=False),
        sa.Column("party", sa.String(length=11), nullable=False),
        sa.Column("role", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("holder", "party", "role"),
    )
    op.create_table(
        "altinn_status",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("object_id", sa.String(length=36), nullable=False),
        sa.Column("recipient", sa.String(length=11), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("by", sa.String(length=11), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_altinn_status_object_id"), "altinn_status", ["object_id"], unique=False)
    op.create_table(
        "altinn_subscription",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("consumer", sa.String(length=11), nullable=False),
        sa.Column("end_point", sa.String(length=2048), nullable=False),
        sa.Column("resource_filter", sa.String(length=255), nullable=True),
        sa.Column("subject_filter", sa.String(length=255), nullable=True),
        sa.Column("type_filter", sa.String(length=128), nullable=True),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.String(length=512), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_altinn_subscription_consumer"), "altinn_subscription", ["consumer"], unique=False)
    op.bulk_insert(
        sa.table("altinn_feed_head", sa.column("id", sa.Integer), sa.column("seq", sa.BigInteger)),
        [{"id": 1, "seq": 0}],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_altinn_subscription_consumer"), table_name="altinn_subscription")
    op.drop_table("altinn_subscription")
    op.drop_index(op.f("ix_altinn_status_object_id"), table_name="altinn_status")
    op.drop_table("altinn_status")
    op.drop_table("altinn_role")
    op.drop_table("altinn_resource")
    op.drop_table("altinn_idempotency")
    op.drop_index("altinn_file_transfer_status", table_name="altinn_file_transfer")
    op.drop_index("altinn_file_transfer_resource", table_name="altinn_file_transfer")
    op.drop_table("altinn_file_transfer")
    op.drop_index("altinn_file_recipient_party", table_name="altinn_file_recipient")
    op.drop_table("altinn_file_recipient")
    op.drop_table("altinn_feed_head")
    op.drop_index("altinn_event_party", table_name="altinn_event")
    op.drop_table("altinn_event")
    op.drop_table("altinn_dead_letter")
    op.drop_table("altinn_correspondence_attachment")
    op.drop_index("altinn_correspondence_sender", table_name="altinn_correspondence")
    op.drop_index("altinn_correspondence_recipient", table_name="altinn_correspondence")
    op.drop_index("altinn_correspondence_publish", table_name="altinn_correspondence")
    op.drop_table("altinn_correspondence")
    op.drop_table("altinn_blob")
    op.drop_table("altinn_attachment")
