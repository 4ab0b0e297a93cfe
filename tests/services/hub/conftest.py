from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services.hub.config import HubConfig
from services.hub.server import Hub
from services.protocol.keys import KeyPair
from tests.services.hub.fake_agent import FakeAgent

FAST = {"heartbeat_interval_s": 1.0, "late_after_s": 2.0, "offline_after_s": 4.0}


def make_config(database_url: str, key_dir: Path, **overrides: object) -> HubConfig:
    fields: dict[str, object] = {
        "database_url": database_url,
        "key_dir": key_dir,
        "agent_endpoint": "tcp://127.0.0.1:0",
        "enroll_endpoint": "tcp://127.0.0.1:0",
        "console_endpoint": "tcp://127.0.0.1:0",
        "console_update_interval_s": 0.05,
        "ledger_flush_interval_s": 0.05,
        **FAST,
    }
    fields.update(overrides)
    return HubConfig(**fields)  # type: ignore[arg-type]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def hub_factory(tmp_path: Path) -> Iterator[Callable[..., Hub]]:
    hubs: list[Hub] = []

    def start(database_url: str, **overrides: object) -> Hub:
        hub = Hub(make_config(database_url, tmp_path / "keys", **overrides))
        hub.start()
        hubs.append(hub)
        return hub

    yield start
    for hub in hubs:
        hub.stop()


@pytest.fixture
def hub(hub_factory: Callable[..., Hub], sqlite_url: str) -> Hub:
    return hub_factory(sqlite_url)


@pytest.fixture
def agents() -> Iterator[Callable[..., FakeAgent]]:
    made: list[FakeAgent] = []

    def make(endpoint: str, server_key: bytes, keypair: KeyPair | None = None) -> FakeAgent:
        agent = FakeAgent(endpoint, server_key, keypair)
        made.append(agent)
        return agent

    yield make
    for agent in made:
        agent.close()


