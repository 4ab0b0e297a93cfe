"""A broadcast's delivery, school by school: the states the operator sees and the latencies.

The hub's command ledger says queued -> sent -> received -> executing -> done | failed | expired,
or not_connected. For a broadcast, "executing" means the audio is playing (the agent reports it at
the moment the first sample reaches the amplifier), and "not connected" is shown as unreachable:
a school that never got the message is not a school where playback failed.

`DeliveryBook` keeps the latest state per school for one broadcast, applies the hub's delivery
updates (ignoring ones that would move a school backwards, since updates for a school may arrive
coalesced), and counts them. It is plain Python so the hub, tests and the console share it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class BroadcastState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    RECEIVED = "received"
    PLAYING = "playing"
    DONE = "done"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    EXPIRED = "expired"


STATE_ORDER: tuple[BroadcastState, ...] = tuple(BroadcastState)
FINAL_STATES = frozenset({BroadcastState.DONE, BroadcastState.FAILED, BroadcastState.EXPIRED})
_LEDGER = {
    "queued": BroadcastState.QUEUED,
    "sent": BroadcastState.SENT,
    "received": BroadcastState.RECEIVED,
    "executing": BroadcastState.PLAYING,
    "playing": BroadcastState.PLAYING,
    "done": BroadcastState.DONE,
    "failed": BroadcastState.FAILED,
    "expired": BroadcastState.EXPIRED,
    "not_connected": BroadcastState.UNREACHABLE,
    "unreachable": BroadcastState.UNREACHABLE,
}
# How far along a state is; a school never moves to a lower rank (unreachable may become sent when
# the agent comes back, so it ranks below sent).
_RANK = {
    BroadcastState.QUEUED: 0,
    BroadcastState.UNREACHABLE: 1,
    BroadcastState.SENT: 2,
    BroadcastState.RECEIVED: 3,
    BroadcastState.PLAYING: 4,
    BroadcastState.DONE: 5,
    BroadcastState.FAILED: 5,
    BroadcastState.EXPIRED: 5,
}


def broadcast_state(ledger_state: str) -> BroadcastState | None:
    """The broadcast state for a ledger state (None for one this console does not know)."""
    return _LEDGER.get(ledger_state)


@dataclass(slots=True)
class SchoolDelivery:
    """One school's row; times are the hub's clock (epoch seconds)."""

    school: str
    state: BroadcastState = BroadcastState.QUEUED
    reason: str = ""
    sent_at: float | None = None
    playing_at: float | None = None
    updated_at: float | None = None

    def latency_s(self, origin: float | None) -> float | None:
        """From the send to the school to the start of playback (from *origin*, the broadcast's
        first recorded time, when the school's "sent" was not seen)."""
        start = self.sent_at if self.sent_at is not None else origin
        if self.playing_at is None or start is None:
            return None
        return max(0.0, self.playing_at - start)


class DeliveryBook:
    """The per-school delivery of one broadcast; see the module docstring."""

    def __init__(self, schools: Iterable[str] = (), unreachable: Iterable[str] = ()) -> None:
        self.rows: dict[str, SchoolDelivery] = {}
        self.order: list[str] = []
        self.origin: float | None = None
        self.add(schools, BroadcastState.QUEUED)
        self.add(unreachable, BroadcastState.UNREACHABLE)

    def add(self, schools: Iterable[str], state: BroadcastState) -> None:
        for school in schools:
            if school not in self.rows:
                self.rows[school] = SchoolDelivery(school, state)
                self.order.append(school)

    def apply(self, school: str, ledger_state: str, reason: str, at: float) -> bool:
        """Apply one delivery update; True when the school's row changed."""
        state = broadcast_state(ledger_state)
        if state is None:
            return False
        row = self.rows.get(school)
        if row is None:
            self.add((school,), BroadcastState.QUEUED)
            row = self.rows[school]
        if self.origin is None or at < self.origin:
            self.origin = at
        timed = False
        if state == BroadcastState.SENT and row.sent_at is None:
            row.sent_at, timed = at, True
        if state == BroadcastState.PLAYING and row.playing_at is None:
            row.playing_at, timed = at, True
        if row.state in FINAL_STATES or _RANK[state] < _RANK[row.state]:
            return timed
        changed = (row.state, row.reason) != (state, reason)
        row.state, row.reason, row.updated_at = state, reason, at
        return changed or timed

    def apply_update(
        self, school: str, ledger_state: str, reason: str, at: float, started_at: float | None = None
    ) -> bool:
        """Apply one live delivery update. Updates are coalesced, so "sent" and "playing" often
        arrive as one "playing" or even "done": the agent's *started_at* is when the school's
        audio really began, so it is recorded as the playing time whatever state comes with it."""
        changed = False
        if started_at is not None:
            changed = self.apply(school, "playing", "", started_at)
        return self.apply(school, ledger_state, reason, at) or changed

    def apply_status(self, deliveries: Iterable[Mapping[str, Any]]) -> None:
        """Fill from a `command_status` answer ({school, state, reason, result, at} each); the
        agent's result of a playing/done school may carry when playback started."""
        for entry in deliveries:
            school, state, at = entry.get("school"), entry.get("state"), entry.get("at")
            if not isinstance(school, str) or not isinstance(state, str):
                continue
            when = float(at) if isinstance(at, int | float) and not isinstance(at, bool) else 0.0
            result = entry.get("result")
            started = result.get("started_at") if isinstance(result, dict) else None
            if isinstance(started, int | float) and not isinstance(started, bool):
                self.apply(school, "playing", "", float(started))
            reason = entry.get("reason")
            self.apply(school, state, reason if isinstance(reason, str) else "", when)

    def counts(self) -> dict[BroadcastState, int]:
        counts = dict.fromkeys(STATE_ORDER, 0)
        for row in self.rows.values():
            counts[row.state] += 1
        return counts

    def latencies(self) -> list[float]:
        values = (row.latency_s(self.origin) for row in self.rows.values())
        return sorted(v for v in values if v is not None)

    def is_finished(self) -> bool:
        """Every school has an outcome (final, or unreachable: still may come back until expiry)."""
        return all(
            row.state in FINAL_STATES or row.state == BroadcastState.UNREACHABLE for row in self.rows.values()
        )
