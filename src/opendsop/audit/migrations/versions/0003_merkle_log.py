"""The verifiable log: leaves (commitments), the personal part apart, signed checkpoints.

The hash-chained ``audit_records`` become leaves: each record gets a fresh salt and its commitment
``SHA-256(salt ‖ sequence ‖ body)`` (``standard.auditlog``), numbered from 1 in their old order; its body
moves to ``audit_personal``.  The old tables are dropped.  A downgrade recreates them empty.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 03:00:00
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

from opendsop.standard import auditlog

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    leaves = op.create_table(
        "audit_leaves",
        sa.Column("sequence", _ID, primary_key=True, autoincrement=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("commitment", sa.LargeBinary(32), nullable=False),
        sa.Column("account_info_request_id", sa.String(64)),
        sa.Column("consumer_org", sa.String(16)),
        sa.Column("service", sa.String(64)),
        sa.Column("outcome", sa.String(32)),
        sa.Column("delivered", sa.Boolean(), nullable=True),
        sa.Column("api_version", sa.String(8), nullable=True),
    )
    op.create_index("ix_audit_leaves_recorded_at", "audit_leaves", ["recorded_at"])
    op.create_index("ix_audit_leaves_account_info_request_id", "audit_leaves", ["account_info_request_id"])
    op.create_index("ix_audit_leaves_consumer_org", "audit_leaves", ["consumer_org"])
    personal = op.create_table(
        "audit_personal",
        sa.Column("sequence", _ID, primary_key=True, autoincrement=False),
        sa.Column("salt", sa.LargeBinary(16), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("subject", sa.String(64)),
    )
    op.create_index("ix_audit_personal_subject", "audit_personal", ["subject"])
    op.create_table(
        "audit_checkpoints",
        sa.Column("size", _ID, primary_key=True, autoincrement=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    _carry_over(leaves, personal)
    op.drop_index("ix_audit_records_account_info_request_id", table_name="audit_records")
    op.drop_index("ix_audit_records_recorded_at", table_name="audit_records")
    op.drop_table("audit_records")
    op.drop_table("audit_anchor")


def _carry_over(leaves: sa.Table, personal: sa.Table) -> None:
    import msgspec

    bind = op.get_bind()
    old = sa.table(
        "audit_records",
        sa.column("sequence", _ID),
        sa.column("recorded_at", sa.DateTime(timezone=True)),
        sa.column("account_info_request_id", sa.String(64)),
        sa.column("body", sa.LargeBinary),
        sa.column("delivered", sa.Boolean()),
        sa.column("api_version", sa.String(8)),
    )
    sequence = 0
    for row in bind.execute(sa.select(old).order_by(old.c.sequence)):
        sequence += 1
        body, salt = bytes(row.body), os.urandom(auditlog.SALT_BYTES)
        fields = msgspec.json.decode(body)
        bind.execute(
            leaves.insert().values(
                sequence=sequence,
                recorded_at=row.recorded_at,
                commitment=auditlog.commitment(salt, sequence, body),
                account_info_request_id=row.account_info_request_id,
                consumer_org=fields.get("consumer_org"),
                service=fields.get("service"),
                outcome=str(fields.get("outcome", ""))[:32],
                delivered=row.delivered,
                api_version=row.api_version,
            )
        )
        bind.execute(personal.insert().values(sequence=sequence, salt=salt, body=body, subject=fields.get("party_id")))


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_index("ix_audit_personal_subject", table_name="audit_personal")
    op.drop_table("audit_personal")
    op.drop_index("ix_audit_leaves_consumer_org", table_name="audit_leaves")
    op.drop_index("ix_audit_leaves_account_info_request_id", table_name="audit_leaves")
    op.drop_index("ix_audit_leaves_recorded_at", table_name="audit_leaves")
    op.drop_table("audit_leaves")
    op.create_table(
        "audit_records",
        sa.Column("sequence", _ID, primary_key=True, autoincrement=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_info_request_id", sa.String(64)),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=True),
        sa.Column("api_version", sa.String(8), nullable=True),
    )
    op.create_index("ix_audit_records_recorded_at", "audit_records", ["recorded_at"])
    op.create_index("ix_audit_records_account_info_request_id", "audit_records", ["account_info_request_id"])
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("last_sequence", sa.BigInteger, nullable=False),
    )
