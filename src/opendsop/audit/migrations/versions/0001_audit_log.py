"""The hash-chained audit log: records and the anchor a purge leaves (kept if they already exist).

Revision ID: 0001
Revises:
Create Date: 2026-12-07 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "audit_records" not in existing:  # created by an earlier create_all: kept as it is
        op.create_table(
            "audit_records",
            sa.Column(
                "sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=False
            ),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("account_info_request_id", sa.String(64)),
            sa.Column("body", sa.LargeBinary, nullable=False),
            sa.Column("previous_hash", sa.String(64), nullable=False),
            sa.Column("hash", sa.String(64), nullable=False),
        )
        op.create_index("ix_audit_records_recorded_at", "audit_records", ["recorded_at"])
        op.create_index("ix_audit_records_account_info_request_id", "audit_records", ["account_info_request_id"])
    if "audit_anchor" not in existing:
        op.create_table(
            "audit_anchor",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("hash", sa.String(64), nullable=False),
            sa.Column("last_sequence", sa.BigInteger, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("audit_anchor")
    op.drop_index("ix_audit_records_account_info_request_id", table_name="audit_records")
    op.drop_index("ix_audit_records_recorded_at", table_name="audit_records")
    op.drop_table("audit_records")
