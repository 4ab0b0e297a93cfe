"""How many alarms arrived in the last minute: what an operator reads to tell a flood from a lull."""

from __future__ import annotations

import collections
import math

WINDOW_S = 60.0


class AlarmRate:
    """Counts in one-second buckets, so a flood costs a bounded amount of memory."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self._window_s = window_s
        self._buckets: collections.deque[list[int]] = collections.deque()  # [second, count]
        self._total = 0

    def add(self, now: float, count: int = 1) -> None:
        second = math.floor(now)
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1][1] += count
        else:
            self._buckets.append([second, count])
        self._total += count
        self._expire(now)

    def per_minute(self, now: float) -> float:
        """Alarms in the last window, scaled to a minute, rounded to one decimal."""
        self._expire(now)
        return round(self._total * 60.0 / self._window_s, 1)

    def _expire(self, now: float) -> None:
        oldest = math.floor(now - self._window_s)
        while self._buckets and self._buckets[0][0] <= oldest:
            self._total -= self._buckets.popleft()[1]
