"""The agent's local SQLite store (outbox and command results in one file) and how writes become durable.

Two ways to make a write durable, behind one interface (`AgentDb`):
- `ImmediateDb`: a real agent with its own file. Every write is its own transaction, committed
  before the call returns (synchronous=FULL: it survives a power cut).
- `GroupCommitDb` (hardware/agent/group_commit.py): the fleet simulator, thousands of agents in one
  process sharing one file. The writes of one event-loop iteration form one transaction; what
  depends on them being durable (an acknowledgement, the start of a command, sending an event)
  runs after that commit through `after_commit`.

Every row carries a `school` scope: '' in an agent's own file, the school code in a shared file.
"""

from __future__ import annotations

import contextlib
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

SyncMode = Literal["full", "normal"]
Params = Sequence[Any]


SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    school TEXT NOT NULL DEFAULT '',
    event_id TEXT NOT NULL UNIQUE,
    priority TEXT NOT NULL CHECK (priority IN ('alarm', 'normal')),
    kind TEXT NOT NULL,
    occurred_at REAL NOT NULL,
    source TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_outbox_events_school ON outbox_events (school, priority, seq);
CREATE TABLE IF NOT EXISTS outbox_status (
    school TEXT NOT NULL DEFAULT '',
    device_id TEXT NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    sent_version INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (school, device_id)
);

CREATE TABLE IF NOT EXISTS commands (
    school TEXT NOT NULL DEFAULT '',
    command_id TEXT NOT NULL,
    action TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '{}',
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (school, command_id)
);
CREATE INDEX IF NOT EXISTS ix_commands_updated ON commands (school, updated_at);
CREATE TABLE IF NOT EXISTS activity_stops (
    school TEXT NOT NULL DEFAULT '',
    activity_key TEXT NOT NULL,
    issued_at REAL NOT NULL,
    command_id TEXT NOT NULL,
    PRIMARY KEY (school, activity_key)
);
"""
# Version 1 files had no school column (one agent per file). SQLite cannot change a primary key in
# place, so the old keys stay and unique indexes over (school, key) serve the new conflict targets;
# existing rows get the scope '' that an agent's own file uses.
_MIGRATE_1_TO_2 = """
ALTER TABLE outbox_events ADD COLUMN school TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS ix_outbox_events_school ON outbox_events (school, priority, seq);
ALTER TABLE outbox_status ADD COLUMN school TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX IF NOT EXISTS ux_outbox_status_school ON outbox_status (school, device_id);
ALTER TABLE commands ADD COLUMN school TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX IF NOT EXISTS ux_commands_school ON commands (school, command_id);
CREATE INDEX IF NOT EXISTS ix_commands_updated ON commands (school, updated_at);
ALTER TABLE activity_stops ADD COLUMN school TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX IF NOT EXISTS ux_activity_stops_school ON activity_stops (school, activity_key);
"""


class StorageError(RuntimeError):
    """The agent's local database cannot be opened or written."""


class AgentDb(ABC):
    """One SQLite connection to an agent store, and the rule that makes its writes durable."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    def read(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """Reads see every earlier write of this connection, committed or still in its batch."""
        return self.conn.execute(sql, params)

    @abstractmethod
    def write(self, sql: str, params: Params = ()) -> sqlite3.Cursor: ...

    @abstractmethod
    def atomic(self) -> contextlib.AbstractContextManager[None]:
        """Writes inside the block are applied together or not at all."""

    @abstractmethod
    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run *callback* once every write made so far is committed (at once if it already is)."""

    def close(self) -> None:
        self.conn.close()


class ImmediateDb(AgentDb):
    """Each write is committed before it returns: an agent in its own process, with its own file."""

    def write(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)  # autocommit: one transaction per statement

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        self.conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def after_commit(self, callback: Callable[[], None]) -> None:
        callback()


def connect_agent_db(path: Path, sync: SyncMode = "full") -> sqlite3.Connection:
    """Open (creating or upgrading if needed) the agent database file at *path*.

    WAL keeps writes cheap; synchronous=FULL makes every committed alarm survive a power cut, NORMAL
    survives a crash of the process (enough for simulated fleets, where thousands share one disk).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={'FULL' if sync == 'full' else 'NORMAL'}")
            conn.execute("PRAGMA busy_timeout=5000")
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            script = {0: _SCHEMA, 1: _MIGRATE_1_TO_2}.get(version)
            if script is not None:
                # One transaction: one commit instead of one per table (thousands of agents may
                # start at once), and a failed upgrade leaves the file as it was.
                conn.executescript(f"BEGIN; {script} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
            elif version != SCHEMA_VERSION:
                raise StorageError(
                    f"the agent database {path} has schema version {version}; this agent knows"
                    f" {SCHEMA_VERSION} (was it written by a newer agent?)"
                )
        except BaseException:
            conn.close()
            raise
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"cannot open the agent database {path}: {exc}") from exc
    return conn


def open_agent_db(path: Path, sync: SyncMode = "full") -> ImmediateDb:
    """An agent's own store at *path*: every write committed before it returns."""
    return ImmediateDb(connect_agent_db(path, sync), path)
