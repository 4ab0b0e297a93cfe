"""The agent's local SQLite file: outbox and command results share one file (one file descriptor)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Literal

SyncMode = Literal["full", "normal"]


SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    priority TEXT NOT NULL CHECK (priority IN ('alarm', 'normal')),
    kind TEXT NOT NULL,
    occurred_at REAL NOT NULL,
    source TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_outbox_events_priority ON outbox_events (priority, seq);
CREATE TABLE IF NOT EXISTS outbox_status (
    device_id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    sent_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS commands (
    command_id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '{}',
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS activity_stops (
    activity_key TEXT PRIMARY KEY,
    issued_at REAL NOT NULL,
    command_id TEXT NOT NULL
);
"""


class StorageError(RuntimeError):
    """The agent's local database cannot be opened or written."""


def open_agent_db(path: Path, sync: SyncMode = "full") -> sqlite3.Connection:
    """Open (creating if needed) the agent database at *path*: outbox and command tables.

    WAL keeps writes cheap; synchronous=FULL makes every committed alarm survive a power cut, NORMAL
    survives a crash of the process (enough for simulated fleets, where thousands share one disk).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={'FULL' if sync == 'full' else 'NORMAL'}")
        conn.execute("PRAGMA busy_timeout=5000")
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version != SCHEMA_VERSION:
            # One transaction: one commit instead of one per table (thousands of agents start at once
            # in the fleet simulator).
            conn.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"cannot open the agent database {path}: {exc}") from exc
    return conn
