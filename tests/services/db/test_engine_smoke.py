from sqlalchemy import inspect, text

from services.db.engine import open_database, schema_is_current


def test_open_database_creates_the_schema(engine):
    tables = set(inspect(engine).get_table_names())
    assert {"districts", "schools", "school_contacts", "cameras", "alembic_version"} <= tables
    assert schema_is_current(engine)


def test_sqlite_runs_in_wal_mode(tmp_path):
    eng = open_database(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with eng.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        eng.dispose()
