"""Engines and schema migration for SQLite (embedded default) and PostgreSQL (shared hub).

`open_database(url)` is the one way in: it checks the URL, connects with a short timeout, applies
every Alembic migration up to head and returns the engine. Failures become `DatabaseError` with a
message an operator can act on, never a raw driver traceback.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(RuntimeError):
    """The database cannot be used; the message says why and what to check."""


def default_sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'safecampus.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the console's queries) run while the single writer works.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_database_engine(url: str) -> Engine:
    """Create an engine for *url* without touching the schema."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {url!r} ({exc})") from exc
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            folder = Path(database).expanduser().resolve().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"cannot create the database folder {folder}: {exc}") from exc
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 5}
    elif parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 5}
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise DatabaseError(
            f"no driver for {parsed.drivername!r}: install it "
            "(PostgreSQL: pip install 'safecampus[postgres]')"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


# Alembic's command API keeps its running environment in module globals: two threads migrating at
# once (the console's database worker and an embedded hub starting) break each other.
_MIGRATION_LOCK = threading.Lock()


def migrate(engine: Engine) -> None:
    """Apply all migrations up to head (a no-op when already current)."""
    cfg = alembic_config(engine)
    with _MIGRATION_LOCK, engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def schema_is_current(engine: Engine) -> bool:
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(script.get_heads())


def open_database(url: str) -> Engine:
    """Connect to *url*, bring its schema to head and return the engine.

    A password in SAFECAMPUS_DATABASE_PASSWORD completes a URL without one (docs/access.md)."""
    # Imported here: the secrets module builds on this package's models.
    from services.access.secrets import database_url_from_environment

    url = database_url_from_environment(url)
    engine = create_database_engine(url)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        safe_url = make_url(url).render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseError(f"cannot open the database {safe_url}: {reason}") from exc
    log.info("database ready: %s", engine.url.render_as_string(hide_password=True))
    return engine
