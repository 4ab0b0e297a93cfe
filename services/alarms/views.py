"""Incidents as the console protocol shows them (IncidentView)."""

from __future__ import annotations

from services.alarms.model import Incident
from services.protocol.console_messages import ActionView, IncidentView, NoteView, StepView


def incident_view(incident: Incident) -> IncidentView:
    return IncidentView(
        incident_id=incident.incident_id,
        school=incident.school,
        alarm_type=incident.alarm_type,
        priority=incident.priority,
        state=incident.state,
        opened_at=incident.opened_at,
        last_alarm_at=incident.last_alarm_at,
        alarm_count=incident.alarm_count,
        location=incident.location,
        acknowledged_by=incident.acknowledged_by,
        acknowledged_at=incident.acknowledged_at,
        owner=incident.owner,
        transfer_to=incident.transfer_to,
        ack_due_at=incident.ack_due_at,
        process_due_at=incident.process_due_at,
        escalation=incident.escalation,
        steps=[StepView(key=s.key, state=s.state, reason=s.reason, by=s.by, at=s.at) for s in incident.steps],
        notes=[NoteView(by=n.by, at=n.at, text=n.text) for n in incident.notes],
        actions=[ActionView(kind=a.kind, by=a.by, at=a.at, detail=a.detail) for a in incident.actions],
        resolved_by=incident.resolved_by,
        resolved_at=incident.resolved_at,
        outcome=incident.outcome,
        false_alarm=incident.false_alarm,
        version=incident.version,
    )
