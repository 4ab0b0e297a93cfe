"""Fixtures for the school-end tests: agent databases closed after each test."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hardware.agent.storage import open_agent_db


@pytest.fixture
def open_db() -> Iterator[Callable[[Path], sqlite3.Connection]]:
    opened: list[sqlite3.Connection] = []

    def opener(path: Path) -> sqlite3.Connection:
        conn = open_agent_db(path)
        opened.append(conn)
        return conn

    yield opener
    for conn in opened:
        conn.close()
