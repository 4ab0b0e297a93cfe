"""--demo for real: the embedded hub, the fleet simulator enrolling its agents through the real flow,
and every school of a small demo city turning online on the map."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from console.cli import parse_options
from services.school_state import SchoolState
from tests.console.hub.conftest import CITY_SCHOOLS, DEMO_ADMIN, DEMO_ADMIN_PASSWORD

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_demo_schools_come_online_through_the_fleet(
    qapp, qtbot, tmp_path: Path, compiled_translations, monkeypatch: pytest.MonkeyPatch
):
    from console.app import Console

    options = parse_options(
        [
            *("--demo", "--demo-schools", str(CITY_SCHOOLS), "--language", "en", "--no-dialogs"),
            *("--user", DEMO_ADMIN),
        ],
        environ={},
    )
    monkeypatch.setenv("SAFECAMPUS_PASSWORD", DEMO_ADMIN_PASSWORD)
    console = Console(qapp, options, tmp_path / "data")
    try:
        with qtbot.waitSignal(console.interactive, timeout=60_000):
            console.start()
        qtbot.waitUntil(lambda: console.all_online_after_s is not None, timeout=120_000)
        map_widget = console.map_page.map
        qtbot.waitUntil(lambda: map_widget.state_counts()[SchoolState.ONLINE] == CITY_SCHOOLS, timeout=5000)
        qtbot.waitUntil(lambda: console.agents_page.model.count("accepted") == CITY_SCHOOLS, timeout=10_000)
        fleet = console.network.fleet
        assert fleet is not None and fleet.is_running
        pid = fleet.pid
        assert pid is not None
    finally:
        console.shutdown()
        console.window.deleteLater()
    assert not console.network.fleet.is_running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped and reaped
    assert "agents newly enrolled" in (tmp_path / "data" / "fleet.log").read_text()
