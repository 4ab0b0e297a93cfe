"""Rate limits for the hub's answers to bad input, so a flood costs bounded time and memory.

Per peer (the CURVE key, not the routing id a client may choose freely): error replies through a
token bucket, log lines as "the first N per minute, then one summary". The per-peer tables are
capped; the oldest entries are dropped first.
"""

from __future__ import annotations

import collections
import logging
import time
from dataclasses import dataclass

MAX_TRACKED_PEERS = 4096


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class ReplyLimiter:
    """Token bucket per peer: `burst` replies at once, then `rate` per second."""

    def __init__(self, rate: float = 5.0, burst: float = 20.0) -> None:
        self._rate = rate
        self._burst = burst
        self._buckets: collections.OrderedDict[str, _Bucket] = collections.OrderedDict()

    def allow(self, peer: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(peer)
        if bucket is None:
            bucket = _Bucket(self._burst, now)
            self._buckets[peer] = bucket
            if len(self._buckets) > MAX_TRACKED_PEERS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(peer)
            bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.stamp) * self._rate)
            bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        return False

    def __len__(self) -> int:
        return len(self._buckets)


@dataclass(slots=True)
class _Window:
    start: float
    logged: int
    suppressed: int


class LogLimiter:
    """Logs the first `per_minute` lines per peer in each minute, then a summary line."""

    def __init__(self, logger: logging.Logger, per_minute: int = 5, window_s: float = 60.0) -> None:
        self._log = logger
        self._per_minute = per_minute
        self._window_s = window_s
        self._windows: collections.OrderedDict[str, _Window] = collections.OrderedDict()

    def warning(self, peer: str, message: str, *args: object) -> bool:
        """Log at warning level unless over this peer's budget; returns whether it logged."""
        now = time.monotonic()
        window = self._windows.get(peer)
        if window is not None and now - window.start >= self._window_s:
            self._summarise(peer, window)
            window = None
        if window is None:
            window = _Window(now, 0, 0)
            self._windows[peer] = window
            if len(self._windows) > MAX_TRACKED_PEERS:
                old_peer, old = self._windows.popitem(last=False)
                self._summarise(old_peer, old)
        else:
            self._windows.move_to_end(peer)
        if window.logged < self._per_minute:
            window.logged += 1
            self._log.warning(message, *args)
            return True
        window.suppressed += 1
        return False

    def flush(self, force: bool = False) -> None:
        """Write the summaries of finished windows (called from the hub's timer)."""
        now = time.monotonic()
        for peer in list(self._windows):
            window = self._windows[peer]
            if force or now - window.start >= self._window_s:
                del self._windows[peer]
                self._summarise(peer, window)

    def _summarise(self, peer: str, window: _Window) -> None:
        if window.suppressed:
            self._log.warning(
                "%d more bad messages from %s in the last %.0f s were not logged",
                window.suppressed,
                peer,
                self._window_s,
            )
