"""Skatteetaten's avtaleforhold registry: one row per institution, employer and avtalereferanse (kept if it
already exists, as the first version created it at start).

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
    if "otp_avtaleforhold" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "otp_avtaleforhold",
        sa.Column("institution", sa.String(9), primary_key=True),
        sa.Column("employer", sa.String(9), primary_key=True),
        sa.Column("reference", sa.String(200), primary_key=True),
        sa.Column("first_month", sa.String(7), nullable=False),
        sa.Column("last_month", sa.String(7), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("otp_avtaleforhold")
