"""Alembic environment of the bank store: online only, on a connection handed in by the caller.

``opendsop.provider.store.migrations.upgrade`` opens an async engine and passes a synchronous
connection (``run_sync``) in ``config.attributes["connection"]``; there is no offline SQL mode.
"""

from __future__ import annotations

from alembic import context

from opendsop.provider.store.migrations import VERSION_TABLE
from opendsop.provider.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the bank-store migrations through opendsop.provider.store.migrations.upgrade()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    version_table=VERSION_TABLE,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
