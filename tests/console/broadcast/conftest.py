"""Fixtures for the broadcast page: a real database worker on SQLite, a fake hub, a bundled
catalog of clips written by the test, an operator with the dispatcher's broadcast rights."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services.broadcast.school_format import wav_from_pcm
from tests.console.broadcast.fakes import FakeHub, city
from tests.services.broadcast.audio_samples import tone_pcm

ALL_BROADCAST = ["view", "broadcast_routine", "broadcast_drill", "broadcast_emergency", "city_wide"]


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "audio"
    folder.mkdir()
    entries = []
    for key, title, title_zh, freq in (
        ("evacuate", "Evacuate", "紧急疏散", 660),
        ("lockdown", "Lockdown", "封闭校园", 880),
    ):
        clip = wav_from_pcm(tone_pcm(1.0, freq=freq))
        (folder / f"{key}.wav").write_bytes(clip.wav)
        entries.append(
            {
                "key": key,
                "file": f"{key}.wav",
                "sha256": clip.sha256,
                "title": title,
                "title_zh": title_zh,
                "kind": "alert",
            }
        )
    path = folder / "catalog.json"
    path.write_text(json.dumps({"clips": entries}), encoding="utf-8")
    return path


@pytest.fixture
def db_bridge(qtbot, tmp_path: Path) -> Iterator[object]:
    from console.db_bridge import DatabaseBridge

    bridge = DatabaseBridge()
    with qtbot.waitCallback(timeout=30_000) as opened:
        bridge.open(f"sqlite:///{tmp_path / 'broadcast.db'}", on_done=opened)
    yield bridge
    bridge.shutdown()


@pytest.fixture
def make_page(qtbot, tmp_path: Path, db_bridge, catalog) -> Iterator[Callable[..., object]]:
    from console.access.current_operator import CurrentOperator
    from console.broadcast.broadcast_page import BroadcastPage

    pages = []

    def make(permissions: list[str] | None = None, ask=None, probe=lambda: False, load: bool = True):
        hub = FakeHub()
        operator = CurrentOperator()
        operator.set_from_login(
            {"username": "li", "role": "dispatcher", "permissions": permissions or ALL_BROADCAST}
        )
        page = BroadcastPage(
            hub,
            db_bridge,
            operator,
            tmp_path / "data",
            catalog=catalog,
            ask=ask or (lambda _t, _n: True),
            probe=probe,
        )
        qtbot.addWidget(page)
        districts, schools = city()
        page.set_city(districts, schools)
        pages.append(page)
        page.fake_hub = hub
        page.test_operator = operator
        if load:
            qtbot.waitUntil(lambda: page.content.table.rowCount() >= 2, timeout=10_000)
        return page

    yield make
    for page in pages:
        page.shutdown()
