"""The one-thread overview reader against real HTTP servers on 127.0.0.1 (the simulator, a login
relay, and small servers that redirect, refuse or end)."""

from __future__ import annotations

import base64
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from console.video import stills
from console.video.frames import FrameBuffer
from console.video.ts_stills import StillStreamLoop, TsStillPlayer, http_target, make_still_player
from tests.console.basic_auth_relay import BasicAuthRelay

pytestmark = pytest.mark.skipif(not stills.HAVE_PYAV, reason="PyAV is not installed")


@pytest.fixture
def loop() -> Iterator[StillStreamLoop]:
    loop = StillStreamLoop()
    yield loop
    loop.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True


@pytest.fixture
def http_server() -> Iterator[Callable[[Callable[[BaseHTTPRequestHandler], None]], str]]:
    """Start a server whose GET runs the given function; returns its base URL."""
    servers: list[tuple[_Server, threading.Thread]] = []

    def start(answer: Callable[[BaseHTTPRequestHandler], None]) -> str:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                answer(self)

        server = _Server(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, name="test-http")
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _wait(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _picture(buffer: FrameBuffer) -> np.ndarray:
    _info, raw = buffer.copy_current()
    return np.frombuffer(raw, dtype=np.uint8).astype(np.int16)


def _flags() -> dict[str, bool]:
    return {"error": False, "ended": False}


def test_http_target_reads_what_the_loop_can_serve() -> None:
    target = http_target("http://viewer:p%40ss@10.1.2.3:8080/cam/A/sub.ts?x=1")
    assert target is not None and (target.host, target.port) == ("10.1.2.3", 8080)
    request = target.request.decode()
    assert request.startswith("GET /cam/A/sub.ts?x=1 HTTP/1.0\r\nHost: 10.1.2.3:8080\r\n")
    assert "Authorization: Basic " + base64.b64encode(b"viewer:p@ss").decode() in request
    assert http_target("http://localhost/a.ts").host == "127.0.0.1"  # type: ignore[union-attr]
    assert http_target("http://[::1]:81/a.ts").port == 81  # type: ignore[union-attr]
    # The rest goes to a general player: TLS, names to resolve, other schemes, nonsense.
    for url in ("https://10.1.2.3/a.ts", "http://camera.school.example/a.ts", "rtmp://10.1.2.3/a", "http://:x"):
        assert http_target(url) is None


def test_two_cameras_give_distinct_moving_pictures(loop: StillStreamLoop, simulator) -> None:
    buffers = [FrameBuffer(160, 90), FrameBuffer(160, 90)]
    flags = [_flags(), _flags()]
    players = [TsStillPlayer(simulator.url(f"SIM-{i + 1:04d}"), buffers[i], flags[i], loop) for i in (0, 1)]
    try:
        started = time.monotonic()
        for p in players:
            assert p.play() == 0
        assert _wait(lambda: min(b.info().counter for b in buffers) >= 1)
        first_picture_s = time.monotonic() - started
        first = [_picture(b) for b in buffers]
        assert first[0].std() > 20 and np.abs(first[0] - first[1]).mean() > 10
        # The next keyframe (one a second) replaces the picture: it moves.
        assert _wait(lambda: buffers[0].info().counter >= 2, 4.0)
        assert np.abs(_picture(buffers[0]) - first[0]).mean() > 1
        assert first_picture_s < 2.0  # the server's burst starts at a keyframe
        assert not any(f["error"] or f["ended"] for f in flags)
    finally:
        for p in players:
            p.release()
        for b in buffers:
            b.close()


def test_refused_connection_and_http_errors_raise_the_error_flag(loop: StillStreamLoop, http_server) -> None:
    def not_found(handler: BaseHTTPRequestHandler) -> None:
        handler.send_error(404)

    base = http_server(not_found)
    for url in ("http://127.0.0.1:9/cam/none/sub.ts", f"{base}/cam/none/sub.ts"):
        buffer, flags = FrameBuffer(64, 36), _flags()
        player = TsStillPlayer(url, buffer, flags, loop)
        try:
            player.play()
            assert _wait(lambda flags=flags: flags["error"], 8.0), url
            assert buffer.info().counter == 0
        finally:
            player.release()
            buffer.close()


def _encode_ts(factory: pytest.TempPathFactory, seconds: int, keyframe_every: int) -> bytes:
    """An H.264 MPEG-TS of 320x180 at 10 fps with a keyframe every *keyframe_every* frames."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    path = factory.mktemp("ts") / "clip.ts"
    gop = str(keyframe_every)
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-v", "error",
         "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=10:duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
         "-f", "mpegts", "-y", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


@pytest.fixture(scope="module")
def short_ts(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return _encode_ts(tmp_path_factory, seconds=2, keyframe_every=10)


def test_a_stream_that_ends_shows_its_keyframes_then_raises_ended(
    loop: StillStreamLoop, http_server, short_ts: bytes
) -> None:
    def whole_file(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "video/mp2t")
        handler.end_headers()
        handler.wfile.write(short_ts)

    buffer, flags = FrameBuffer(160, 90), _flags()
    player = TsStillPlayer(http_server(whole_file) + "/clip.ts", buffer, flags, loop)
    try:
        player.play()
        assert _wait(lambda: flags["ended"])
        assert buffer.info().counter >= 1 and _picture(buffer).std() > 20
        assert not flags["error"]
    finally:
        player.release()
        buffer.close()


def test_a_redirect_is_handed_to_a_general_player(loop: StillStreamLoop, http_server, simulator) -> None:
    def moved(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", simulator.url("SIM-0002"))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    buffer, flags = FrameBuffer(160, 90), _flags()
    player = TsStillPlayer(http_server(moved) + "/cam/SIM-0002/sub.ts", buffer, flags, loop)
    try:
        player.play()
        assert _wait(lambda: buffer.info().counter >= 1)
        assert isinstance(player._fallback, stills.PyAvStillPlayer)
        assert _picture(buffer).std() > 20 and not flags["error"]
    finally:
        player.release()
        buffer.close()


def test_a_camera_login_is_sent_with_the_first_request(loop: StillStreamLoop, simulator) -> None:
    relay = BasicAuthRelay(simulator.template, "nvr-viewer", "se:cret")
    relay.start()
    buffer, flags = FrameBuffer(160, 90), _flags()
    url = relay.url("SIM-0001").replace("http://", "http://nvr-viewer:se%3Acret@")
    player = make_still_player(url, buffer, flags, lambda: loop)
    try:
        assert isinstance(player, TsStillPlayer)
        player.play()
        assert _wait(lambda: buffer.info().counter >= 1)
        assert relay.seen[:1] == ["accepted"]
    finally:
        player.release()
        buffer.close()
        relay.stop()


def test_stop_waits_until_the_loop_lets_go_of_the_buffer(loop: StillStreamLoop, simulator) -> None:
    for _ in range(3):
        buffer, flags = FrameBuffer(160, 90), _flags()
        player = TsStillPlayer(simulator.url("SIM-0001"), buffer, flags, loop)
        player.play()
        assert _wait(lambda buffer=buffer: buffer.info().counter >= 1)
        player.stop()
        counter = buffer.info().counter
        time.sleep(1.2)  # a keyframe a second: one would have arrived
        assert buffer.info().counter == counter
        buffer.close()  # no view into it is left (BufferError otherwise)


@pytest.mark.expect_log("keyframe stills for .* failed")
def test_a_reader_bug_on_one_stream_costs_that_tile_only(
    loop: StillStreamLoop, simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.video import ts_keyframes

    real_feed = ts_keyframes.KeyframeExtractor.feed

    def feed(self: ts_keyframes.KeyframeExtractor, data: bytes) -> list[bytes]:
        if getattr(self, "broken", False):
            raise RuntimeError("a bug")
        return real_feed(self, data)

    monkeypatch.setattr(ts_keyframes.KeyframeExtractor, "feed", feed)
    buffers = [FrameBuffer(160, 90), FrameBuffer(160, 90)]
    flags = [_flags(), _flags()]
    players = [TsStillPlayer(simulator.url(f"SIM-{i + 1:04d}"), buffers[i], flags[i], loop) for i in (0, 1)]
    try:
        players[0].play()
        assert players[0]._feed is not None
        players[0]._feed.extractor.broken = True  # type: ignore[attr-defined]
        players[1].play()
        assert _wait(lambda: flags[0]["error"])
        assert _wait(lambda: buffers[1].info().counter >= 2)  # the loop goes on for the other
        assert not flags[1]["error"]
    finally:
        for p in players:
            p.release()
        for b in buffers:
            b.close()


@pytest.fixture(scope="module")
def long_gop_ts(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """20 s with a keyframe every 5 s, as some cameras are set up."""
    return _encode_ts(tmp_path_factory, seconds=20, keyframe_every=50)


def test_a_camera_with_keyframes_seconds_apart_stays_live_while_it_sends(
    http_server, long_gop_ts: bytes
) -> None:
    from console.video.host import Health, PlayerHost, PlayRequest, WatchdogPolicy

    def in_real_time(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()
        step = len(long_gop_ts) // 200  # 20 s of stream in 0.1 s steps
        try:
            for start in range(0, len(long_gop_ts), step):
                handler.wfile.write(long_gop_ts[start : start + step])
                time.sleep(0.1)
        except OSError:
            pass  # the player went away

    url = http_server(in_real_time) + "/cam/long-gop.ts"
    buffer = FrameBuffer(160, 90)
    states: list[tuple[Health, str]] = []
    policy = WatchdogPolicy(tick_s=0.1, stall_s=3.0, still_picture_gap_s=12.0)
    host = PlayerHost(lambda reports: states.extend((s, r) for _id, s, r in reports), policy)
    try:
        host.play(PlayRequest(1, url, 160, 90, buffer.name, keyframes_only=True))
        assert _wait(lambda: (Health.LIVE, "") in states, 5.0)
        # Two gaps of 5 s between pictures while the stream flows: still live, not "stalled".
        assert _wait(lambda: buffer.info().counter >= 3, 12.0)
        assert states[-1] == (Health.LIVE, "") and not any(s is Health.STALLED for s, _ in states), states
    finally:
        host.close()
        buffer.close()
