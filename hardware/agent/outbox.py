"""The durable outbox: what the agent has to tell the hub, kept on disk until the hub confirms it.

- Events stay until the hub answers `event_ack` naming them; alarms are never dropped. Ordinary
  events are capped (oldest dropped first, with a log line) so a months-long outage cannot fill the
  disk.
- Device status is collapsed to the latest value per device: only the newest state matters.
- After a reconnect the backlog is replayed alarms first, then other events, then the latest status.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

import msgspec

from services.protocol.agent_messages import ArgValue, DeviceStatus

log = logging.getLogger(__name__)


_status_encoder = msgspec.json.Encoder()
_status_decoder = msgspec.json.Decoder(DeviceStatus)


@dataclass(frozen=True, slots=True)
class PendingEvent:
    event_id: str
    priority: str
    kind: str
    occurred_at: float
    source: str
    details: dict[str, ArgValue]


@dataclass(frozen=True, slots=True)
class PendingStatus:
    devices: list[DeviceStatus]
    versions: dict[str, int]  # device id -> version, to mark exactly these values as sent


class Outbox:
    def __init__(self, conn: sqlite3.Connection, max_normal_events: int = 20_000) -> None:
        self._conn = conn
        self._max_normal = max_normal_events

    # --- events -------------------------------------------------------------------------

    def add_event(
        self,
        kind: str,
        *,
        priority: str = "normal",
        source: str = "",
        details: dict[str, ArgValue] | None = None,
        occurred_at: float | None = None,
        event_id: str | None = None,
    ) -> str:
        """Store an event durably (committed before returning) and return its id."""
        if priority not in ("alarm", "normal"):
            raise ValueError(f"event priority must be 'alarm' or 'normal', not {priority!r}")
        event_id = event_id or os.urandom(16).hex()
        self._conn.execute(
            "INSERT OR IGNORE INTO outbox_events (event_id, priority, kind, occurred_at, source, details)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                event_id,
                priority,
                kind,
                time.time() if occurred_at is None else occurred_at,
                source,
                json.dumps(details or {}),
            ),
        )
        if priority == "normal":
            self._trim_normal()
        return event_id

    def _trim_normal(self) -> None:
        (count,) = self._conn.execute(
            "SELECT COUNT(*) FROM outbox_events WHERE priority = 'normal'"
        ).fetchone()
        excess = int(count) - self._max_normal
        if excess > 0:
            self._conn.execute(
                "DELETE FROM outbox_events WHERE seq IN (SELECT seq FROM outbox_events"
                " WHERE priority = 'normal' ORDER BY seq LIMIT ?)",
                (excess,),
            )
            log.warning("outbox full: dropped the %d oldest ordinary events (alarms are kept)", excess)

    def backlog(
        self, limit: int = 1000, exclude: set[str] | frozenset[str] = frozenset()
    ) -> list[PendingEvent]:
        """Unacknowledged events in replay order: alarms first, then the rest, oldest first."""
        rows = self._conn.execute(
            "SELECT event_id, priority, kind, occurred_at, source, details FROM outbox_events"
            " ORDER BY CASE priority WHEN 'alarm' THEN 0 ELSE 1 END, seq LIMIT ?",
            (limit + len(exclude),),
        ).fetchall()
        events = [
            PendingEvent(
                event_id=r[0], priority=r[1], kind=r[2], occurred_at=r[3], source=r[4], details=_details(r[5])
            )
            for r in rows
            if r[0] not in exclude
        ]
        return events[:limit]

    def ack(self, event_ids: list[str]) -> int:
        """Remove the events the hub has stored; unknown ids (already acked) are ignored."""
        if not event_ids:
            return 0
        removed = 0
        self._conn.execute("BEGIN")
        try:
            for event_id in event_ids:
                removed += self._conn.execute(
                    "DELETE FROM outbox_events WHERE event_id = ?", (event_id,)
                ).rowcount
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return removed

    def event_count(self) -> int:
        (count,) = self._conn.execute("SELECT COUNT(*) FROM outbox_events").fetchone()
        return int(count)

    def has_event(self, event_id: str) -> bool:
        row = self._conn.execute("SELECT 1 FROM outbox_events WHERE event_id = ?", (event_id,)).fetchone()
        return row is not None

    # --- status -------------------------------------------------------------------------

    def set_status(self, status: DeviceStatus) -> bool:
        """Record a device's latest status; returns False when it is unchanged."""
        body = _status_encoder.encode(status).decode()
        row = self._conn.execute(
            "SELECT body FROM outbox_status WHERE device_id = ?", (status.device_id,)
        ).fetchone()
        if row is not None and row[0] == body:
            return False
        self._conn.execute(
            "INSERT INTO outbox_status (device_id, body, version) VALUES (?, ?, 1)"
            " ON CONFLICT (device_id) DO UPDATE SET body = excluded.body, version = version + 1",
            (status.device_id, body),
        )
        return True

    def all_status(self) -> list[DeviceStatus]:
        rows = self._conn.execute("SELECT body FROM outbox_status ORDER BY device_id").fetchall()
        return [_status_decoder.decode(r[0]) for r in rows]

    def pending_status(self) -> PendingStatus:
        """Devices whose latest status the hub has not been sent yet."""
        rows = self._conn.execute(
            "SELECT device_id, body, version FROM outbox_status WHERE version > sent_version"
            " ORDER BY device_id"
        ).fetchall()
        return PendingStatus(
            devices=[_status_decoder.decode(r[1]) for r in rows], versions={r[0]: int(r[2]) for r in rows}
        )

    def mark_status_sent(self, versions: dict[str, int]) -> None:
        """Mark these values as sent; a newer value recorded meanwhile stays pending."""
        for device_id, version in versions.items():
            self._conn.execute(
                "UPDATE outbox_status SET sent_version = ? WHERE device_id = ? AND sent_version < ?",
                (version, device_id, version),
            )

    def mark_all_status_unsent(self) -> None:
        """After a reconnect the hub may have lost what it was told: send every device again."""
        self._conn.execute("UPDATE outbox_status SET sent_version = 0")


def _details(text: str) -> dict[str, ArgValue]:
    value: Any = json.loads(text)
    return value if isinstance(value, dict) else {}
