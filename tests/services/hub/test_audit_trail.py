"""The hub's batched audit trail: nothing recorded before a read is missing from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from services.access.audit import AuditLog, AuditQuery, search
from services.hub.audit_trail import AuditTrail

Job = tuple[Callable[[Session], Any], Callable[[Any, BaseException | None], None], str]


def _record(trail: AuditTrail, action: str) -> None:
    who = {"operator": "admin", "role": "administrator", "console": "desk"}
    trail.record(**who, action=action, target="", result="ok")


def test_a_read_gets_what_was_recorded_while_a_batch_was_in_flight(engine, tmp_path: Path) -> None:
    jobs: list[Job] = []  # the database thread, held still: jobs run when the test says, in order
    trail = AuditTrail(AuditLog.for_key_dir(tmp_path / "keys"), lambda *job: jobs.append(job))
    _record(trail, "send_command")
    trail.flush()  # the periodic flush: one batch in flight
    _record(trail, "reset_password")
    trail.flush()  # still in flight: the periodic flush waits
    assert len(jobs) == 1 and trail.pending == 1
    trail.flush(before_read=True)  # a search is about to be queued
    assert len(jobs) == 2 and trail.pending == 0
    jobs.append((lambda s: search(s, AuditQuery(limit=10)), lambda _r, _e: None, "search"))
    results = []
    for job, done, _name in jobs:
        with Session(engine) as session:
            result = job(session)
            session.commit()
        done(result, None)
        results.append(result)
    found, total = results[-1]
    assert total == 2 and {r.action for r in found} == {"send_command", "reset_password"}
    assert trail.appended == 2
