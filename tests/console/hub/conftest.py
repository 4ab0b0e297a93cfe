"""Fixtures for the console's school-network tests: a small demo city on SQLite, a real Hub with
short presence timings on 127.0.0.1, fake agents speaking the protocol, and a Console whose
embedded hub uses the same short timings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from console.cli import parse_options
from services.access.demo_accounts import DEMO_ACCOUNTS, seed_demo_operators
from services.db.engine import open_database
from services.db.repository import list_school_summaries
from services.demo_city import seed_demo_city
from services.hub.config import HubConfig
from services.hub.server import Hub
from services.protocol import keys
from services.protocol.keys import KeyPair
from tests.services.hub.fake_agent import FakeAgent

CITY_SCHOOLS = 40
DEMO_ADMIN, _name, _role, _district, DEMO_ADMIN_PASSWORD = DEMO_ACCOUNTS[0]
# Presence moves quickly so silence shows within seconds; updates go out every 50 ms.
FAST_HUB = {
    "heartbeat_interval_s": 0.5,
    "late_after_s": 1.0,
    "offline_after_s": 2.5,
    "console_update_interval_s": 0.05,
    "ledger_flush_interval_s": 0.05,
}


@pytest.fixture
def city_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'city.db'}"
    engine = open_database(url)
    try:
        seed_demo_city(engine, schools=CITY_SCHOOLS)
        with Session(engine) as session, session.begin():
            seed_demo_operators(session)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def city_codes(city_url: str) -> list[str]:
    engine = open_database(city_url)
    try:
        return [s.code for s in list_school_summaries(engine)]
    finally:
        engine.dispose()


@pytest.fixture
def console_keys(tmp_path: Path) -> KeyPair:
    return keys.load_or_create(tmp_path / "console" / "console.key")


@pytest.fixture
def hub(city_url: str, tmp_path: Path, console_keys: KeyPair) -> Iterator[Hub]:
    config = HubConfig(
        database_url=city_url,
        key_dir=tmp_path / "hub",
        agent_endpoint="tcp://127.0.0.1:0",
        enroll_endpoint="tcp://127.0.0.1:0",
        console_endpoint="tcp://127.0.0.1:0",
        console_public_keys=(console_keys.public,),
        **FAST_HUB,  # type: ignore[arg-type]
    )
    server = Hub(config)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_agents() -> Iterator[Callable[..., FakeAgent]]:
    made: list[FakeAgent] = []

    def make(endpoint: str, server_key: bytes, keypair: KeyPair | None = None) -> FakeAgent:
        agent = FakeAgent(endpoint, server_key, keypair)
        made.append(agent)
        return agent

    yield make
    for agent in made:
        agent.close()





@pytest.fixture
def live_console(qapp, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiled_translations):
    """A console on a small demo city with its embedded hub (short presence timings), interactive
    and linked to the hub; shut down afterwards."""
    from console.app import Console

    monkeypatch.delenv("SAFECAMPUS_SETTINGS_DIR", raising=False)
    monkeypatch.delenv("SAFECAMPUS_DATABASE_URL", raising=False)
    options = parse_options(
        [
            *("--demo", "--demo-schools", str(CITY_SCHOOLS), "--language", "en"),
            *("--no-dialogs", "--no-fleet", "--operator", "王伟", "--user", DEMO_ADMIN),
        ]
    )
    monkeypatch.setenv("SAFECAMPUS_PASSWORD", DEMO_ADMIN_PASSWORD)
    options = replace(options)
    console = Console(qapp, options, tmp_path / "data", hub_overrides=dict(FAST_HUB))
    try:
        with qtbot.waitSignal(console.interactive, timeout=60_000):
            console.start()
        qtbot.waitUntil(lambda: console.network.bridge.is_connected, timeout=20_000)
        qtbot.waitUntil(lambda: console.login.operator.is_logged_in, timeout=20_000)
        yield console
    finally:
        console.shutdown()
        console.translations.set_language("en")
        console.window.deleteLater()
        qapp.processEvents()
