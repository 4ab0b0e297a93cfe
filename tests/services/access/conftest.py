"""Shared helpers of the access tests: cheap password hashing and a session on the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2.profiles import CHEAPEST
from sqlalchemy.orm import Session

from services.access import passwords


@pytest.fixture(autouse=True)
def _cheap_hashing() -> Iterator[None]:
    # Production Argon2 costs about 0.1 s a hash; these tests hash hundreds of passwords.
    # test_passwords.py checks the production parameters explicitly.
    before = passwords.current_parameters()
    passwords.use_parameters(CHEAPEST)
    yield
    passwords.use_parameters(before)


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s
