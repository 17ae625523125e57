"""Konkursvarsel: stored notices, accounts blocked per bankruptcy, feed cursors (DSOP Konkurs “Løsningsbeskrivelse”).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_konkurs_notice",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("registreringstidspunkt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("debitor", sa.String(length=32), nullable=False),
        sa.Column("kjennelsesdato", sa.Date(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accounts_changed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_bank_konkurs_notice")),
    )
    with op.batch_alter_table("bank_konkurs_notice", schema=None) as batch_op:
        batch_op.create_index("ix_bank_konkurs_notice_debitor", ["debitor"], unique=False)

    op.create_table(
        "bank_konkurs_block",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("party_id", sa.String(length=32), nullable=False),
        sa.Column("notice_uuid", sa.String(length=36), nullable=True),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["bank_account.account_id"],
            name=op.f("fk_bank_konkurs_block_account_id_bank_account"),
        ),
        sa.PrimaryKeyConstraint("account_id", "party_id", name=op.f("pk_bank_konkurs_block")),
    )
    with op.batch_alter_table("bank_konkurs_block", schema=None) as batch_op:
        batch_op.create_index("ix_bank_konkurs_block_party_id", ["party_id"], unique=False)

    op.create_table(
        "bank_feed_cursor",
        sa.Column("feed", sa.String(length=32), nullable=False),
        sa.Column("position", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("feed", name=op.f("pk_bank_feed_cursor")),
    )


def downgrade() -> None:
    op.drop_table("bank_feed_cursor")
    with op.batch_alter_table("bank_konkurs_block", schema=None) as batch_op:
        batch_op.drop_index("ix_bank_konkurs_block_party_id")
    op.drop_table("bank_konkurs_block")
    with op.batch_alter_table("bank_konkurs_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_bank_konkurs_notice_debitor")
    op.drop_table("bank_konkurs_notice")
