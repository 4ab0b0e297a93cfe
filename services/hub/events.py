"""Events from agents, stored exactly once per (school, event id) and acknowledged after commit.

The socket thread collects incoming events and hands them to the writer as one batch at a time:
while a batch is being written the next one accumulates (group commit), so an alarm waits for at
most one write before its own. The writer inserts only the ids not already stored; every id of the
batch, new or duplicate, is acknowledged once the transaction has committed. An event whose
acknowledgement is lost is resent by the agent and acknowledged again, never stored twice.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.db.network_models import AgentEvent
from services.protocol.agent_messages import Event
from services.protocol.console_messages import EventSummary

log = logging.getLogger(__name__)

# Beyond this many events waiting for the database, new ones are not taken (and so not acked):
# agents keep them in their outboxes and resend, and the hub's memory stays bounded.
MAX_PENDING_EVENTS = 50_000


@dataclass(slots=True)
class PendingEvent:
    school: str
    event: Event
    received_at: float


@dataclass(frozen=True, slots=True)
class StoredBatch:
    acked: dict[str, list[str]]  # school -> every event id of the batch (new and duplicate)
    new: list[EventSummary]  # events stored for the first time


class EventStore:
    def __init__(self) -> None:
        self._pending: list[PendingEvent] = []
        self.in_flight = False
        self.stored_total = 0
        self.duplicate_total = 0

    def add(self, school: str, event: Event) -> bool:
        """Queue an event for storage; False when over the memory bound (the agent will resend)."""
        if len(self._pending) >= MAX_PENDING_EVENTS:
            return False
        self._pending.append(PendingEvent(school, event, time.time()))
        return True

    def take_batch(self) -> list[PendingEvent]:
        """The next batch to write, unless one is being written already."""
        if self.in_flight or not self._pending:
            return []
        batch, self._pending = self._pending, []
        self.in_flight = True
        return batch

    def requeue(self, batch: list[PendingEvent]) -> None:
        """A write failed: nothing was acked, so try the same events again with the next batch."""
        self._pending[:0] = batch[: max(0, MAX_PENDING_EVENTS - len(self._pending))]

    @staticmethod
    def store_job(batch: list[PendingEvent]) -> Any:
        def job(session: Session) -> StoredBatch:
            return store(session, batch)

        return job

    def __len__(self) -> int:
        return len(self._pending)


def store(session: Session, batch: list[PendingEvent]) -> StoredBatch:
    acked: dict[str, list[str]] = {}
    unique: dict[tuple[str, str], PendingEvent] = {}
    for item in batch:
        acked.setdefault(item.school, []).append(item.event.id)
        unique.setdefault((item.school, item.event.id), item)
    existing: set[tuple[str, str]] = set()
    schools = {school for school, _ in unique}
    ids = [event_id for _, event_id in unique]
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        rows = session.execute(
            select(AgentEvent.school_code, AgentEvent.event_id).where(
                AgentEvent.event_id.in_(chunk), AgentEvent.school_code.in_(schools)
            )
        )
        existing.update((school, event_id) for school, event_id in rows)
    new_rows = []
    summaries = []
    for key, item in unique.items():
        if key in existing:
            continue
        event = item.event
        new_rows.append(
            {
                "school_code": item.school,
                "event_id": event.id,
                "kind": event.kind[:64],
                "priority": event.priority,
                "occurred_at": event.occurred_at,
                "received_at": item.received_at,
                "source": event.source[:128],
                "details": dict(event.details),
            }
        )
        summaries.append(
            EventSummary(
                event_id=event.id,
                school=item.school,
                kind=event.kind,
                priority=event.priority,
                occurred_at=event.occurred_at,
                source=event.source,
            )
        )
    if new_rows:
        session.execute(insert(AgentEvent), new_rows)
    return StoredBatch(acked=acked, new=summaries)
