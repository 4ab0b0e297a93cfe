"""The incident book on the hub: alarms in from agents and operators, changes out to the consoles
at once, written to the database right after, escalated on the hub's timer (docs/incidents.md).

Everything here runs on the socket thread. An alarm shows on the consoles without waiting for any
database write: the book decides in memory, the consoles get the change in the same loop round,
and the write follows (one batch in flight at a time, so a flood becomes a few larger
transactions; a failed write is kept and retried a second later, never dropped).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from services.alarms import store
from services.alarms.catalog import UNKNOWN
from services.alarms.incidents import IncidentBook, Unsaved
from services.alarms.model import Alarm, Incident
from services.alarms.views import incident_view
from services.hub.audit_trail import AuditTrail
from services.hub.throttle import LogLimiter
from services.protocol.agent_messages import Event
from services.protocol.console_messages import IncidentView

log = logging.getLogger("services.hub.incidents")

Submit = Callable[[Callable[[Session], Any], Callable[[Any, BaseException | None], None], str], None]
RETRY_AFTER_S = 1.0
MAX_LOCATION = 256


class IncidentService:
    def __init__(
        self, book: IncidentBook, submit: Submit, audit: AuditTrail, log_limiter: LogLimiter
    ) -> None:
        self.book = book
        self._submit = submit
        self._audit = audit
        self._log_limiter = log_limiter
        self._in_flight = 0
        self._retry_at = 0.0
        self.saved_batches = 0
        self.failed_batches = 0

    # --- alarms in ------------------------------------------------------------------------
    def alarm_from_event(self, school: str, event: Event, received_at: float) -> Incident | None:
        """An agent's `event` of kind "alarm": grouped at once (None when its id was seen)."""
        if self.book.seen(school, event.id):
            return None
        details = dict(event.details)
        raw_type = details.get("type")
        alarm_type = raw_type if isinstance(raw_type, str) else ""
        if alarm_type not in self.book.catalog or alarm_type == UNKNOWN:
            self._log_limiter.warning(
                school,
                "alarm %s from %s has %s: handled as an incident of type 'unknown'",
                event.id,
                school,
                f"the unknown type {raw_type!r}" if raw_type is not None else "no type",
            )
            alarm_type = UNKNOWN
        location = details.get("location")
        if not isinstance(location, str) or not location.strip():
            fallback = details.get("zone") or details.get("camera") or event.source
            location = fallback if isinstance(fallback, str) else ""
        outcome = self.book.add_alarm(
            Alarm(
                event_id=event.id,
                school=school,
                alarm_type=alarm_type,
                location=location.strip()[:MAX_LOCATION],
                occurred_at=event.occurred_at,
                received_at=received_at,
                source=event.source,
                details=details,
            )
        )
        if outcome is None:
            return None
        if outcome.opened:
            log.info(
                "incident %s opened: %s at %s (%s)",
                outcome.incident.incident_id,
                outcome.incident.alarm_type,
                school,
                outcome.incident.location or "-",
            )
        return outcome.incident

    def raise_alarm(
        self, school: str, alarm_type: str, location: str, by: str, now: float, note: str = ""
    ) -> Incident:
        """An alarm raised by an operator; grouped like any other (its id is new every time)."""
        details: dict[str, Any] = {"type": alarm_type, "location": location, "raised_by": by}
        if note:
            details["note"] = note
        outcome = self.book.add_alarm(
            Alarm(
                event_id=f"manual-{uuid.uuid4().hex}",
                school=school,
                alarm_type=alarm_type,
                location=location,
                occurred_at=now,
                received_at=now,
                source="operator",
                details=details,
            )
        )
        assert outcome is not None  # a fresh id is never a duplicate
        if note:
            self.book.add_note(outcome.incident.incident_id, by, note, now)
        log.info(
            "alarm raised by %s: %s at %s -> incident %s",
            by,
            alarm_type,
            school,
            outcome.incident.incident_id,
        )
        return outcome.incident

    # --- timers ---------------------------------------------------------------------------
    def check_timers(self, now: float) -> int:
        """Escalate what ran out of time (each one audited) and forget old resolved incidents."""
        raised = self.book.escalate(now)
        for incident, level in raised:
            log.info("incident %s escalated: %s", incident.incident_id, level)
            self._audit.record(
                operator="hub",
                role="",
                console="hub",
                action="incident_escalated",
                target=f"incident_id:{incident.incident_id}",
                result="ok",
                detail={"level": level, "school": incident.school, "alarm_type": incident.alarm_type},
            )
        self.book.prune(now)
        return len(raised)

    # --- to the database ------------------------------------------------------------------
    def flush(self, force: bool = False) -> None:
        """Write what changed. Normally one batch at a time (the next one gathers meanwhile);
        *force* writes now even so, for a read that must see every change made before it (the
        writer runs jobs in order)."""
        if self._in_flight and not force:
            return
        if not force and time.monotonic() < self._retry_at:
            return
        unsaved = self.book.take_unsaved()
        if not unsaved:
            return
        batch = store.save_batch(unsaved)
        self._in_flight += 1

        def job(session: Session) -> None:
            store.save(session, batch)

        def done(_result: Any, error: BaseException | None) -> None:
            self._in_flight -= 1
            self._saved(unsaved, error)

        self._submit(job, done, "save incidents")

    def _saved(self, unsaved: Unsaved, error: BaseException | None) -> None:
        if error is None:
            self.saved_batches += 1
            return
        self.failed_batches += 1
        log.error("incidents not yet stored (%s); retrying", error)
        self.book.restore_unsaved(unsaved)
        self._retry_at = time.monotonic() + RETRY_AFTER_S

    @property
    def pending_writes(self) -> int:
        return self._in_flight + self.book.unsaved_count

    # --- to the consoles ------------------------------------------------------------------
    def take_changed_views(self) -> list[IncidentView]:
        return [incident_view(i) for i in self.book.take_changed()]

    def queue_views(self, visible: Callable[[str], bool]) -> list[IncidentView]:
        return [incident_view(i) for i in self.book.queue() if visible(i.school)]

    def rate_per_min(self, now: float) -> float:
        return self.book.rate.per_minute(now)
