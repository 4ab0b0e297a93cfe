"""The video engine a wall tile uses: a PlayerPool of worker processes and one StreamPlayer per tile.

    pool = PlayerPool(workers=2)
    player = pool.create_player()
    player.health_changed.connect(tile.on_health)      # (state, reason), always on the GUI thread
    player.play(url, QSize(192, 108), Tier.LIVE_SUB)    # or window_id=... for a native window
    frame = player.latest_frame()                       # VideoFrame(image, counter, timestamp) | None
    player.stop(); pool.close()

Players are spread over `workers` processes (0 runs them in this process, for tests and small
walls). Frames come back through shared memory; health comes back over a pipe, read by one
receiver thread and delivered as queued signals. A worker that dies costs its tiles a moment: they
turn OFFLINE ("worker_restarting"), a new worker starts after a short back-off and their streams
are played again. Nothing a worker or libvlc does can take the console down.

Signals (StreamPlayer): health_changed(state: str, reason: str).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from PySide6.QtCore import QObject, QSize, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from console.video.capabilities import detect_capabilities
from console.video.frames import FrameBuffer
from console.video.host import Health, PlayerHost, PlayRequest, WatchdogPolicy
from console.video.worker import worker_main
from services.video.tiers import Tier
from services.video.url_support import PlayerCapabilities, Unsupported, check_url

log = logging.getLogger(__name__)

RECEIVER_THREAD_NAME = "video-pool-receiver"
_RESTART_WINDOW_S = 60.0
_MAX_RESTARTS = 5


@dataclass(frozen=True, slots=True)
class VideoFrame:
    image: QImage
    counter: int
    timestamp: float


class StreamPlayer(QObject):
    """One tile's player. Create it with PlayerPool.create_player()."""

    health_changed = Signal(str, str)

    def __init__(self, pool: PlayerPool, player_id: int) -> None:
        super().__init__(pool)
        self._pool = pool
        self.player_id = player_id
        self.health = Health.OFFLINE.value
        self.reason = "stopped"
        self.url = ""
        self.tier: Tier | None = None
        self._buffer: FrameBuffer | None = None
        self._last_counter = -1

    def play(self, url: str, size: QSize, tier: Tier, window_id: int = 0) -> None:
        """Play *url* for a tile of *size* at *tier* (HIDDEN stops decoding)."""
        self.stop()
        self.url, self.tier = url, tier
        if tier is Tier.HIDDEN:
            return
        support = check_url(url, self._pool.capabilities)
        if not support.supported:
            assert support.problem is not None
            unusable = support.problem in (Unsupported.EMPTY, Unsupported.MALFORMED)
            self._set_health(Health.OFFLINE if unusable else Health.UNSUPPORTED, support.problem.value)
            return
        width, height = max(2, size.width()) & ~1, max(2, size.height()) & ~1
        if not window_id:
            self._buffer = FrameBuffer(width, height)
        request = PlayRequest(
            player_id=self.player_id,
            url=url,
            width=width,
            height=height,
            buffer_name=self._buffer.name if self._buffer else None,
            window_id=window_id,
            keyframes_only=tier.keyframes_only,
            decoder_threads=2 if tier is Tier.LIVE_MAIN else 1,
        )
        self._last_counter = -1
        self._set_health(Health.CONNECTING, "")
        self._pool._play(request)

    def stop(self) -> None:
        if self.tier is None:
            return
        self._pool._stop(self.player_id)
        self.tier = None
        if self._buffer is not None:
            # The worker stops before it detaches; the name is gone at once, the pages when both let go.
            self._buffer.close()
            self._buffer = None
        self._set_health(Health.OFFLINE, "stopped")

    def latest_frame(self, only_new: bool = True) -> VideoFrame | None:
        """The newest decoded picture (a copy), or None when there is none (or, with only_new, no
        new one since the last call)."""
        buffer = self._buffer
        if buffer is None:
            return None
        info = buffer.info()
        if info.counter == 0 or (only_new and info.counter == self._last_counter):
            return None
        self._last_counter = info.counter
        # One copy, straight out of shared memory (a wall takes ~1,000 of these a second).
        start = buffer.picture_offset(info.current)
        memory = buffer.shm.buf
        assert memory is not None
        view = memory[start : start + info.pitch * info.height]
        try:
            image = QImage(view, info.width, info.height, info.pitch, QImage.Format.Format_RGB32).copy()
        finally:
            view.release()
        return VideoFrame(image, info.counter, info.timestamp)

    def _set_health(self, state: Health | str, reason: str) -> None:
        state = str(state)
        if (state, reason) != (self.health, self.reason):
            self.health, self.reason = state, reason
            self.health_changed.emit(state, reason)


class _Worker:
    def __init__(self, index: int) -> None:
        self.index = index
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None
        self.players: dict[int, PlayRequest] = {}
        self.restarts: list[float] = []
        # Requests of this event-loop turn, sent as one message (see PlayerPool._queue).
        self.outbox: list[tuple[Any, ...]] = []


class PlayerPool(QObject):
    """Owns the player processes (or the in-process host) and routes health to StreamPlayers."""

    _health_received = Signal(int, str, str)
    _worker_died = Signal(int)

    def __init__(
        self,
        workers: int = 2,
        policy: WatchdogPolicy | None = None,
        capabilities: PlayerCapabilities | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.policy = policy or WatchdogPolicy()
        self.capabilities = capabilities or detect_capabilities()
        self._ids = itertools.count(1)
        self._players: dict[int, StreamPlayer] = {}
        self._health_received.connect(self._deliver_health)
        self._worker_died.connect(self._restart_worker)
        self._closed = False
        self._host: PlayerHost | None = None
        self._workers = [_Worker(i) for i in range(workers)]
        self._wake_r, self._wake_w = os.pipe()
        self._lock = threading.Lock()
        self._receiver: threading.Thread | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setObjectName("video-pool-flush")
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._flush)
        if workers == 0:
            self._host = PlayerHost(self._emit_reports, self.policy)
        else:
            self._context = multiprocessing.get_context("spawn")
            for worker in self._workers:
                self._spawn(worker)
            self._receiver = threading.Thread(target=self._receive, name=RECEIVER_THREAD_NAME, daemon=True)
            self._receiver.start()

    def create_player(self) -> StreamPlayer:
        player = StreamPlayer(self, next(self._ids))
        self._players[player.player_id] = player
        return player

    def worker_pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process is not None and w.process.pid]

    # --- routing -------------------------------------------------------------------------------
    def _play(self, request: PlayRequest) -> None:
        if self._host is not None:
            self._host.play(request)
            return
        worker = min(self._workers, key=lambda w: len(w.players))
        worker.players[request.player_id] = request
        self._queue(worker, ("play", request))

    def _stop(self, player_id: int) -> None:
        if self._host is not None:
            self._host.stop(player_id)
            return
        for worker in self._workers:
            if worker.players.pop(player_id, None) is not None:
                self._queue(worker, ("stop", player_id))

    def _queue(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        """Send *message* with the others of this event-loop turn. A wall page opening plays every
        tile in one turn: one pickled batch per worker instead of hundreds of pipe writes, and the
        worker applies them together (measured at 324 tiles: the worker took up to a second to read
        the requests one by one while the first players opened)."""
        worker.outbox.append(message)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot()
    def _flush(self) -> None:
        for worker in self._workers:
            if worker.outbox:
                batch, worker.outbox = worker.outbox, []
                self._send(worker, ("batch", batch))

    def _send(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        if worker.conn is None:
            return  # restarting: its players are replayed when it is back
        try:
            worker.conn.send(message)
        except (OSError, ValueError) as exc:
            log.info("video worker %d did not take a message: %s", worker.index, exc)

    def _emit_reports(self, reports: list[tuple[int, str, str]]) -> None:
        """From a worker's pipe or the in-process host's watchdog: to the GUI thread, queued."""
        for player_id, state, reason in reports:
            self._health_received.emit(int(player_id), str(state), str(reason))

    @Slot(int, str, str)
    def _deliver_health(self, player_id: int, state: str, reason: str) -> None:
        player = self._players.get(player_id)
        if player is not None and player.tier is not None:
            player._set_health(state, reason)

    # --- workers -------------------------------------------------------------------------------
    def _spawn(self, worker: _Worker) -> None:
        parent_conn, child_conn = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=worker_main,
            args=(child_conn, self.policy),
            name=f"safecampus-video-{worker.index}",
            daemon=True,
        )
        process.start()
        child_conn.close()
        with self._lock:
            worker.process, worker.conn = process, parent_conn
        # Anything queued for the dead process is covered by the replay of its players.
        worker.outbox.clear()
        if worker.players:
            self._send(worker, ("batch", [("play", request) for request in worker.players.values()]))
        os.write(self._wake_w, b"w")

    def _receive(self) -> None:
        while True:
            with self._lock:
                conns = {w.conn: w for w in self._workers if w.conn is not None}
                sentinels = {w.process.sentinel: w for w in self._workers if w.process is not None}
            ready = wait([*conns, *sentinels, self._wake_r])
            if self._wake_r in ready and os.read(self._wake_r, 64).endswith(b"q"):
                return
            for item in ready:
                if item in conns:
                    self._read_worker(conns[item])  # type: ignore[index]
            for item in ready:
                if item in sentinels:
                    self._forget_dead(sentinels[item])  # type: ignore[index]

    def _read_worker(self, worker: _Worker) -> None:
        conn = worker.conn
        if conn is None:
            return
        try:
            while conn.poll():
                kind, reports = conn.recv()
                if kind == "health":
                    self._emit_reports(reports)
        except (EOFError, OSError, ValueError):
            pass  # the sentinel reports the death

    def _forget_dead(self, worker: _Worker) -> None:
        with self._lock:
            process, conn = worker.process, worker.conn
            worker.process = worker.conn = None
        if process is None:
            return
        process.join(1)
        if conn is not None:
            conn.close()
        if not self._closed:
            self._worker_died.emit(worker.index)

    @Slot(int)
    def _restart_worker(self, index: int) -> None:
        if self._closed:
            return
        worker = self._workers[index]
        now = time.monotonic()
        worker.restarts = [t for t in worker.restarts if now - t < _RESTART_WINDOW_S] + [now]
        log.error(
            "video worker %d died; restarting it (%d restarts in the last minute), %d tiles affected",
            index, len(worker.restarts), len(worker.players),
        )  # fmt: skip
        for player_id in worker.players:
            self._deliver_health(player_id, Health.OFFLINE.value, "worker_restarting")
        if len(worker.restarts) > _MAX_RESTARTS:
            # A worker that keeps dying: hand its tiles to the others instead of looping.
            survivors = [w for w in self._workers if w is not worker and w.process is not None]
            if survivors:
                for request in worker.players.values():
                    target = min(survivors, key=lambda w: len(w.players))
                    target.players[request.player_id] = request
                    self._queue(target, ("play", request))
                worker.players.clear()
        self._spawn(worker)

    def close(self) -> None:
        """Stop every player and worker; joins all threads and processes."""
        if self._closed:
            return
        self._closed = True
        for player in list(self._players.values()):
            player.stop()
        if self._host is not None:
            self._host.close()
        self._flush_timer.stop()
        self._flush()
        for worker in self._workers:
            self._send(worker, ("close",))
        for worker in self._workers:
            process = worker.process
            if process is None:
                continue
            process.join(5)
            if process.is_alive():
                process.terminate()
                process.join(2)
            if process.is_alive():
                process.kill()
                process.join(2)
        if self._receiver is not None:
            os.write(self._wake_w, b"q")
            self._receiver.join(5)
        for worker in self._workers:
            if worker.conn is not None:
                worker.conn.close()
            if worker.process is not None:
                worker.process.close()
        os.close(self._wake_r)
        os.close(self._wake_w)
