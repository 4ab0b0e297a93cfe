"""Plays what a VideoWall shows: one StreamPlayer per on-screen tile, tiers, stream choice, load.

The wall says what is on screen (tilesChanged -> visible_tiles()); this decides what each tile
decodes with services.video (TierPlanner: hidden tiles nothing, main or sub by tile size with
hysteresis and delay, all sub past 16 tiles, overview past 64, live on focus or alarm; then the
LoadStepDown lowers tiles one at a time while the CPU is saturated) and serves the wall's frame
source from the players' shared-memory frames. A player is restarted only when its stream, tier,
login or decode size really changes, so a resize does not reconnect every camera.

What a player opens comes from a StreamAccessResolver (console/video/stream_access.py): the URL
with the camera's login, or why it plays without one. That URL goes to the player only;
`tile_url` gives the registry's.

Signals: loadChanged(live tiles, tiles, cpu cores, step-down text) about once a second.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from console.video.explanations import reason_text, state_text
from console.video.measure import cpu_seconds
from console.video.pool import PlayerPool, StreamPlayer
from console.video.stream_access import StreamAccess, StreamAccessResolver, plain_access
from services.video.step_down import LoadStepDown
from services.video.tiers import Tier, TierPlanner, TierPolicy, TierReason, TileView, apply_step_down
from widgets.video_wall import TileStatus, VideoWall, VisibleTile

PLAN_INTERVAL_MS = 500
REPLAN_DELAY_MS = 30
# Streams are never decoded larger than they are: the painter scales up a small picture.
NATIVE_SIZE = {
    Tier.LIVE_MAIN: QSize(1920, 1080),
    Tier.LIVE_SUB: QSize(640, 360),
    Tier.OVERVIEW: QSize(640, 360),
}
RESIZE_TOLERANCE = 0.2

PoolFactory = Callable[[], PlayerPool]


def descendants(roots: list[int]) -> list[int]:
    """*roots* and every process below them (keyframe players run ffmpeg under the workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], list(roots)
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def decode_size(tile: VisibleTile, tier: Tier) -> QSize:
    """The picture size to decode for *tile*: the stream's shape fitted into the tile (the wall
    letterboxes it; a camera picture is never stretched), never larger than the stream itself."""
    native = NATIVE_SIZE.get(tier, QSize(640, 360))
    fitted = native.scaled(QSize(max(2, tile.width), max(2, tile.height)), Qt.AspectRatioMode.KeepAspectRatio)
    return QSize(max(2, min(fitted.width(), native.width())), max(2, min(fitted.height(), native.height())))


def _close_enough(a: QSize, b: QSize) -> bool:
    return abs(a.width() - b.width()) <= RESIZE_TOLERANCE * b.width() and (
        abs(a.height() - b.height()) <= RESIZE_TOLERANCE * b.height()
    )


class WallPlayback(QObject):
    loadChanged = Signal(int, int, float, str)

    def __init__(
        self,
        wall: VideoWall,
        pool_factory: PoolFactory,
        tier_policy: TierPolicy | None = None,
        step_down: LoadStepDown | None = None,
        parent: QObject | None = None,
        stream_access: StreamAccessResolver = plain_access,
    ) -> None:
        super().__init__(parent)
        self.wall = wall
        self._stream_access = stream_access
        self._access: dict[int, StreamAccess] = {}
        self._pool_factory = pool_factory
        self._pool: PlayerPool | None = None
        self._planner = TierPlanner(tier_policy)
        self._step_down = step_down or LoadStepDown()
        self._players: list[StreamPlayer] = []
        self._playing: dict[int, tuple[str, Tier, QSize]] = {}
        self._plans: dict[int, tuple[Tier, TierReason]] = {}
        self._health: dict[int, tuple[str, str]] = {}
        self._lowered = 0
        self._cpu_last: tuple[float, float] | None = None
        self.cpu_cores = 0.0
        self._closed = False
        self._plan_timer = QTimer(self)
        self._plan_timer.setObjectName("wallPlaybackPlan")
        self._plan_timer.setInterval(PLAN_INTERVAL_MS)
        self._plan_timer.timeout.connect(self._tick)
        self._replan_timer = QTimer(self)
        self._replan_timer.setObjectName("wallPlaybackReplan")
        self._replan_timer.setSingleShot(True)
        self._replan_timer.setInterval(REPLAN_DELAY_MS)
        self._replan_timer.timeout.connect(self.replan)
        wall.tilesChanged.connect(self._replan_timer.start)
        wall.set_frame_source(self)

    @property
    def pool(self) -> PlayerPool | None:
        return self._pool

    def process_ids(self) -> list[int]:
        """This process, the player workers and what they run: the CPU the load indicator shows."""
        return [os.getpid(), *descendants(self._pool.worker_pids() if self._pool else [])]

    def prepare(self) -> None:
        """Start the player workers now (they take a second or two to load the video libraries),
        so the first camera dropped on the wall does not wait for them."""
        if self._pool is None and not self._closed:
            self._pool = self._pool_factory()

    # --- FrameSource ---------------------------------------------------------------------------
    def new_frame(self, index: int) -> QImage | None:
        if index not in self._playing:
            return None
        frame = self._players[index].latest_frame()
        return frame.image if frame is not None else None

    # --- planning ------------------------------------------------------------------------------
    def replan(self) -> None:
        if self._closed:
            return
        tiles = self.wall.visible_tiles() if self.wall.isVisible() else []
        if tiles:
            self.prepare()
        if tiles and not self._plan_timer.isActive():
            self._plan_timer.start()
        now = time.monotonic()
        views = [TileView(t.index, True, t.height, t.focused, t.alarm) for t in tiles]
        plans = self._planner.plan(views, now)
        lowered = self._step_down.update(self._cpu_share(), plans, now) if self._cpu_last else {}
        self._lowered = sum(1 for v in lowered.values() if v)
        plans = apply_step_down(plans, lowered)
        by_index = {t.index: t for t in tiles}
        for index in list(self._playing):
            if index not in by_index:
                self._stop(index)
        for tile in tiles:
            plan = plans[tile.index]
            self._apply(tile, plan.tier, plan.reason)

    def _apply(self, tile: VisibleTile, tier: Tier, reason: TierReason) -> None:
        while len(self._players) <= tile.index:
            assert self._pool is not None
            player = self._pool.create_player()
            index = len(self._players)
            player.health_changed.connect(lambda s, r, i=index: self._on_health(i, s, r))
            self._players.append(player)
        url = tile.camera.main_url if tier is Tier.LIVE_MAIN else tile.camera.sub_url
        access = self._stream_access(tile.camera, url)
        size = decode_size(tile, tier)
        current = self._playing.get(tile.index)
        changed_plan = self._plans.get(tile.index) != (tier, reason)
        self._plans[tile.index] = (tier, reason)
        if (
            current is not None
            and current[0] == url
            and current[1] is tier
            and _close_enough(size, current[2])
            and self._access.get(tile.index) == access  # a login stored or cleared restarts it
        ):
            # Also when nothing changed here: the wall forgets its tiles' statuses when it lays out
            # new tiles (a status it was given always has a health text), and a tile that kept
            # playing would say "connecting" for good. Checked cheaply: this runs twice a second
            # for every tile.
            if changed_plan or not self.wall.tile_status(tile.index).health_text:
                self._show_status(tile.index)
            return
        self._playing[tile.index] = (url, tier, size)
        self._access[tile.index] = access
        self._health[tile.index] = ("connecting", "")
        self._players[tile.index].play(access.url, size, tier)
        self._show_status(tile.index)

    def _stop(self, index: int) -> None:
        self._playing.pop(index, None)
        self._access.pop(index, None)
        self._plans.pop(index, None)
        self._health.pop(index, None)
        self._players[index].stop()

    def _on_health(self, index: int, state: str, reason: str) -> None:
        if index not in self._playing or (state == "offline" and reason == "stopped"):
            return
        self._health[index] = (state, reason)
        self._show_status(index)

    def _show_status(self, index: int) -> None:
        state, reason = self._health.get(index, ("connecting", ""))
        tier, why = self._plans.get(index, (Tier.HIDDEN, TierReason.NOT_VISIBLE))
        # Without its login a camera most likely fails for that reason: say so rather than guess.
        problem = self._access[index].problem if index in self._access else ""
        explanation = reason_text(problem if problem and state != "live" else reason)
        status = TileStatus(state, state_text(state), explanation, self.tier_text(tier, why))
        if index < self.wall.tile_count() and self.wall.tile_status(index) != status:  # else no repaint
            self.wall.set_tile_status(index, status)

    def tier_text(self, tier: Tier, reason: TierReason) -> str:
        names = {
            Tier.LIVE_MAIN: self.tr("Main"),
            Tier.LIVE_SUB: self.tr("Sub"),
            Tier.OVERVIEW: self.tr("Overview"),
        }
        text = names.get(tier, "")
        return f"{text} ↓" if reason is TierReason.CPU_LOAD else text

    def tile_tier(self, index: int) -> Tier | None:
        playing = self._playing.get(index)
        return playing[1] if playing else None

    def tile_url(self, index: int) -> str | None:
        playing = self._playing.get(index)
        return playing[0] if playing else None

    def live_tiles(self) -> int:
        return sum(1 for state, _ in self._health.values() if state == "live")

    # --- load ----------------------------------------------------------------------------------
    def _cpu_share(self) -> float:
        return self.cpu_cores / max(1, os.cpu_count() or 1)

    def _sample_cpu(self) -> None:
        now = time.monotonic()
        total = sum(cpu_seconds(pid) for pid in self.process_ids())
        if self._cpu_last is not None and now > self._cpu_last[0]:
            self.cpu_cores = max(0.0, (total - self._cpu_last[1]) / (now - self._cpu_last[0]))
        self._cpu_last = (now, total)

    def _tick(self) -> None:
        self._sample_cpu()
        self.replan()
        text = ""
        if self._lowered:
            text = self.tr("CPU busy: %n tile(s) lowered one step", "", self._lowered)
        self.loadChanged.emit(self.live_tiles(), len(self._playing), self.cpu_cores, text)

    def close(self) -> None:
        """Stop every player and the pool's workers."""
        self._closed = True
        self._plan_timer.stop()
        self._replan_timer.stop()
        self.wall.set_frame_source(None)
        for index in list(self._playing):
            self._stop(index)
        if self._pool is not None:
            self._pool.close()
            self._pool = None
