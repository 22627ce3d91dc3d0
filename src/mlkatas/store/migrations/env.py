"""Alembic's entry point, run by store.db: migrations use the engine the Database holds."""

from __future__ import annotations

from alembic import context

from mlkatas.store.models import Base

engine = context.config.attributes["connection_engine"]
with engine.begin() as connection:
    # render_as_batch: SQLite cannot ALTER most things in place; Alembic copies the table instead
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
