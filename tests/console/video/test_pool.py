from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from console.video.capabilities import detect_capabilities
from console.video.explanations import reason_text
from console.video.host import WatchdogPolicy
from console.video.pool import PlayerPool, StreamPlayer
from services.video.tiers import Tier
from tests.hardware.streams.simulator import SimulatorProcess

pytestmark = pytest.mark.gui

TILE = QSize(192, 108)
FAST_RETRY = WatchdogPolicy(
    tick_s=0.1, stall_s=3.0, connect_timeout_s=5.0, retry_initial_s=0.2, retry_max_s=1.0
)


@pytest.fixture
def pool(qapp) -> Iterator[PlayerPool]:
    p = PlayerPool(workers=0, policy=FAST_RETRY)
    yield p
    p.close()


def _pixels(image: QImage) -> np.ndarray:
    view = np.frombuffer(bytes(image.constBits()), dtype=np.uint8)
    return view.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4].astype(np.int16)


def _wait_health(qtbot, player: StreamPlayer, state: str, timeout_ms: int = 8000) -> float:
    start = time.monotonic()
    qtbot.waitUntil(lambda: player.health == state, timeout=timeout_ms)
    return time.monotonic() - start


def _wait_frame(qtbot, player: StreamPlayer, after: int = 0):
    frames = []

    def fresh() -> bool:
        frame = player.latest_frame()
        if frame is not None and frame.counter > after:
            frames.append(frame)
        return bool(frames)

    qtbot.waitUntil(fresh, timeout=8000)
    return frames[0]


def test_two_cameras_decode_to_different_moving_pictures(qtbot, pool: PlayerPool, simulator) -> None:
    one, two = pool.create_player(), pool.create_player()
    seen: list[tuple[str, str]] = []
    one.health_changed.connect(lambda s, r: seen.append((s, r)))
    one.play(simulator.url("SIM-0001"), TILE, Tier.LIVE_SUB)
    two.play(simulator.url("SIM-0002"), TILE, Tier.LIVE_SUB)
    _wait_health(qtbot, one, "live")
    _wait_health(qtbot, two, "live")
    assert seen[:2] == [("connecting", ""), ("live", "")]
    first = _wait_frame(qtbot, one)
    other = _wait_frame(qtbot, two)
    assert (first.image.width(), first.image.height()) == (192, 108)
    assert np.abs(_pixels(first.image) - _pixels(other.image)).mean() > 5  # different cameras
    qtbot.wait(1000)
    later = _wait_frame(qtbot, one, after=first.counter)
    assert later.counter > first.counter + 3
    assert later.timestamp > first.timestamp + 0.9
    assert np.abs(_pixels(first.image) - _pixels(later.image)).mean() > 1  # it moves


def _distinct_pictures(qtbot, player: StreamPlayer, seconds: float) -> tuple[int, int]:
    """(frames shown, distinct pictures among them) over *seconds*."""
    shown, distinct, last = 0, 0, b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        frame = player.latest_frame()
        if frame is not None:
            shown += 1
            pixels = bytes(frame.image.constBits())
            if pixels != last:
                distinct, last = distinct + 1, pixels
        qtbot.wait(15)
    return shown, distinct


def test_overview_tier_decodes_keyframes_only(qtbot, pool: PlayerPool, simulator) -> None:
    live, overview = pool.create_player(), pool.create_player()
    live.play(simulator.url("SIM-0001"), TILE, Tier.LIVE_SUB)
    overview.play(simulator.url("SIM-0002"), TILE, Tier.OVERVIEW)
    _wait_health(qtbot, live, "live")
    _wait_health(qtbot, overview, "live")
    _, live_pictures = _distinct_pictures(qtbot, live, 2.0)
    _, overview_pictures = _distinct_pictures(qtbot, overview, 2.0)
    # 15 fps live; one keyframe a second in the overview (libvlc repeats it between keyframes).
    assert live_pictures >= 15
    assert 1 <= overview_pictures <= 4
    overview.stop()
    assert (overview.health, overview.reason) == ("offline", "stopped")
    assert overview.latest_frame() is None


def test_rtsp_on_this_build_is_unsupported_with_the_fix(qtbot, pool: PlayerPool) -> None:
    player = pool.create_player()
    player.play("rtsp://10.1.2.3:554/Streaming/Channels/102", TILE, Tier.LIVE_SUB)
    if detect_capabilities().rtsp:
        assert player.health == "connecting"
        return
    assert (player.health, player.reason) == ("unsupported", "rtsp_without_live555")
    text = reason_text(player.reason)
    assert "RTSP" in text and "live555" in text and "HTTP" in text


def test_unknown_scheme_is_unsupported_and_garbage_is_offline(qtbot, pool: PlayerPool) -> None:
    player = pool.create_player()
    player.play("gopher://cam/1", TILE, Tier.LIVE_SUB)
    assert (player.health, player.reason) == ("unsupported", "unknown_scheme")
    player.play("not a url", TILE, Tier.LIVE_SUB)
    assert (player.health, player.reason) == ("offline", "malformed_url")
    assert "URL" in reason_text(player.reason)


def test_missing_stream_is_offline_with_the_reason(qtbot, pool: PlayerPool, simulator) -> None:
    player = pool.create_player()
    player.play(simulator.url("NO-SUCH-CAMERA"), TILE, Tier.LIVE_SUB)
    _wait_health(qtbot, player, "offline")
    assert player.reason == "connect_failed"
    assert "Retrying" in reason_text(player.reason)


@pytest.mark.slow
def test_server_death_stalls_within_3_s_and_recovers(qtbot, pool: PlayerPool, clip_dir) -> None:
    sim = SimulatorProcess(clip_dir, cameras=1)
    sim.start()
    try:
        player = pool.create_player()
        player.play(sim.url("SIM-0001"), TILE, Tier.LIVE_SUB)
        _wait_health(qtbot, player, "live")
        sim.kill()
        assert _wait_health(qtbot, player, "stalled", timeout_ms=3500) <= 3.5
        assert player.reason in ("stream_ended", "frames_stopped", "connect_failed")
        sim.start(prerender=False)  # same port, as a camera coming back
        _wait_health(qtbot, player, "live", timeout_ms=8000)
        frame = _wait_frame(qtbot, player)
        assert frame.image.width() == 192
    finally:
        sim.stop()


@pytest.mark.slow
@pytest.mark.expect_log(r"video worker 0 died")
def test_worker_crash_costs_its_tiles_a_moment(qtbot, simulator, caplog) -> None:
    pool = PlayerPool(workers=1, policy=FAST_RETRY)
    try:
        player = pool.create_player()
        player.play(simulator.url("SIM-0001"), TILE, Tier.LIVE_SUB)
        _wait_health(qtbot, player, "live", timeout_ms=15000)
        (pid,) = pool.worker_pids()
        os.kill(pid, signal.SIGKILL)
        _wait_health(qtbot, player, "offline")
        assert player.reason == "worker_restarting"
        _wait_health(qtbot, player, "live", timeout_ms=15000)
        assert pool.worker_pids() != [pid]
        assert _wait_frame(qtbot, player).counter > 0
    finally:
        pool.close()
    assert any("video worker 0 died" in r.getMessage() for r in caplog.records)
