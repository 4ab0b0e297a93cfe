"""The overview tier's stills for hundreds of tiles from one thread per worker.

A thread per tile (console/video/stills.py) wakes for every frame of every tile and takes the GIL
to hand each packet to Python; at 324 tiles that was most of the workers' CPU (perf: 38 % kernel,
mostly context switches) and it made a page's first pictures wait for each other. Here one thread
per worker process reads every overview tile's HTTP MPEG-TS stream with non-blocking sockets, picks
the keyframes out of the transport stream in place (console/video/ts_keyframes.py), decodes each
with libavcodec (one decoder per tile, the GIL released) and scales it once into the tile's buffer.

Streams it cannot read this way fall back to a PyAV player of their own, automatically: HTTPS,
host names (resolving would block the loop), redirects, a login the camera wants other than
Basic, chunked responses, and anything that is not MPEG-TS with H.264/HEVC.

    loop = StillStreamLoop()                                   # one per PlayerHost, started lazily
    player = TsStillPlayer(url, buffer, flags, loop)           # surface of the other still players
    player.play(); ...; player.stop(); loop.close()
"""

from __future__ import annotations

import base64
import errno
import ipaddress
import logging
import queue
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from console.video.frames import FrameBuffer
from console.video.stills import HAVE_PYAV, IO_TIMEOUT_S, KeyframeStillPlayer, PyAvStillPlayer, show_frame
from console.video.ts_keyframes import KeyframeExtractor
from services.access.redaction import without_userinfo

log = logging.getLogger(__name__)

if HAVE_PYAV:
    import av

MAX_HEADER_BYTES = 16 * 1024
RECEIVE_BYTES = 256 * 1024
TICK_S = 0.25


@dataclass(frozen=True, slots=True)
class HttpTarget:
    host: str
    port: int
    family: socket.AddressFamily
    request: bytes


def http_target(url: str) -> HttpTarget | None:
    """Where and what to ask for *url*, or None when this loop cannot read it (see module doc)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or 80
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() != "http" or not host:
        return None
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    netloc = f"[{host}]" if address.version == 6 else host
    # HTTP/1.0: no chunked transfer coding, and the server closes the stream when it ends.
    lines = [f"GET {path} HTTP/1.0", f"Host: {netloc}:{port}", "User-Agent: SafeCampus", "Accept: */*"]
    if parts.username is not None:
        login = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        lines.append("Authorization: Basic " + base64.b64encode(login.encode()).decode())
    return HttpTarget(host, port, family, ("\r\n".join(lines) + "\r\n\r\n").encode())


@dataclass(eq=False)
class _Feed:
    """One tile's stream inside the loop. Only the loop thread touches it after add()."""

    url: str = field(repr=False)
    target: HttpTarget = field(repr=False)
    buffer: FrameBuffer
    flags: dict[str, bool]
    fall_back: Callable[[_Feed], None]  # hand the tile to a general player
    sock: socket.socket | None = None
    state: str = "connecting"  # connecting, headers, body
    head: bytes = b""
    extractor: KeyframeExtractor = field(default_factory=KeyframeExtractor)
    decoder: Any = None
    last_io: float = 0.0


class StillStreamLoop:
    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._commands: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._feeds: set[_Feed] = set()
        self._thread = threading.Thread(target=self._run, name="video-stills", daemon=True)
        self._thread.start()

    # --- any thread ------------------------------------------------------------------------------
    def add(self, feed: _Feed) -> None:
        self._command(("add", feed))

    def remove(self, feed: _Feed) -> threading.Event:
        """Stop reading *feed*; the event is set once the loop no longer touches its buffer."""
        done = threading.Event()
        self._command(("remove", feed, done))
        return done

    def close(self, timeout: float = 5.0) -> None:
        self._command(("close",))
        self._thread.join(timeout)

    def _command(self, command: tuple[Any, ...]) -> None:
        self._commands.put(command)
        try:
            self._wake_w.send(b"w")
        except (BlockingIOError, OSError):
            pass  # already woken, or closing

    # --- loop thread -----------------------------------------------------------------------------
    def _run(self) -> None:
        next_tick = time.monotonic() + TICK_S
        try:
            while True:
                for key, _mask in self._selector.select(max(0.0, next_tick - time.monotonic())):
                    if key.data is None:
                        if not self._apply_commands():
                            return
                    else:
                        self._service_safely(key.data)
                now = time.monotonic()
                if now >= next_tick:
                    next_tick = now + TICK_S
                    for feed in list(self._feeds):
                        if now - feed.last_io > IO_TIMEOUT_S:
                            self._fail(feed, "error", f"no data for {IO_TIMEOUT_S:.0f} s ({feed.state})")
        finally:
            for feed in list(self._feeds):
                self._drop(feed)
            self._selector.close()
            self._wake_r.close()
            self._wake_w.close()

    def _apply_commands(self) -> bool:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return True
            if command[0] == "add":
                self._connect(command[1])
            elif command[0] == "remove":
                self._drop(command[1])
                command[2].set()
            else:
                return False

    def _connect(self, feed: _Feed) -> None:
        self._feeds.add(feed)
        feed.last_io = time.monotonic()
        sock = feed.sock = socket.socket(feed.target.family, socket.SOCK_STREAM)
        sock.setblocking(False)
        code = sock.connect_ex((feed.target.host, feed.target.port))
        if code not in (0, errno.EINPROGRESS):
            self._fail(feed, "error", f"connect: {errno.errorcode.get(code, code)}")
            return
        self._selector.register(sock, selectors.EVENT_WRITE, feed)

    def _service_safely(self, feed: _Feed) -> None:
        # One camera's stream, however malformed, costs that tile only: never the loop that reads
        # every other overview tile of this worker.
        try:
            self._service(feed)
        except Exception:
            log.exception("keyframe stills for %s failed", without_userinfo(feed.url))
            self._fail(feed, "error", "reader error")

    def _service(self, feed: _Feed) -> None:
        sock = feed.sock
        if sock is None:
            return
        if feed.state == "connecting":
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                self._fail(feed, "error", f"connect: {errno.errorcode.get(code, code)}")
                return
            try:
                sent = sock.send(feed.target.request)
            except OSError as exc:
                self._fail(feed, "error", f"request: {exc}")
                return
            if sent != len(feed.target.request):
                self._fail(feed, "error", "request not sent whole")
                return
            feed.state = "headers"
            self._selector.modify(sock, selectors.EVENT_READ, feed)
            return
        try:
            data = sock.recv(RECEIVE_BYTES)
        except BlockingIOError:
            return
        except OSError as exc:
            self._fail(feed, "error", f"read: {exc}")
            return
        if not data:
            self._fail(feed, "ended" if feed.state == "body" else "error", "the server closed the stream")
            return
        feed.last_io = time.monotonic()
        if feed.state == "headers":
            self._read_head(feed, data)
        else:
            self._read_body(feed, data)

    def _read_head(self, feed: _Feed, data: bytes) -> None:
        feed.head += data
        end = feed.head.find(b"\r\n\r\n")
        if end < 0:
            if len(feed.head) > MAX_HEADER_BYTES:
                self._fail(feed, "error", "response headers too long")
            return
        head, body = feed.head[:end].decode("latin-1"), feed.head[end + 4 :]
        feed.head = b""
        lines = head.split("\r\n")
        status = lines[0].split()
        code = int(status[1]) if len(status) > 1 and status[1].isdigit() else 0
        chunked = any(
            line.lower().startswith("transfer-encoding:") and "chunked" in line.lower() for line in lines[1:]
        )
        if code in (301, 302, 303, 307, 308, 401) or (code == 200 and chunked):
            self._hand_over(feed, f"HTTP {code}{' chunked' if chunked else ''}")
            return
        if code != 200:
            self._fail(feed, "error", f"HTTP {code or lines[0][:40]!r}")
            return
        feed.state = "body"
        if body:
            self._read_body(feed, body)

    def _read_body(self, feed: _Feed, data: bytes) -> None:
        units = feed.extractor.feed(data)
        if feed.extractor.problem is not None:
            self._hand_over(feed, f"stream: {feed.extractor.problem}")
            return
        if units:
            # Only the newest keyframe matters: an older one in the same read is already stale.
            self._show(feed, units[-1])

    def _show(self, feed: _Feed, unit: bytes) -> None:
        try:
            if feed.decoder is None:
                feed.decoder = av.CodecContext.create(feed.extractor.codec, "r")
                feed.decoder.thread_count = 1
                feed.decoder.flags |= int(av.codec.context.Flags.low_delay)
            frames = feed.decoder.decode(av.Packet(unit))
            if frames:
                show_frame(frames[-1], feed.buffer)
        except (av.FFmpegError, ValueError) as exc:
            # A damaged keyframe: the next one comes within seconds; the watchdog notices if none do.
            log.info("keyframe stills for %s: %s", without_userinfo(feed.url), exc)

    def _hand_over(self, feed: _Feed, why: str) -> None:
        log.debug("keyframe stills for %s: %s, using a general player", without_userinfo(feed.url), why)
        self._drop(feed)
        feed.fall_back(feed)

    def _fail(self, feed: _Feed, outcome: str, why: str) -> None:
        log.info("keyframe stills for %s: %s", without_userinfo(feed.url), why)
        self._drop(feed)
        feed.flags[outcome] = True

    def _drop(self, feed: _Feed) -> None:
        self._feeds.discard(feed)
        sock, feed.sock = feed.sock, None
        if sock is not None:
            try:
                self._selector.unregister(sock)
            except (KeyError, ValueError):
                pass
            sock.close()
        feed.decoder = None


class TsStillPlayer:
    """Same surface as the other still players: play() -> 0, stop(), release(); the host's flags."""

    def __init__(self, url: str, buffer: FrameBuffer, flags: dict[str, bool], loop: StillStreamLoop) -> None:
        self.url = url
        self.buffer = buffer
        self.flags = flags
        self._loop = loop
        self._lock = threading.Lock()
        self._feed: _Feed | None = None
        self._fallback: PyAvStillPlayer | KeyframeStillPlayer | None = None

    def play(self) -> int:
        self.stop()
        target = http_target(self.url)
        with self._lock:
            if target is None:
                self._fallback = _general_player(self.url, self.buffer, self.flags)
                return self._fallback.play()
            self._feed = _Feed(self.url, target, self.buffer, self.flags, self._fall_back)
            self._loop.add(self._feed)
        return 0

    def data_at(self) -> float:
        """When this tile's stream last sent anything (monotonic; 0.0 before it did)."""
        feed, fallback = self._feed, self._fallback
        if feed is not None:
            return feed.last_io
        if isinstance(fallback, PyAvStillPlayer):
            return fallback.data_at()
        return 0.0

    def _fall_back(self, feed: _Feed) -> None:
        """On the loop thread: this stream needs a general player."""
        with self._lock:
            if self._feed is not feed:
                return  # stopped meanwhile
            self._feed = None
            self._fallback = _general_player(self.url, self.buffer, self.flags)
            if self._fallback.play() != 0:
                self.flags["error"] = True

    def stop(self) -> None:
        with self._lock:
            feed, fallback = self._feed, self._fallback
            self._feed = self._fallback = None
        if feed is not None:
            self._loop.remove(feed).wait(2.0)
        if fallback is not None:
            fallback.stop()

    def release(self) -> None:
        self.stop()


STILL_PLAYER_TYPES = (TsStillPlayer, PyAvStillPlayer, KeyframeStillPlayer)


def make_still_player(
    url: str, buffer: FrameBuffer, flags: dict[str, bool], loop: Callable[[], StillStreamLoop]
) -> TsStillPlayer | PyAvStillPlayer | KeyframeStillPlayer:
    """The cheapest still player for *url*; *loop* gives the host's loop (started on first use)."""
    if HAVE_PYAV and http_target(url) is not None:
        return TsStillPlayer(url, buffer, flags, loop())
    return _general_player(url, buffer, flags)


def _general_player(
    url: str, buffer: FrameBuffer, flags: dict[str, bool]
) -> PyAvStillPlayer | KeyframeStillPlayer:
    return PyAvStillPlayer(url, buffer, flags) if HAVE_PYAV else KeyframeStillPlayer(url, buffer, flags)
