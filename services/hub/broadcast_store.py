"""Database jobs of the broadcast service (run by the hub's database writer, never the socket thread)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.db.broadcast_models import BroadcastClipAudio
from services.db.broadcast_records import BroadcastRecord
from services.db.models import District, School
from services.db.network_models import CommandDelivery
from services.protocol.states import DeliveryState

# Ledger states as an operator reads a broadcast: an agent that was never reached is unreachable.
_BROADCAST_STATE = {DeliveryState.NOT_CONNECTED.value: "unreachable"}


def broadcast_state(ledger_state: str) -> str:
    return _BROADCAST_STATE.get(ledger_state, ledger_state)


@dataclass(frozen=True, slots=True)
class Pending:
    """A broadcast not yet sent, as the hub keeps it between its acceptance and its time."""

    broadcast_id: str
    command_id: str
    title: str
    clip: str
    priority: str
    zones: tuple[str, ...]
    repeat: int
    drill: bool
    target: dict[str, Any]
    at: float | None
    ttl_s: float
    created_at: float
    operator: str

    @property
    def due_at(self) -> float:
        return self.created_at if self.at is None else self.at

    @property
    def expires_at(self) -> float:
        """After this moment the broadcast never starts anywhere."""
        return self.due_at + self.ttl_s

    def row(self, status: str, schools: int) -> dict[str, Any]:
        return {
            "broadcast_id": self.broadcast_id,
            "command_id": self.command_id,
            "title": self.title,
            "clip": self.clip,
            "priority": self.priority,
            "zones": list(self.zones),
            "repeat": self.repeat,
            "drill": self.drill,
            "target": self.target,
            "at": self.at,
            "ttl_s": self.ttl_s,
            "created_at": self.created_at,
            "sent_at": None,
            "status": status,
            "reason": "",
            "operator": self.operator,
            "schools": schools,
        }


def district_schools(session: Session, adcodes: list[str]) -> list[str]:
    stmt = (
        select(School.code)
        .join(District, School.district_id == District.id)
        .where(District.adcode.in_(adcodes))
    )
    return list(session.scalars(stmt))


def library_has(session: Session, sha256: str) -> bool:
    return session.get(BroadcastClipAudio, sha256) is not None


def library_bytes(session: Session, sha256: str) -> bytes | None:
    row = session.get(BroadcastClipAudio, sha256)
    return bytes(row.wav) if row is not None else None


def insert_job(pending: Pending, status: str, schools: int) -> Callable[[Session], None]:
    row = pending.row(status, schools)

    def job(session: Session) -> None:
        session.add(BroadcastRecord(**row))

    return job


def status_job(
    broadcast_id: str,
    status: str,
    *,
    reason: str = "",
    sent_at: float | None = None,
    schools: int | None = None,
) -> Callable[[Session], None]:
    values: dict[str, Any] = {"status": status, "reason": reason[:256]}
    if sent_at is not None:
        values["sent_at"] = sent_at
    if schools is not None:
        values["schools"] = schools

    def job(session: Session) -> None:
        session.execute(
            update(BroadcastRecord).where(BroadcastRecord.broadcast_id == broadcast_id).values(**values)
        )

    return job


def load_pending(session: Session) -> list[Pending]:
    """Broadcasts accepted but not sent when the hub stopped: scheduled or still syncing their clip."""
    rows = session.scalars(
        select(BroadcastRecord)
        .where(BroadcastRecord.status.in_(("scheduled", "syncing")))
        .order_by(BroadcastRecord.created_at)
    )
    return [
        Pending(
            broadcast_id=r.broadcast_id,
            command_id=r.command_id,
            title=r.title,
            clip=r.clip,
            priority=r.priority,
            zones=tuple(r.zones or ()),
            repeat=r.repeat,
            drill=r.drill,
            target=dict(r.target),
            at=r.at,
            ttl_s=r.ttl_s,
            created_at=r.created_at,
            operator=r.operator,
        )
        for r in rows
    ]


def record_view(row: BroadcastRecord) -> dict[str, Any]:
    return {
        "broadcast_id": row.broadcast_id,
        "command_id": row.command_id,
        "title": row.title,
        "clip": row.clip,
        "priority": row.priority,
        "zones": list(row.zones or ()),
        "repeat": row.repeat,
        "drill": row.drill,
        "target": row.target,
        "at": row.at,
        "created_at": row.created_at,
        "sent_at": row.sent_at,
        "status": row.status,
        "reason": row.reason,
        "operator": row.operator,
        "schools": row.schools,
    }


def delivery_counts(session: Session, command_ids: list[str]) -> dict[str, dict[str, int]]:
    """command id -> {broadcast state: schools}, as stored."""
    counts: dict[str, dict[str, int]] = {}
    if not command_ids:
        return counts
    rows = session.execute(
        select(CommandDelivery.command_id, CommandDelivery.state, func.count())
        .where(CommandDelivery.command_id.in_(command_ids))
        .group_by(CommandDelivery.command_id, CommandDelivery.state)
    )
    for command_id, state, n in rows:
        key = broadcast_state(DeliveryState(state).value)
        bucket = counts.setdefault(command_id, {})
        bucket[key] = bucket.get(key, 0) + int(n)
    return counts


def history(
    session: Session, since: float | None, until: float | None, priority: str, limit: int
) -> list[dict[str, Any]]:
    stmt = select(BroadcastRecord)
    if since is not None:
        stmt = stmt.where(BroadcastRecord.created_at >= since)
    if until is not None:
        stmt = stmt.where(BroadcastRecord.created_at <= until)
    if priority:
        stmt = stmt.where(BroadcastRecord.priority == priority)
    rows = list(session.scalars(stmt.order_by(BroadcastRecord.created_at.desc()).limit(limit)))
    counts = delivery_counts(session, [r.command_id for r in rows])
    return [{**record_view(r), "counts": counts.get(r.command_id, {})} for r in rows]


def get_record(session: Session, broadcast_id: str) -> dict[str, Any] | None:
    row = session.get(BroadcastRecord, broadcast_id)
    return record_view(row) if row is not None else None
