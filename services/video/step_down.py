"""Lower the wall's quality one tile at a time while the CPU is saturated, and raise it back slowly.

Above `high` CPU (share of all cores, e.g. 0.85) for `step_interval_s`, one more tile drops one
level (live main -> live sub -> overview), most expensive first, never a focused or alarmed tile.
Below `low` for `recover_after_s`, the tile lowered last comes back one level. One tile at a time,
with a pause between steps, so the wall never oscillates as a whole; each lowered tile keeps the
reason CPU_LOAD so it can say why it is not at full quality.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.video.tiers import LOWER_TIER, Tier, TierReason, TilePlan

_PROTECTED = (TierReason.FOCUS, TierReason.ALARM)
_COST_ORDER = {Tier.LIVE_MAIN: 0, Tier.LIVE_SUB: 1}


@dataclass(frozen=True, slots=True)
class StepDownPolicy:
    high: float = 0.85
    low: float = 0.60
    step_interval_s: float = 2.0
    recover_after_s: float = 10.0

    def __post_init__(self) -> None:
        if not 0 < self.low < self.high <= 1:
            raise ValueError(f"need 0 < low ({self.low}) < high ({self.high}) <= 1")


class LoadStepDown:
    """Feed it CPU samples and the current plans; it returns how many levels each tile is lowered."""

    def __init__(self, policy: StepDownPolicy | None = None) -> None:
        self.policy = policy or StepDownPolicy()
        self.lowered: dict[int, int] = {}
        self._order: list[int] = []  # tiles in the order they were lowered
        self._state_since: float | None = None
        self._state = "normal"
        self._last_step = float("-inf")

    def update(self, cpu_share: float, plans: Mapping[int, TilePlan], now: float) -> dict[int, int]:
        for gone in [t for t in self.lowered if t not in plans]:
            del self.lowered[gone]
            self._order.remove(gone)
        p = self.policy
        state = "high" if cpu_share >= p.high else "low" if cpu_share <= p.low else "normal"
        if state != self._state:
            self._state, self._state_since = state, now
        since = now - (self._state_since if self._state_since is not None else now)
        if state == "high" and since >= p.step_interval_s and now - self._last_step >= p.step_interval_s:
            victim = self._next_victim(plans)
            if victim is not None:
                self.lowered[victim] = self.lowered.get(victim, 0) + 1
                if victim in self._order:
                    self._order.remove(victim)
                self._order.append(victim)
                self._last_step = now
        elif self._order and state == "low" and min(since, now - self._last_step) >= p.recover_after_s:
            tile = self._order[-1]
            self.lowered[tile] -= 1
            if self.lowered[tile] == 0:
                del self.lowered[tile]
                self._order.pop()
            self._last_step = now
        return dict(self.lowered)

    def _next_victim(self, plans: Mapping[int, TilePlan]) -> int | None:
        candidates = []
        for tile_id, plan in plans.items():
            if plan.reason in _PROTECTED:
                continue
            tier = plan.tier
            for _ in range(self.lowered.get(tile_id, 0)):
                tier = LOWER_TIER.get(tier, tier)
            if tier in _COST_ORDER:
                candidates.append((_COST_ORDER[tier], -tile_id, tile_id))
        return min(candidates)[2] if candidates else None
