"""Alembic environment: migrations run on the connection handed in by services.db.engine."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

# Importing the model modules registers their tables on Base.metadata.
from services.db import (  # noqa: F401
    access_models,
    broadcast_models,
    broadcast_records,
    incident_models,
    network_models,
)
from services.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = config.attributes["engine"]
        with engine.begin() as conn:
            _run(conn)
    else:
        _run(connection)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds tables safely.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported; run them against a database")
run_migrations_online()
