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
import time
from dataclasses import dataclass
from typing import Any

import msgspec

from hardware.agent.storage import AgentDb
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
    """One school's outbox in an agent store (*school* is the row scope: '' in the agent's own file)."""

    def __init__(self, db: AgentDb, max_normal_events: int = 20_000, *, school: str = "") -> None:
        self._db = db
        self._school = school
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
        """Store an event and return its id.

        Committed before this returns in an agent's own file; in a shared (group-commit) store at
        the end of this loop iteration, and the agent sends events only after that commit.
        """
        if priority not in ("alarm", "normal"):
            raise ValueError(f"event priority must be 'alarm' or 'normal', not {priority!r}")
        event_id = event_id or os.urandom(16).hex()
        self._db.write(
            "INSERT OR IGNORE INTO outbox_events"
            " (school, event_id, priority, kind, occurred_at, source, details) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                self._school,
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
        (count,) = self._db.read(
            "SELECT COUNT(*) FROM outbox_events WHERE school = ? AND priority = 'normal'", (self._school,)
        ).fetchone()
        excess = int(count) - self._max_normal
        if excess > 0:
            self._db.write(
                "DELETE FROM outbox_events WHERE seq IN (SELECT seq FROM outbox_events"
                " WHERE school = ? AND priority = 'normal' ORDER BY seq LIMIT ?)",
                (self._school, excess),
            )
            log.warning("outbox full: dropped the %d oldest ordinary events (alarms are kept)", excess)

    def backlog(
        self, limit: int = 1000, exclude: set[str] | frozenset[str] = frozenset()
    ) -> list[PendingEvent]:
        """Unacknowledged events in replay order: alarms first, then the rest, oldest first."""
        rows = self._db.read(
            "SELECT event_id, priority, kind, occurred_at, source, details FROM outbox_events"
            " WHERE school = ? ORDER BY CASE priority WHEN 'alarm' THEN 0 ELSE 1 END, seq LIMIT ?",
            (self._school, limit + len(exclude)),
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
        with self._db.atomic():
            for event_id in event_ids:
                removed += self._db.write(
                    "DELETE FROM outbox_events WHERE school = ? AND event_id = ?", (self._school, event_id)
                ).rowcount
        return removed

    def event_count(self) -> int:
        (count,) = self._db.read(
            "SELECT COUNT(*) FROM outbox_events WHERE school = ?", (self._school,)
        ).fetchone()
        return int(count)

    def has_event(self, event_id: str) -> bool:
        row = self._db.read(
            "SELECT 1 FROM outbox_events WHERE school = ? AND event_id = ?", (self._school, event_id)
        ).fetchone()
        return row is not None

    # --- status -------------------------------------------------------------------------

    def set_status(self, status: DeviceStatus) -> bool:
        """Record a device's latest status; returns False when it is unchanged."""
        body = _status_encoder.encode(status).decode()
        row = self._db.read(
            "SELECT body FROM outbox_status WHERE school = ? AND device_id = ?",
            (self._school, status.device_id),
        ).fetchone()
        if row is not None and row[0] == body:
            return False
        self._db.write(
            "INSERT INTO outbox_status (school, device_id, body, version) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (school, device_id) DO UPDATE SET body = excluded.body, version = version + 1",
            (self._school, status.device_id, body),
        )
        return True

    def all_status(self) -> list[DeviceStatus]:
        rows = self._db.read(
            "SELECT body FROM outbox_status WHERE school = ? ORDER BY device_id", (self._school,)
        ).fetchall()
        return [_status_decoder.decode(r[0]) for r in rows]

    def pending_status(self) -> PendingStatus:
        """Devices whose latest status the hub has not been sent yet."""
        rows = self._db.read(
            "SELECT device_id, body, version FROM outbox_status WHERE school = ? AND version > sent_version"
            " ORDER BY device_id",
            (self._school,),
        ).fetchall()
        return PendingStatus(
            devices=[_status_decoder.decode(r[1]) for r in rows], versions={r[0]: int(r[2]) for r in rows}
        )

    def mark_status_sent(self, versions: dict[str, int]) -> None:
        """Mark these values as sent; a newer value recorded meanwhile stays pending."""
        for device_id, version in versions.items():
            self._db.write(
                "UPDATE outbox_status SET sent_version = ?"
                " WHERE school = ? AND device_id = ? AND sent_version < ?",
                (version, self._school, device_id, version),
            )

    def mark_all_status_unsent(self) -> None:
        """After a reconnect the hub may have lost what it was told: send every device again."""
        self._db.write("UPDATE outbox_status SET sent_version = 0 WHERE school = ?", (self._school,))


def _details(text: str) -> dict[str, ArgValue]:
    value: Any = json.loads(text)
    return value if isinstance(value, dict) else {}
