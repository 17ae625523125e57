"""Alembic environment of the pension sync record: online only, on a connection handed in by the caller."""

from __future__ import annotations

from alembic import context

from opendsop.pension.migrations import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the pension migrations through opendsop.pension.migrations.upgrade_engine()")

context.configure(connection=connection, target_metadata=None, render_as_batch=True, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
