"""WallPlayback: the overview tier's keyframe stills (PyAV and the ffmpeg fallback), on real streams."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSize

from console.pages.wall_playback import WallPlayback, decode_size, descendants
from console.video import stills
from console.video.frames import FrameBuffer
from console.video.host import WatchdogPolicy
from console.video.pool import PlayerPool
from services.video.tiers import Tier, TierPolicy
from tests.hardware.streams.simulator import SimulatorProcess
from widgets.video_wall import VideoWall, VisibleTile, WallCamera, grid_layout

pytestmark = pytest.mark.gui

FAST = WatchdogPolicy(tick_s=0.1, stall_s=3.0, connect_timeout_s=4.0, retry_initial_s=0.3, retry_max_s=1.0)


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    sim = SimulatorProcess(tmp_path_factory.mktemp("wall-playback-clips"), cameras=2)
    sim.start()
    yield sim
    sim.stop()


def cameras(sim: SimulatorProcess) -> list[WallCamera]:
    return [
        WallCamera(
            i,
            f"SIM-{i:04d}",
            f"Gate {i}",
            i,
            "Alpha",
            sim.url(f"SIM-{i:04d}", "main"),
            sim.url(f"SIM-{i:04d}", "sub"),
        )
        for i in (1, 2)
    ]


def test_decode_size_keeps_the_stream_shape_and_never_exceeds_it() -> None:
    tile = VisibleTile(0, WallCamera(1, "C", "C", 1, "S", "m", "s"), 1900, 1000, False, False)
    assert decode_size(tile, Tier.LIVE_SUB) == QSize(640, 360)
    # The stream's 16:9 fitted into the tile, never stretched to it.
    assert decode_size(tile, Tier.LIVE_MAIN) == QSize(1777, 1000)
    small = VisibleTile(0, tile.camera, 106, 58, False, False)
    assert decode_size(small, Tier.OVERVIEW) == QSize(103, 58)
    tall = VisibleTile(0, tile.camera, 118, 165, False, False)
    assert decode_size(tall, Tier.LIVE_SUB) == QSize(118, 66)


def test_an_overview_wall_shows_keyframe_stills_and_a_focused_tile_goes_live(qtbot, simulator) -> None:
    wall = VideoWall()
    qtbot.addWidget(wall)
    wall.resize(640, 360)
    playback = WallPlayback(
        wall, lambda: PlayerPool(workers=0, policy=FAST), tier_policy=TierPolicy(overview_above_tiles=1)
    )
    loads: list[tuple[int, int, float, str]] = []
    playback.loadChanged.connect(lambda *a: loads.append(a))
    try:
        wall.set_wall_layout(grid_layout(4))
        wall.show()
        wall.set_cameras(cameras(simulator))
        qtbot.waitUntil(
            lambda: playback.tile_tier(0) is Tier.OVERVIEW and playback.tile_tier(1) is Tier.OVERVIEW,
            timeout=2_000,
        )
        qtbot.waitUntil(
            lambda: wall.tile_image(0) is not None and wall.tile_image(1) is not None, timeout=10_000
        )
        qtbot.waitUntil(lambda: wall.tile_status(0).health == "live", timeout=5_000)
        assert wall.tile_status(0).tier_text == "Overview"
        image = wall.tile_image(0)
        assert (image.width(), image.height()) == (318, 178)  # the tile's size, even
        seen = wall.frames_shown[0]
        started = time.monotonic()
        qtbot.waitUntil(lambda: wall.frames_shown[0] >= seen + 2, timeout=4_000)
        # About one picture a second (a keyframe each), not fifteen.
        assert time.monotonic() - started > 0.8
        wall.select(1)  # focus: live again
        qtbot.waitUntil(lambda: playback.tile_tier(1) is Tier.LIVE_SUB, timeout=2_000)
        qtbot.waitUntil(lambda: bool(loads), timeout=2_000)
        live, tiles, cores, _text = loads[-1]
        assert tiles == 2 and 0 <= live <= 2 and cores >= 0
    finally:
        playback.close()
        wall.close()


def test_tiles_that_keep_playing_keep_their_status_when_the_wall_lays_out_again(qtbot, simulator) -> None:
    wall = VideoWall()
    qtbot.addWidget(wall)
    wall.resize(640, 360)
    playback = WallPlayback(wall, lambda: PlayerPool(workers=0, policy=FAST))
    try:
        wall.set_wall_layout(grid_layout(4))
        wall.show()
        wall.set_cameras(cameras(simulator))
        qtbot.waitUntil(lambda: wall.tile_status(0).health == "live", timeout=10_000)
        url = playback.tile_url(0)
        # The same cameras again: the wall starts its tiles afresh, the players go on.
        wall.set_cameras(cameras(simulator))
        qtbot.waitUntil(lambda: wall.tile_status(0).health == "live", timeout=2_000)
        assert playback.tile_url(0) == url and wall.tile_status(0).tier_text
    finally:
        playback.close()
        wall.close()


@pytest.mark.parametrize("kind", ["pyav", "ffmpeg"])
def test_still_players_write_distinct_pictures_into_the_buffer(kind: str, simulator) -> None:
    if kind == "pyav" and not stills.HAVE_PYAV:
        pytest.skip("PyAV is not installed")
    if kind == "ffmpeg" and stills.FFMPEG is None:
        pytest.skip("ffmpeg is not installed")
    made = stills.PyAvStillPlayer if kind == "pyav" else stills.KeyframeStillPlayer
    buffers = [FrameBuffer(160, 90), FrameBuffer(160, 90)]
    flags = [{"error": False, "ended": False}, {"error": False, "ended": False}]
    players = [made(simulator.url(f"SIM-{i + 1:04d}"), buffers[i], flags[i]) for i in (0, 1)]
    try:
        for p in players:
            assert p.play() == 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and min(b.info().counter for b in buffers) < 2:
            time.sleep(0.05)
        assert min(b.info().counter for b in buffers) >= 2
        pictures = []
        for b in buffers:
            _info, raw = b.copy_current()
            pictures.append(np.frombuffer(raw, dtype=np.uint8).astype(np.int16))
        assert pictures[0].std() > 20 and np.abs(pictures[0] - pictures[1]).mean() > 10
        assert not any(f["error"] for f in flags)
    finally:
        for p in players:
            p.release()
        for b in buffers:
            b.close()


def test_a_refused_stream_raises_the_error_flag(simulator) -> None:
    buffer = FrameBuffer(64, 36)
    flags = {"error": False, "ended": False}
    player = stills.PyAvStillPlayer("http://127.0.0.1:9/cam/none/sub.ts", buffer, flags)
    try:
        player.play()
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not (flags["error"] or flags["ended"]):
            time.sleep(0.05)
        assert flags["error"] or flags["ended"]
        assert buffer.info().counter == 0
    finally:
        player.release()
        buffer.close()


def test_descendants_include_children(tmp_path: Path) -> None:
    import os
    import subprocess

    child = subprocess.Popen(["sleep", "5"])
    try:
        assert child.pid in descendants([os.getpid()])
    finally:
        child.kill()
        child.wait()
