"""Alembic migrations on both back ends: upgrade, idempotence, agreement with the models, downgrade."""

from __future__ import annotations

import logging

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from services.db.engine import alembic_config, create_database_engine, migrate, schema_is_current
from services.db.models import Base

MODEL_TABLES = {"districts", "schools", "school_contacts", "cameras"}


def _head(engine) -> str:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def _current(engine) -> tuple[str, ...]:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_heads()


def _upgrades_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Running upgrade")]


def test_a_fresh_database_upgrades_to_head_and_a_second_run_does_nothing(database_url, caplog):
    engine = create_database_engine(database_url)
    try:
        assert inspect(engine).get_table_names() == []
        caplog.set_level(logging.INFO, logger="alembic")
        migrate(engine)
        first = _upgrades_logged(caplog)
        assert first and first[0].startswith("Running upgrade  -> 0001")
        assert _current(engine) == (_head(engine),)
        assert MODEL_TABLES | {"alembic_version"} <= set(inspect(engine).get_table_names())
        caplog.clear()
        migrate(engine)
        assert _upgrades_logged(caplog) == []
        assert _current(engine) == (_head(engine),)
        assert schema_is_current(engine)
    finally:
        engine.dispose()


def test_the_migrated_schema_matches_the_models(engine):
    # Running the migrations imported every model module env.py names, so Base.metadata is complete.
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_downgrade_to_base_and_up_again(engine):
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert _current(engine) == ()
    assert not schema_is_current(engine)
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= MODEL_TABLES
    assert schema_is_current(engine)
