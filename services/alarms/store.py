"""Incidents in the database: writing the book's changes, reading them back at start, history and
timelines. Every function here runs on the hub's database thread with its own Session; what crosses
to it from the socket thread is plain rows copied there (never the live incident objects)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from services.alarms.incidents import RECENT_RESOLVED_S, REMEMBERED_ALARMS, Unsaved
from services.alarms.model import Action, Incident, Note, Step
from services.db.incident_models import IncidentAlarm, IncidentEntry, IncidentRecord

CHUNK = 500
# Alarm ids read back at start for de-duplication: resends after a hub restart come within hours.
REMEMBER_ALARMS_S = 24 * 3600.0
MAX_HISTORY = 1000


@dataclass(frozen=True, slots=True)
class SaveBatch:
    """Plain copies of the book's unsaved changes, made on the socket thread."""

    incidents: list[dict[str, Any]]
    alarms: list[dict[str, Any]]
    entries: list[dict[str, Any]]


def save_batch(unsaved: Unsaved) -> SaveBatch:
    return SaveBatch(
        incidents=[incident_row(i) for i in unsaved.incidents],
        alarms=[
            {
                "incident_id": incident_id,
                "school_code": a.school,
                "event_id": a.event_id[:64],
                "occurred_at": a.occurred_at,
                "received_at": a.received_at,
                "source": a.source[:128],
                "location": a.location[:256],
                "details": dict(a.details),
            }
            for incident_id, a in unsaved.alarms
        ],
        entries=[
            {"incident_id": e.incident_id, "at": e.at, "by": e.by, "what": e.what, "detail": e.detail}
            for e in unsaved.entries
        ],
    )


def incident_row(incident: Incident) -> dict[str, Any]:
    return {
        "incident_id": incident.incident_id,
        "school_code": incident.school,
        "alarm_type": incident.alarm_type,
        "priority": incident.priority,
        "state": incident.state,
        "opened_at": incident.opened_at,
        "last_alarm_at": incident.last_alarm_at,
        "alarm_count": incident.alarm_count,
        "location": incident.location[:256],
        "acknowledged_by": incident.acknowledged_by,
        "acknowledged_at": incident.acknowledged_at,
        "owner": incident.owner,
        "transfer_to": incident.transfer_to,
        "ack_due_at": incident.ack_due_at,
        "process_due_at": incident.process_due_at,
        "escalation": incident.escalation,
        "steps": [
            {"key": s.key, "state": s.state, "reason": s.reason, "by": s.by, "at": s.at}
            for s in incident.steps
        ],
        "notes": [{"by": n.by, "at": n.at, "text": n.text} for n in incident.notes],
        "actions": [{"kind": a.kind, "by": a.by, "at": a.at, "detail": a.detail} for a in incident.actions],
        "resolved_by": incident.resolved_by,
        "resolved_at": incident.resolved_at,
        "outcome": incident.outcome,
        "false_alarm": incident.false_alarm,
        "version": incident.version,
    }


def incident_from_record(row: IncidentRecord) -> Incident:
    return Incident(
        incident_id=row.incident_id,
        school=row.school_code,
        alarm_type=row.alarm_type,
        priority=row.priority,
        opened_at=row.opened_at,
        last_alarm_at=row.last_alarm_at,
        location=row.location,
        ack_due_at=row.ack_due_at,
        process_due_at=row.process_due_at,
        steps=[
            Step(s["key"], s["state"], s.get("reason", ""), s.get("by", ""), s.get("at")) for s in row.steps
        ],
        state=row.state,  # type: ignore[arg-type]  # the CHECK constraint keeps it to the three states
        alarm_count=row.alarm_count,
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=row.acknowledged_at,
        owner=row.owner,
        transfer_to=row.transfer_to,
        escalation=row.escalation,  # type: ignore[arg-type]  # written only from the book's values
        notes=[Note(n["by"], n["at"], n["text"]) for n in row.notes],
        actions=[Action(a["kind"], a["by"], a["at"], a.get("detail", "")) for a in row.actions],
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        outcome=row.outcome,
        false_alarm=row.false_alarm,
        version=row.version,
    )


def save(session: Session, batch: SaveBatch) -> None:
    """Write incidents as they are now (insert or update), then their new alarms and entries."""
    ids = [row["incident_id"] for row in batch.incidents]
    existing: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        existing.update(
            session.scalars(select(IncidentRecord.incident_id).where(IncidentRecord.incident_id.in_(chunk)))
        )
    new = [row for row in batch.incidents if row["incident_id"] not in existing]
    changed = [row for row in batch.incidents if row["incident_id"] in existing]
    if new:
        session.execute(insert(IncidentRecord), new)
    if changed:
        session.execute(update(IncidentRecord), changed)
    if batch.alarms:
        session.execute(insert(IncidentAlarm), batch.alarms)
    if batch.entries:
        session.execute(insert(IncidentEntry), batch.entries)


def load(session: Session, now: float) -> tuple[list[Incident], list[tuple[str, str]]]:
    """What the book takes back at start: the live incidents and the recent alarm ids."""
    rows = session.scalars(
        select(IncidentRecord).where(
            (IncidentRecord.state != "resolved") | (IncidentRecord.resolved_at >= now - RECENT_RESOLVED_S)
        )
    )
    incidents = [incident_from_record(row) for row in rows]
    keys = session.execute(
        select(IncidentAlarm.school_code, IncidentAlarm.event_id)
        .where(IncidentAlarm.received_at >= now - REMEMBER_ALARMS_S)
        .order_by(IncidentAlarm.received_at.desc())
        .limit(REMEMBERED_ALARMS)
    ).all()
    return incidents, [(school, event_id) for school, event_id in reversed(keys)]


def history(
    session: Session,
    *,
    school: str | None,
    allowed_schools: Collection[str] | None,
    since: float | None,
    until: float | None,
    limit: int,
) -> list[Incident]:
    """Incidents opened in [since, until), newest first; *allowed_schools* limits a district viewer."""
    statement = select(IncidentRecord)
    if school is not None:
        statement = statement.where(IncidentRecord.school_code == school)
    if allowed_schools is not None:
        statement = statement.where(IncidentRecord.school_code.in_(list(allowed_schools)))
    if since is not None:
        statement = statement.where(IncidentRecord.opened_at >= since)
    if until is not None:
        statement = statement.where(IncidentRecord.opened_at < until)
    statement = statement.order_by(IncidentRecord.opened_at.desc()).limit(max(1, min(limit, MAX_HISTORY)))
    return [incident_from_record(row) for row in session.scalars(statement)]


def timeline(
    session: Session, incident_id: str
) -> tuple[Incident | None, list[dict[str, Any]], list[dict[str, Any]]]:
    """The incident, its alarms and its timeline entries, oldest first."""
    row = session.get(IncidentRecord, incident_id)
    if row is None:
        return None, [], []
    alarms = [
        {
            "event_id": a.event_id,
            "occurred_at": a.occurred_at,
            "received_at": a.received_at,
            "source": a.source,
            "location": a.location,
            "details": dict(a.details),
        }
        for a in session.scalars(
            select(IncidentAlarm)
            .where(IncidentAlarm.incident_id == incident_id)
            .order_by(IncidentAlarm.received_at, IncidentAlarm.id)
        )
    ]
    entries = [
        {"at": e.at, "by": e.by, "what": e.what, "detail": e.detail}
        for e in session.scalars(
            select(IncidentEntry).where(IncidentEntry.incident_id == incident_id).order_by(IncidentEntry.id)
        )
    ]
    return incident_from_record(row), alarms, entries
