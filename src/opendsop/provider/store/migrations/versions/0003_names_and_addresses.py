"""Account nicknames and the parties' postal and electronic addresses (Bank_v2.yaml ``AccountDetail.name``;
Bank_v1.yaml ``AccountRole.postalAddress`` / ``electronicAddresses``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bank_party", schema=None) as batch_op:
        batch_op.add_column(sa.Column("postal_address", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("electronic_addresses", sa.Text(), nullable=True))
    with op.batch_alter_table("bank_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=70), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_account", schema=None) as batch_op:
        batch_op.drop_column("name")
    with op.batch_alter_table("bank_party", schema=None) as batch_op:
        batch_op.drop_column("electronic_addresses")
        batch_op.drop_column("postal_address")
