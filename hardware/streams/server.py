"""HTTP MPEG-TS server for many simulated cameras from one process.

`GET /cam/{code}/{stream}.ts` (stream is main or sub) answers with an endless MPEG-TS stream, paced
at real time by the clip's PCR, as a camera or a media server would. A new viewer starts at the
latest keyframe (a burst of at most one GOP, so the first frame comes at once) and then follows the
same live position as every other viewer of that feed.

Why not libvlc's VLM broadcast: hardware/ must stay free of vlc (import-linter contract), and a
VLM broadcast transcodes or loops without rewriting timestamps; here a loop costs one patch pass
per clip every few seconds and pacing is one timer for all feeds, so hundreds of idle feeds cost
nothing and a watched sub feed costs a few microseconds per tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hardware.streams.render import ClipRenderer, FeedLabel, RenderError
from hardware.streams.shapes import STREAM_KINDS, StreamShape, shape_for
from hardware.streams.tsloop import PACKET, ClipError, LoopingClip, load_clip

log = logging.getLogger(__name__)

TICK_S = 0.04
# A viewer that cannot take its data (more than this much queued) is cut off, as a camera would.
MAX_QUEUED_BYTES = 8 * 1024 * 1024
_MAX_REQUEST_BYTES = 8192


LISTEN_BACKLOG = 4096


@dataclass(slots=True)
class _Viewer:
    writer: asyncio.StreamWriter
    # Absolute packet position (loop * packets + index) sent so far.
    sent: int


@dataclass(slots=True)
class _Feed:
    clip: LoopingClip
    viewers: list[_Viewer] = field(default_factory=list)
    loops: dict[int, bytes] = field(default_factory=dict)

    def loop_bytes(self, loop: int) -> bytes:
        data = self.loops.get(loop)
        if data is None:
            data = self.clip.loop_bytes(loop)
            # Viewers are never more than a loop apart, so two copies are enough.
            for old in [k for k in self.loops if k < loop - 1]:
                del self.loops[old]
            self.loops[loop] = data
        return data

    def slice(self, start: int, end: int) -> bytes:
        """Bytes of absolute packet positions [start, end), across loop boundaries."""
        n = self.clip.packets
        parts: list[bytes] = []
        while start < end:
            loop, index = divmod(start, n)
            stop = min(end - loop * n, n)
            parts.append(self.loop_bytes(loop)[index * PACKET : stop * PACKET])
            start = loop * n + stop
        return b"".join(parts)


class StreamServer:
    """Serves the feeds of the cameras given by *labels* (code -> label)."""

    def __init__(
        self,
        labels: dict[str, FeedLabel],
        renderer: ClipRenderer,
        host: str = "127.0.0.1",
        port: int = 8554,
        shapes: Callable[[str], StreamShape] = shape_for,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.labels = labels
        self.renderer = renderer
        self.host = host
        self.port = port
        self._shapes = shapes
        self._clock = clock
        self._epoch = clock()
        self._feeds: dict[tuple[str, str], _Feed] = {}
        self._loading: dict[tuple[str, str], asyncio.Future[_Feed]] = {}
        self._server: asyncio.Server | None = None
        self._ticker: asyncio.Task[None] | None = None
        self.connections = 0

    def url_template(self) -> str:
        return f"http://{self.host}:{self.port}/cam/{{code}}/{{stream}}.ts"

    async def start(self) -> None:
        # One server stands in for hundreds of cameras, and a wall page connects to all of them in
        # the same instant: with asyncio's default backlog of 100 the kernel dropped the other SYNs
        # and those players waited for the one-second retransmission (a real camera is one server
        # per camera and never sees that burst).
        self._server = await asyncio.start_server(
            self._handle, self.host, self.port, reuse_address=True, backlog=LISTEN_BACKLOG
        )
        sock = self._server.sockets[0]
        self.port = int(sock.getsockname()[1])
        self._ticker = asyncio.create_task(self._tick_forever(), name="streams-ticker")

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        for feed in self._feeds.values():
            for viewer in feed.viewers:
                viewer.writer.close()
            feed.viewers.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def prerender(self, streams: tuple[str, ...]) -> None:
        for code in self.labels:
            for stream in streams:
                await self._feed(code, stream)

    def _live_position(self, clip: LoopingClip) -> int:
        elapsed = self._clock() - self._epoch
        loop, offset = divmod(elapsed, clip.duration_s)
        return int(loop) * clip.packets + clip.index_at(offset)

    async def _feed(self, code: str, stream: str) -> _Feed:
        key = (code, stream)
        feed = self._feeds.get(key)
        if feed is not None:
            return feed
        pending = self._loading.get(key)
        if pending is None:
            pending = asyncio.get_running_loop().create_future()
            self._loading[key] = pending
            try:
                clip = await asyncio.to_thread(self._load, code, stream)
            except BaseException as exc:
                pending.set_exception(exc)
                pending.exception()  # mark retrieved: the requester below re-raises it
                raise
            finally:
                del self._loading[key]
            feed = _Feed(clip)
            self._feeds[key] = feed
            pending.set_result(feed)
            return feed
        return await asyncio.shield(pending)

    def _load(self, code: str, stream: str) -> LoopingClip:
        path: Path = self.renderer.clip(self.labels[code], stream, self._shapes(stream))
        return load_clip(path)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            writer.close()
            return
        if len(request) > _MAX_REQUEST_BYTES:
            await self._refuse(writer, 431, "Request Header Fields Too Large")
            return
        line = request.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] not in ("GET", "HEAD"):
            log.info("stream request refused from %s: %r", peer, line[:120])
            await self._refuse(writer, 400, "Bad Request")
            return
        route = _parse_path(parts[1])
        if route is None or route[0] not in self.labels:
            log.info("stream request for an unknown feed from %s: %s", peer, parts[1][:120])
            await self._refuse(writer, 404, "Not Found")
            return
        code, stream = route
        try:
            feed = await self._feed(code, stream)
        except (RenderError, ClipError, OSError) as exc:
            log.error("feed %s/%s cannot be served: %s", code, stream, exc)
            await self._refuse(writer, 503, "Service Unavailable")
            return
        header = (
            "HTTP/1.0 200 OK\r\nContent-Type: video/mp2t\r\nCache-Control: no-cache\r\n"
            "Connection: close\r\n\r\n"
        )
        writer.write(header.encode())
        if parts[0] == "HEAD":
            await _close(writer)
            return
        live = self._live_position(feed.clip)
        loop, index = divmod(live, feed.clip.packets)
        start = loop * feed.clip.packets + feed.clip.entry_before(index)
        writer.write(feed.slice(start, live))
        feed.viewers.append(_Viewer(writer, live))
        self.connections += 1
        # Wait for the viewer to hang up; the ticker does the sending.
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while await reader.read(4096):
                pass
        with contextlib.suppress(ValueError):
            feed.viewers.remove(next(v for v in feed.viewers if v.writer is writer))
        await _close(writer)

    async def _refuse(self, writer: asyncio.StreamWriter, status: int, reason: str) -> None:
        body = f"{status} {reason}\n".encode()
        writer.write(
            f"HTTP/1.0 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n".encode()
            + body
        )
        await _close(writer)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            self.tick()

    def tick(self) -> None:
        """Send every viewer what became due since the last tick."""
        for (code, stream), feed in self._feeds.items():
            if not feed.viewers:
                continue
            live = self._live_position(feed.clip)
            for viewer in list(feed.viewers):
                if viewer.writer.is_closing():
                    feed.viewers.remove(viewer)
                    continue
                if viewer.writer.transport.get_write_buffer_size() > MAX_QUEUED_BYTES:
                    log.info("viewer of %s/%s is too slow; disconnected", code, stream)
                    viewer.writer.close()
                    feed.viewers.remove(viewer)
                    continue
                if live > viewer.sent:
                    viewer.writer.write(feed.slice(viewer.sent, live))
                    viewer.sent = live


def _parse_path(path: str) -> tuple[str, str] | None:
    parsed = urllib.parse.urlsplit(path)
    segments = parsed.path.split("/")
    # ['', 'cam', code, 'sub.ts']
    if len(segments) != 4 or segments[0] or segments[1] != "cam" or not segments[3].endswith(".ts"):
        return None
    stream = segments[3][: -len(".ts")]
    code = urllib.parse.unquote(segments[2])
    if stream not in STREAM_KINDS or not code:
        return None
    return code, stream


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()
