"""Migration 0002 (school network) goes up, down and up again on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from services.db.engine import alembic_config

NETWORK_TABLES = {
    "agents",
    "enrollment_tokens",
    "hub_epochs",
    "commands",
    "command_deliveries",
    "events",
    "console_keys",
}


def test_school_network_migration_round_trip(engine):
    assert set(inspect(engine).get_table_names()) >= NETWORK_TABLES
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert not NETWORK_TABLES & set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    tables = set(inspect(engine).get_table_names())
    assert tables >= NETWORK_TABLES
    indexes = {ix["name"]: ix for ix in inspect(engine).get_indexes("agents")}
    assert indexes["uq_agents_accepted_school"]["unique"]
