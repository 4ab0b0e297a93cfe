"""Jittered exponential back-off for reconnects and adapter restarts.

"Full jitter": each delay is drawn uniformly from [0, cap] where the cap doubles per attempt up to a
maximum. When a hub restarts, thousands of agents then spread their reconnects over the whole
window instead of arriving in synchronized waves.
"""

from __future__ import annotations

import random

_shared_rng = random.Random()


class Backoff:
    def __init__(
        self,
        initial_s: float = 0.5,
        max_s: float = 30.0,
        multiplier: float = 2.0,
        rng: random.Random | None = None,
    ) -> None:
        if initial_s <= 0 or max_s < initial_s or multiplier < 1:
            raise ValueError(
                f"bad back-off: initial_s={initial_s} must be > 0, max_s={max_s} >= initial_s, "
                f"multiplier={multiplier} >= 1"
            )
        self.initial_s = initial_s
        self.max_s = max_s
        self.multiplier = multiplier
        # One shared generator: seeding a new one per agent, adapter and session costs real time
        # when thousands start at once.
        self._rng = rng or _shared_rng
        self.attempts = 0

    def cap(self) -> float:
        """The upper bound of the next delay."""
        # Bound the exponent so a long outage cannot overflow the float.
        exponent = min(self.attempts, 64)
        return float(min(self.max_s, self.initial_s * self.multiplier**exponent))

    def next_delay(self) -> float:
        delay = self._rng.uniform(0.0, self.cap())
        self.attempts += 1
        return delay

    def reset(self) -> None:
        self.attempts = 0
