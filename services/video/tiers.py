"""What each tile of the wall decodes: live main, live sub, overview (keyframes only) or nothing.

- A tile that is not visible decodes nothing (HIDDEN).
- Up to `overview_above_tiles` visible tiles play live; past that the wall is an overview: tiles
  decode keyframes only (one picture a second at the default shapes) and a focused tile or a tile
  whose school raised an alarm goes live.
- Live tiles pick main or sub with their own StreamSelector (size, hysteresis, delay; more than 16
  tiles on screen -> all sub).
- The load step-down (services.video.step_down) then lowers chosen tiles one level further, with
  the reason kept so the tile can say why it is not live.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from services.video.stream_choice import StreamChoicePolicy, StreamKind, StreamSelector


class Tier(StrEnum):
    LIVE_MAIN = "live_main"
    LIVE_SUB = "live_sub"
    OVERVIEW = "overview"
    HIDDEN = "hidden"

    @property
    def stream(self) -> StreamKind | None:
        if self is Tier.LIVE_MAIN:
            return StreamKind.MAIN
        if self in (Tier.LIVE_SUB, Tier.OVERVIEW):
            return StreamKind.SUB
        return None

    @property
    def keyframes_only(self) -> bool:
        return self is Tier.OVERVIEW


# One step down the ladder, used by the load step-down.
LOWER_TIER = {Tier.LIVE_MAIN: Tier.LIVE_SUB, Tier.LIVE_SUB: Tier.OVERVIEW}


class TierReason(StrEnum):
    """Why a tile plays what it plays; the console shows a translated text for each."""

    SIZE = "size"  # main/sub by tile size
    MANY_TILES = "many_tiles"  # more than 16 on screen: all sub
    OVERVIEW = "overview"  # past the overview tile count
    FOCUS = "focus"  # live because focused
    ALARM = "alarm"  # live because of an alarm
    NOT_VISIBLE = "not_visible"
    CPU_LOAD = "cpu_load"  # stepped down by the load step-down


@dataclass(frozen=True, slots=True)
class TileView:
    tile_id: int
    visible: bool
    height_px: int
    focused: bool = False
    alarm: bool = False


@dataclass(frozen=True, slots=True)
class TilePlan:
    tier: Tier
    reason: TierReason


@dataclass(frozen=True, slots=True)
class TierPolicy:
    overview_above_tiles: int = 64
    stream_choice: StreamChoicePolicy = field(default_factory=StreamChoicePolicy)


class TierPlanner:
    """Keeps one StreamSelector per tile; `plan` maps the current views to tile plans."""

    def __init__(self, policy: TierPolicy | None = None) -> None:
        self.policy = policy or TierPolicy()
        self._selectors: dict[int, StreamSelector] = {}

    def plan(self, views: Iterable[TileView], now: float) -> dict[int, TilePlan]:
        views = list(views)
        visible = [v for v in views if v.visible]
        overview = len(visible) > self.policy.overview_above_tiles
        plans: dict[int, TilePlan] = {}
        for view in views:
            plans[view.tile_id] = self._plan_tile(view, len(visible), overview, now)
        # Tiles that left the wall forget their selector state.
        for gone in set(self._selectors) - {v.tile_id for v in views}:
            del self._selectors[gone]
        return plans

    def _plan_tile(self, view: TileView, visible_count: int, overview: bool, now: float) -> TilePlan:
        if not view.visible:
            return TilePlan(Tier.HIDDEN, TierReason.NOT_VISIBLE)
        selector = self._selectors.get(view.tile_id)
        if selector is None:
            selector = self._selectors[view.tile_id] = StreamSelector(self.policy.stream_choice)
        if overview and not (view.focused or view.alarm):
            return TilePlan(Tier.OVERVIEW, TierReason.OVERVIEW)
        # A focused or alarmed tile is judged by its own size, not by how crowded the wall is.
        crowd = 1 if (view.focused or view.alarm) else visible_count
        stream = selector.update(view.height_px, crowd, now)
        tier = Tier.LIVE_MAIN if stream is StreamKind.MAIN else Tier.LIVE_SUB
        if view.alarm:
            reason = TierReason.ALARM
        elif view.focused:
            reason = TierReason.FOCUS
        elif crowd > self.policy.stream_choice.max_main_tiles:
            reason = TierReason.MANY_TILES
        else:
            reason = TierReason.SIZE
        return TilePlan(tier, reason)


def apply_step_down(plans: Mapping[int, TilePlan], lowered: Mapping[int, int]) -> dict[int, TilePlan]:
    """Lower each tile in *lowered* by that many levels (never below overview), reason CPU_LOAD."""
    result = dict(plans)
    for tile_id, levels in lowered.items():
        plan = result.get(tile_id)
        if plan is None:
            continue
        tier = plan.tier
        for _ in range(levels):
            tier = LOWER_TIER.get(tier, tier)
        if tier is not plan.tier:
            result[tile_id] = TilePlan(tier, TierReason.CPU_LOAD)
    return result
