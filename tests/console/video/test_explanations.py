from __future__ import annotations

from pathlib import Path

import pytest

from console.video import host
from console.video.capabilities import detect_capabilities, plugin_dirs
from console.video.explanations import known_reasons, reason_text, state_text
from services.video.url_support import Unsupported

pytestmark = pytest.mark.gui

WATCHDOG_REASONS = {"connect_failed", "no_picture", "stream_ended", "frames_stopped", "player_failed"}


def test_every_reason_a_tile_can_get_has_a_sentence(qapp) -> None:
    reasons = {u.value for u in Unsupported} | WATCHDOG_REASONS | {"worker_restarting", "stopped"}
    assert reasons <= known_reasons()
    for reason in reasons:
        assert reason_text(reason).endswith(".")
    assert reason_text("") == ""
    assert {state_text(h.value) for h in host.Health} == {
        "Connecting", "Live", "Stalled", "Offline", "Cannot play",
    }  # fmt: skip


def test_watchdog_reasons_are_the_ones_the_host_uses() -> None:
    source = Path(host.__file__).read_text(encoding="utf-8")
    for reason in WATCHDOG_REASONS:
        assert f'"{reason}"' in source


def test_live555_in_the_plugin_path_means_rtsp(tmp_path, monkeypatch) -> None:
    detect_capabilities.cache_clear()
    try:
        baseline = detect_capabilities()
        (tmp_path / "access").mkdir()
        (tmp_path / "access" / "liblive555_plugin.so").write_bytes(b"")
        monkeypatch.setenv("VLC_PLUGIN_PATH", str(tmp_path))
        detect_capabilities.cache_clear()
        found = detect_capabilities()
    finally:
        monkeypatch.undo()
        detect_capabilities.cache_clear()
    assert found.rtsp and "live555" in found.detail
    # Debian's libvlc 3.0 has no live555 module, so there rtsp:// is unsupported.
    shipped = [f for d in plugin_dirs() for f in d.rglob("*live555*")]
    assert baseline.rtsp is bool(shipped)
