from __future__ import annotations

import asyncio
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hardware.streams.cameras import numbered_cameras, served_code
from hardware.streams.render import ClipRenderer
from hardware.streams.server import StreamServer
from hardware.streams.tsloop import PACKET, SYNC
from tests.hardware.streams.simulator import SimulatorProcess


async def _read_for(server: StreamServer, path: str, seconds: float) -> tuple[bytes, bytes]:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    header = await reader.readuntil(b"\r\n\r\n")
    body = bytearray()
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            chunk = await asyncio.wait_for(reader.read(65536), left)
        except TimeoutError:
            break
        if not chunk:
            break
        body += chunk
    writer.close()
    await writer.wait_closed()
    return header, bytes(body)


def test_feed_is_paced_at_real_time_and_starts_at_a_keyframe(clip_cache: Path) -> None:
    async def scenario() -> tuple[bytes, bytes, bytes, int]:
        server = StreamServer(numbered_cameras(2), ClipRenderer(clip_cache), port=0)
        await server.start()
        try:
            await server.prerender(("sub",))
            head_1, first = await _read_for(server, "/cam/SIM-0001/sub.ts", 0.3)
            head_2, longer = await _read_for(server, "/cam/SIM-0001/sub.ts", 3.0)
            head_404, _ = await _read_for(server, "/cam/NOPE/sub.ts", 0.3)
            return head_1 + head_2, first, longer, int(b" 404 " in head_404)
        finally:
            await server.close()

    heads, first, longer, not_found = asyncio.run(scenario())
    assert heads.count(b"200 OK") == 2 and b"video/mp2t" in heads
    assert not_found == 1
    # Starts on a packet boundary with the PAT, so a player can decode at once.
    assert first[0] == SYNC and first[1] & 0x1F == 0 and first[2] == 0
    assert len(longer) % PACKET == 0
    # About 400 kbit/s for 3 s plus at most one GOP of burst: real-time pacing, not a file dump.
    assert 80_000 < len(longer) < 400_000


def test_served_code_matches_only_this_simulator() -> None:
    assert served_code("http://127.0.0.1:8554/cam/A-1%2FB/sub.ts", "127.0.0.1", 8554) == "A-1/B"
    assert served_code("http://127.0.0.1:9000/cam/A/sub.ts", "127.0.0.1", 8554) is None
    assert served_code("rtsp://127.0.0.1:8554/cam/A/sub.ts", "127.0.0.1", 8554) is None
    assert served_code("http://127.0.0.1:8554/other/A/sub.ts", "127.0.0.1", 8554) is None


def _rgb_frames(url: str, seconds: float) -> list[bytes]:
    """Frames (64x36 RGB) decoded by ffmpeg from the live feed, one per second."""
    out = subprocess.run(
        ["ffmpeg", "-hide_banner", "-v", "error", "-probesize", "500000", "-analyzeduration", "1000000",
         "-i", url, "-t", str(seconds), "-vf",
         "fps=1,scale=64:36", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"],
        capture_output=True, check=False, timeout=30,
    )  # fmt: skip
    assert out.returncode == 0, f"ffmpeg could not decode {url}: {out.stderr.decode(errors='replace')}"
    size = 64 * 36 * 3
    frames = out.stdout
    return [frames[i : i + size] for i in range(0, len(frames) - size + 1, size)]


def _difference(a: bytes, b: bytes) -> float:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


@pytest.mark.slow
def test_cli_serves_distinct_moving_feeds_and_stops_cleanly(clip_cache: Path) -> None:
    sim = SimulatorProcess(clip_cache, cameras=2)
    try:
        template = sim.start()
        assert "/cam/{code}/{stream}.ts" in template
        one = _rgb_frames(sim.url("SIM-0001"), 2.5)
        two = _rgb_frames(sim.url("SIM-0002"), 1.5)
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(sim.url("SIM-0404"), timeout=5)
    finally:
        code = sim.stop()
    assert code == 0
    assert len(one) >= 2 and two
    # Two cameras look different; one camera a second later has moved.
    assert _difference(one[0], two[0]) > 5
    assert _difference(one[0], one[1]) > 1
