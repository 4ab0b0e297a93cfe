"""The real hub for the access pages' tests: the small demo city of tests/console/hub with the
demo operator accounts, and a HubBridge linked to it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from console.hub.bridge import WORKER_THREAD_NAME, HubBridge, HubLink
from services.access.demo_accounts import seed_demo_operators
from services.db.engine import open_database
from services.demo_city import seed_demo_city
from services.hub.server import Hub
from services.protocol.keys import KeyPair
from tests.console.hub.conftest import CITY_SCHOOLS, console_keys, hub

__all__ = ["console_keys", "hub"]


@pytest.fixture
def city_url(tmp_path: Path) -> str:
    """The demo city with the demo operators (replaces tests/console/hub's city for `hub`)."""
    url = f"sqlite:///{tmp_path / 'city.db'}"
    engine = open_database(url)
    try:
        seed_demo_city(engine, schools=CITY_SCHOOLS)
        with Session(engine) as session:
            seed_demo_operators(session)
            session.commit()
    finally:
        engine.dispose()
    return url


@pytest.fixture
def hub_bridge(qtbot, hub: Hub, console_keys: KeyPair) -> Iterator[HubBridge]:
    """A bridge linked to the real hub (not yet logged in)."""
    bridge = HubBridge()
    bridge.start(HubLink(hub.console_endpoint, hub.public_key, console_keys, "test console", ""))
    try:
        qtbot.waitUntil(lambda: bridge.is_connected, timeout=20_000)
        yield bridge
    finally:
        bridge.shutdown()
        assert not [t for t in threading.enumerate() if t.name == WORKER_THREAD_NAME]
