"""The pension institution's sync record: the months begun and done, and one row per member and month.

Revision ID: 0001
Revises:
Create Date: 2026-12-08 03:30:00
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
        "pension_sync_months",
        sa.Column("institution", sa.String(9), primary_key=True),
        sa.Column("employer", sa.String(9), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("listed", sa.Integer, nullable=False),
        sa.Column("skjermet", sa.Boolean, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
    )
    op.create_table(
        "pension_member_months",
        sa.Column("institution", sa.String(9), primary_key=True),
        sa.Column("employer", sa.String(9), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("person", sa.String(11), primary_key=True),
        sa.Column("facts", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pension_member_months")
    op.drop_table("pension_sync_months")
