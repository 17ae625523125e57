"""Whether the answer was delivered, and the API version of the request, as queryable columns.

Both are also inside the hashed record body; rows written before this revision have neither (NULL).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 23:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_records") as batch_op:
        batch_op.add_column(sa.Column("delivered", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("api_version", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_records") as batch_op:
        batch_op.drop_column("api_version")
        batch_op.drop_column("delivered")
