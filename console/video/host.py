"""Many libvlc players in one process, each decoding into a tile's frame buffer, with a watchdog.

All libvlc control (play, stop, release, stats) runs on one thread, the host's watchdog thread.
libvlc's own callbacks (video lock/display, events) only store a pointer, flip a buffer index or
set a flag: calling libvlc from inside them can deadlock it. The watchdog, every `tick_s`:

- applies queued play/stop requests;
- turns a first frame into LIVE, an error event into OFFLINE ("connect_failed"), no frame for
  `stall_s` after being live into STALLED ("frames_stopped"), an ended stream into STALLED
  ("stream_ended"), and no first frame within `connect_timeout_s` into OFFLINE ("no_picture");
- retries a stalled or offline player after a jittered exponential back-off ("full jitter"), so a
  media server coming back is not hit by every tile at the same instant; the state stays
  STALLED/OFFLINE during retries and becomes LIVE with the first new frame.

No Qt here: this runs in worker processes (console/video/worker.py) as well as in tests.
"""

from __future__ import annotations

import ctypes
import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import vlc

from console.video.frames import FrameBuffer
from console.video.stills import stills_available
from console.video.ts_stills import STILL_PLAYER_TYPES, StillStreamLoop, make_still_player
from services.access.redaction import without_userinfo

log = logging.getLogger(__name__)

# --swscale-mode=0 (fast bilinear): the conversion to RV32 and the scaling to the tile cost more
# than the decode itself (perf on a 64-tile worker: libswscale 29 %, libavcodec 27 %); fast
# bilinear instead of bicubic measured 8-11 % less CPU per player for wall-sized tiles.
INSTANCE_ARGS = [
    "--quiet", "--no-audio", "--no-video-title-show", "--no-osd", "--no-spu", "--no-stats",
    "--no-snapshot-preview", "--no-xlib", "--drop-late-frames", "--skip-frames", "--swscale-mode=0",
]  # fmt: skip


class Health(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    STALLED = "stalled"
    OFFLINE = "offline"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class PlayRequest:
    player_id: int
    # May carry the camera's login (console/video/stream_access.py): never logged as it is.
    url: str = field(repr=False)
    width: int
    height: int
    # Shared-memory name of the frame buffer (video callbacks), or 0/None with window_id set.
    buffer_name: str | None
    window_id: int = 0
    keyframes_only: bool = False
    decoder_threads: int = 1
    network_caching_ms: int = 250


@dataclass(frozen=True, slots=True)
class WatchdogPolicy:
    tick_s: float = 0.2
    stall_s: float = 3.0
    connect_timeout_s: float = 10.0
    retry_initial_s: float = 0.5
    retry_max_s: float = 15.0
    # Keyframe stills: a picture per keyframe, and some cameras send one every 4-5 s. Such a tile
    # is stalled when its stream goes quiet for stall_s, or sends data but no picture for this long.
    still_picture_gap_s: float = 12.0


# (player_id, state, reason)
HealthReport = tuple[int, Health, str]
# Receives the reports of one watchdog pass together: after a page of tiles opens that is hundreds,
# and one message for all of them costs the watchdog one pipe write instead of hundreds.
HealthSink = Callable[[list[HealthReport]], None]


def media_options(request: PlayRequest) -> list[str]:
    options = [
        f":network-caching={request.network_caching_ms}",
        f":avcodec-threads={request.decoder_threads}",
        ":no-audio",
    ]
    if request.keyframes_only:
        # Only works as a media option; as an instance option libvlc 3 ignores it.
        options.append(":avcodec-skip-frame=3")
    return options


@dataclass(eq=False)
class _Slot:
    request: PlayRequest
    player: Any = None
    buffer: FrameBuffer | None = None
    callbacks: tuple[Any, ...] = ()
    state: Health = Health.CONNECTING
    reason: str = ""
    counter: int = 0
    last_frame: float = 0.0
    started: float = 0.0
    running: bool = False
    retry_at: float = 0.0
    attempts: int = 0
    # Set from libvlc's threads; read and cleared by the watchdog.
    flags: dict[str, bool] = field(default_factory=lambda: {"error": False, "ended": False})
    played_ms: int = -1  # native windows: the player's time at the last check


class PlayerHost:
    """The players of one process. Thread-safe API; health reported through *on_health*."""

    def __init__(
        self,
        on_health: HealthSink,
        policy: WatchdogPolicy | None = None,
        instance_args: list[str] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy or WatchdogPolicy()
        self._on_health = on_health
        self._rng = rng or random.Random()
        self._instance = vlc.Instance(INSTANCE_ARGS + (instance_args or []))
        self._slots: dict[int, _Slot] = {}
        self._requests: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._outbox: list[HealthReport] = []
        self._stills: StillStreamLoop | None = None
        self._stop = threading.Event()
        # Set by play()/stop(): requests are applied at once, not at the next tick.
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="video-watchdog", daemon=True)
        self._thread.start()

    # --- API (any thread) ----------------------------------------------------------------------
    def play(self, request: PlayRequest) -> None:
        self.submit([("play", request)])

    def stop(self, player_id: int) -> None:
        self.submit([("stop", player_id)])

    def submit(self, requests: list[tuple[str, Any]]) -> None:
        """("play", PlayRequest) and ("stop", player_id) requests, applied together, in order."""
        for request in requests:
            self._requests.put(request)
        if requests:
            self._wake.set()

    def close(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def frame_counts(self) -> dict[int, int]:
        return {pid: s.counter for pid, s in list(self._slots.items())}

    # --- watchdog thread ------------------------------------------------------------------------
    def _run(self) -> None:
        next_check = time.monotonic() + self.policy.tick_s
        try:
            while not self._stop.is_set():
                self._wake.wait(max(0.0, next_check - time.monotonic()))
                self._wake.clear()
                if self._stop.is_set():
                    break
                self._drain_requests()
                now = time.monotonic()
                if now >= next_check:
                    next_check = now + self.policy.tick_s
                    for slot in list(self._slots.values()):
                        try:
                            self._check(slot, now)
                        except Exception:
                            log.exception("video watchdog failed on player %d", slot.request.player_id)
                self._flush_reports()
        finally:
            for pid in list(self._slots):
                self._remove(pid)
            if self._stills is not None:
                self._stills.close()
            self._instance.release()

    def _drain_requests(self) -> None:
        pending: list[tuple[str, Any]] = []
        while True:
            try:
                pending.append(self._requests.get_nowait())
            except queue.Empty:
                break
        # Only the newest request per player counts: a tile switching streams quickly (layout
        # change, maximise) replaces its play request, and the older one's buffer is gone.
        newest = {(arg.player_id if kind == "play" else arg): i for i, (kind, arg) in enumerate(pending)}
        added: list[_Slot] = []
        for i, (kind, arg) in enumerate(pending):
            player_id = arg.player_id if kind == "play" else arg
            if newest[player_id] != i:
                continue
            self._remove(player_id)
            if kind == "play" and (slot := self._add(arg)) is not None:
                added.append(slot)
        # Started only once every new player is set up: a started keyframe player competes for
        # the GIL while it opens its stream, and with a page of them started one by one the last
        # waited a second for the watchdog to get to it (measured at 324 tiles).
        now = time.monotonic()
        for slot in added:
            self._start(slot, now)

    def _add(self, request: PlayRequest) -> _Slot | None:
        """Set up a player for *request* (not started yet); None when there is nothing to start."""
        slot = _Slot(request)
        self._slots[request.player_id] = slot
        if request.keyframes_only and request.buffer_name and stills_available(request.url):
            # The overview tier: keyframe stills from ffmpeg, not libvlc (see console/video/stills.py).
            try:
                slot.buffer = FrameBuffer(request.width, request.height, request.buffer_name)
            except FileNotFoundError:
                log.info("player %d: play request superseded", request.player_id)
                self._slots.pop(request.player_id, None)
                return None
            slot.player = make_still_player(request.url, slot.buffer, slot.flags, self._still_loop)
            self._report(slot, Health.CONNECTING, "")
            return slot
        try:
            slot.player = self._instance.media_player_new()
            if request.buffer_name:
                slot.buffer = FrameBuffer(request.width, request.height, request.buffer_name)
                self._attach_callbacks(slot)
            elif request.window_id:
                slot.player.set_xwindow(request.window_id)
            events = slot.player.event_manager()
            error_cb = _flag_setter(slot.flags, "error")
            end_cb = _flag_setter(slot.flags, "ended")
            events.event_attach(vlc.EventType.MediaPlayerEncounteredError, error_cb)
            events.event_attach(vlc.EventType.MediaPlayerEndReached, end_cb)
            slot.callbacks += (error_cb, end_cb)
        except FileNotFoundError:
            # The tile already replaced this request (its frame buffer is gone): nothing to do.
            log.info("player %d: play request superseded", request.player_id)
            self._slots.pop(request.player_id, None)
            if slot.player is not None:
                slot.player.release()
            return None
        except (OSError, ValueError) as exc:
            log.error("player %d cannot start: %s", request.player_id, exc)
            self._report(slot, Health.OFFLINE, "player_failed")
            return None
        self._report(slot, Health.CONNECTING, "")
        return slot

    def _still_loop(self) -> StillStreamLoop:
        """The overview tiles' reading thread, started with the first of them (watchdog thread)."""
        if self._stills is None:
            self._stills = StillStreamLoop()
        return self._stills

    def _attach_callbacks(self, slot: _Slot) -> None:
        buffer = slot.buffer
        assert buffer is not None
        base = ctypes.addressof(ctypes.c_char.from_buffer(buffer.shm.buf))
        addresses = (base + buffer.picture_offset(0), base + buffer.picture_offset(1))
        state = {"writing": 1}

        @vlc.CallbackDecorators.VideoLockCb  # type: ignore[misc]
        def lock(_opaque: Any, planes: Any) -> Any:
            index = 1 - buffer.info().current
            state["writing"] = index
            planes[0] = addresses[index]
            return None

        @vlc.CallbackDecorators.VideoDisplayCb  # type: ignore[misc]
        def display(_opaque: Any, _picture: Any) -> None:
            buffer.publish(state["writing"])

        slot.callbacks += (lock, display)
        slot.player.video_set_callbacks(lock, None, display, None)
        slot.player.video_set_format("RV32", buffer.width, buffer.height, buffer.pitch)

    def _start(self, slot: _Slot, now: float) -> None:
        if isinstance(slot.player, STILL_PLAYER_TYPES):
            slot.flags["error"] = slot.flags["ended"] = False
            slot.started, slot.running = now, True
            if slot.player.play() != 0:
                slot.flags["error"] = True
            return
        media = self._instance.media_new(slot.request.url, *media_options(slot.request))
        slot.player.set_media(media)
        media.release()
        slot.flags["error"] = slot.flags["ended"] = False
        slot.started = now
        slot.running = True
        slot.played_ms = -1
        if slot.player.play() != 0:
            slot.flags["error"] = True

    def _halt(self, slot: _Slot, state: Health, reason: str, now: float) -> None:
        """Stop the player and schedule a retry after a jittered, growing delay."""
        slot.player.stop()
        slot.running = False
        cap = min(self.policy.retry_max_s, self.policy.retry_initial_s * 2 ** min(slot.attempts, 16))
        slot.retry_at = now + self._rng.uniform(0.5 * cap, cap)
        slot.attempts += 1
        self._report(slot, state, reason)

    def _frames(self, slot: _Slot) -> int:
        if slot.buffer is not None:
            return slot.buffer.info().counter
        # A native window has no frame buffer to count, and the instance runs with --no-stats (its
        # counters stayed at zero, so such a tile never turned live): the playing time moving on
        # is the sign that pictures go out, and it stops when the stream does.
        played = int(slot.player.get_time())
        if played > 0 and played != slot.played_ms:
            slot.played_ms = played
            return slot.counter + 1
        return slot.counter

    def _check(self, slot: _Slot, now: float) -> None:
        if slot.player is None:
            return
        if not slot.running:
            if now >= slot.retry_at:
                log.debug("player %d: retry %d", slot.request.player_id, slot.attempts)
                self._start(slot, now)
            return
        frames = self._frames(slot)
        if frames != slot.counter:
            slot.counter, slot.last_frame = frames, now
            if slot.state is not Health.LIVE:
                slot.attempts = 0
                self._report(slot, Health.LIVE, "")
            return
        was_live = slot.state is Health.LIVE
        if slot.flags["error"]:
            self._halt(slot, Health.STALLED if was_live else Health.OFFLINE, "connect_failed", now)
        elif slot.flags["ended"]:
            self._halt(slot, Health.STALLED if was_live else Health.OFFLINE, "stream_ended", now)
        elif was_live and self._stalled(slot, now):
            self._halt(slot, Health.STALLED, "frames_stopped", now)
        elif not was_live and now - slot.started > self.policy.connect_timeout_s:
            state = Health.STALLED if slot.state is Health.STALLED else Health.OFFLINE
            self._halt(slot, state, "no_picture", now)

    def _stalled(self, slot: _Slot, now: float) -> bool:
        quiet = now - slot.last_frame
        if quiet <= self.policy.stall_s:
            return False
        data_at = getattr(slot.player, "data_at", None)  # keyframe stills: when the stream last sent
        if data_at is None:
            return True
        return now - data_at() > self.policy.stall_s or quiet > self.policy.still_picture_gap_s

    def _remove(self, player_id: int) -> None:
        slot = self._slots.pop(player_id, None)
        if slot is None or slot.player is None:
            return
        slot.player.stop()
        slot.player.release()
        slot.player = None
        if slot.buffer is not None:
            slot.buffer.close()

    def _report(self, slot: _Slot, state: Health, reason: str) -> None:
        if (state, reason) == (slot.state, slot.reason) and state is not Health.CONNECTING:
            return
        slot.state, slot.reason = state, reason
        # Every tile of a page connects at once: that line only when asked for.
        log.log(
            logging.DEBUG if state is Health.CONNECTING else logging.INFO,
            "player %d %s %s (%s)", slot.request.player_id, state, reason, without_userinfo(slot.request.url),
        )  # fmt: skip
        self._outbox.append((slot.request.player_id, state, reason))

    def _flush_reports(self) -> None:
        if self._outbox:
            reports, self._outbox = self._outbox, []
            self._on_health(reports)


def _flag_setter(flags: dict[str, bool], name: str) -> Callable[[Any], None]:
    def callback(_event: Any) -> None:
        flags[name] = True

    return callback
