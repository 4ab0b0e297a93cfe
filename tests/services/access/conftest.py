"""Shared helpers of the access tests: a session on the migrated test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s
