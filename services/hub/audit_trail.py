"""The hub's side of the audit record: entries gathered on the socket thread, appended in batches.

Every console request (logins and refusals included) and every in-process admin call ends in one
entry. Entries are appended by the database thread, at most one batch per tick, and the anchor
file is moved forward once the batch has committed. A failed append keeps the entries and tries
again at the next tick, so none is lost while the database is briefly unavailable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from services.access.audit import AuditInput, AuditLog, AuditRecord

log = logging.getLogger("services.hub.audit")

MAX_FIELD = 2000
Submit = Callable[[Callable[[Session], Any], Callable[[Any, BaseException | None], None], str], None]


class AuditTrail:
    def __init__(self, audit_log: AuditLog, submit: Submit) -> None:
        self._log = audit_log
        self._submit = submit
        self._pending: list[AuditInput] = []
        self._in_flight = 0
        self.appended = 0

    def record(
        self,
        *,
        operator: str,
        role: str,
        console: str,
        action: str,
        target: str,
        result: str,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        self._pending.append(
            AuditInput(
                operator=operator[:64],
                role=role[:32],
                console=console[:64],
                action=action[:64],
                target=target[:MAX_FIELD],
                result=result[:16],
                detail=dict(detail or {}),
            )
        )

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self, before_read: bool = False) -> None:
        """Hand the gathered entries to the database thread.

        The periodic flush keeps one batch in flight at a time. A request that reads the record
        (*before_read*) sends what is pending even then: the database thread runs jobs in order,
        so its read comes after both batches. Without that, an entry recorded while a batch was in
        flight was missing from a search made right after it."""
        if not self._pending or (self._in_flight and not before_read):
            return
        batch, self._pending = self._pending, []
        self._in_flight += 1
        audit_log = self._log

        def job(session: Session) -> list[AuditRecord]:
            return audit_log.append(session, batch)

        def done(records: list[AuditRecord] | None, error: BaseException | None) -> None:
            self._in_flight -= 1
            if error is not None or not records:
                log.error("audit entries not yet stored (%s); retrying", error)
                self._pending[:0] = batch
                return
            self.appended += len(records)
            try:
                audit_log.write_anchor(records[-1])
            except OSError as exc:
                log.error("audit anchor not written: %s", exc)

        self._submit(job, done, "append audit")
