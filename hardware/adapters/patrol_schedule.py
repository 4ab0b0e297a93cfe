"""The patrol schedule: rounds at set times of day, every checkpoint scanned within each round's window.

GB/T 29315-2022 asks for key areas to be patrolled at least five times a day; a school's schedule
says when (e.g. 07:30, 12:00, 17:30, 21:00, 02:00) and which checkpoints each round covers. A
checkpoint with no scan between a round's start and the end of its window is missed. Guard-tour
wands upload their scans when docked, so a round is judged `grace_s` after its window closes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hardware.adapters.base import AdapterOptionError

_DAY_S = 86400.0


@dataclass(frozen=True, slots=True)
class MissedCheckpoint:
    checkpoint: str
    round: str  # "HH:MM", the round's start in local time
    window_start: float
    window_end: float


def parse_round(text: str) -> dt.time:
    try:
        hours, minutes = text.split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise AdapterOptionError(f"patrol round {text!r}: expected HH:MM (00:00 to 23:59)") from None


class PatrolSchedule:
    def __init__(
        self,
        rounds: list[str],
        checkpoints: list[str],
        window_s: float = 1800.0,
        grace_s: float = 300.0,
        tz: dt.tzinfo | None = None,
    ) -> None:
        if not rounds:
            raise AdapterOptionError("option 'rounds': a patrol schedule needs at least one round")
        if not checkpoints:
            raise AdapterOptionError("option 'checkpoints': a patrol schedule needs at least one checkpoint")
        if not 0 < window_s < _DAY_S or grace_s < 0:
            raise AdapterOptionError("option 'window_min' must be within a day and 'grace_min' not negative")
        self.rounds = sorted({parse_round(r) for r in rounds})
        self.checkpoints = list(dict.fromkeys(checkpoints))
        self.window_s = window_s
        self.grace_s = grace_s
        # None: the agent machine's local time zone (the school's).
        self.tz = tz
        self._scans: dict[str, list[float]] = {}
        self._checked_until: float | None = None

    def record(self, checkpoint: str, scanned_at: float) -> None:
        self._scans.setdefault(checkpoint, []).append(scanned_at)

    def start(self, now: float) -> None:
        """Judge only rounds whose verdict falls after *now* (earlier ones were an earlier run's)."""
        self._checked_until = now

    def due(self, now: float) -> list[MissedCheckpoint]:
        """Checkpoints missed in the rounds whose verdict time passed since the last call."""
        since = now if self._checked_until is None else self._checked_until
        self._checked_until = now
        missed: list[MissedCheckpoint] = []
        for start in self._round_starts(since - self.window_s - self.grace_s - _DAY_S, now):
            end = start + self.window_s
            verdict = end + self.grace_s
            if not since < verdict <= now:
                continue
            label = dt.datetime.fromtimestamp(start, self.tz).strftime("%H:%M")
            for checkpoint in self.checkpoints:
                if not any(start <= t <= end for t in self._scans.get(checkpoint, ())):
                    missed.append(MissedCheckpoint(checkpoint, label, start, end))
        self._prune(now)
        return missed

    def _round_starts(self, begin: float, end: float) -> list[float]:
        day = dt.datetime.fromtimestamp(begin, self.tz).date()
        last = dt.datetime.fromtimestamp(end, self.tz).date()
        starts: list[float] = []
        while day <= last:
            for at in self.rounds:
                moment = dt.datetime.combine(day, at)
                # Local wall-clock time; .timestamp() of a naive time uses the machine's zone.
                starts.append((moment.replace(tzinfo=self.tz) if self.tz else moment).timestamp())
            day += dt.timedelta(days=1)
        return [s for s in starts if begin <= s <= end]

    def _prune(self, now: float) -> None:
        horizon = now - 2 * _DAY_S
        for checkpoint, times in self._scans.items():
            if times and times[0] < horizon:
                self._scans[checkpoint] = [t for t in times if t >= horizon]
