"""Incidents as the console holds them: plain, immutable records made from the hub's IncidentView.

The hub sends incidents as msgspec structs (snapshot and update) or as plain dicts (the results of
incident_history and incident_timeline). Both become the same frozen records here, so the queue,
the panel and the report never depend on the wire types. A record the hub sent malformed raises
IncidentDataError (the caller logs it and keeps the rest of the batch).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
RESOLVED = "resolved"
STATES = (OPEN, ACKNOWLEDGED, RESOLVED)
STEP_OPEN = "open"
STEP_DONE = "done"
STEP_SKIPPED = "skipped"
ACK_OVERDUE = "ack_overdue"
PROCESSING_OVERDUE = "processing_overdue"


class IncidentDataError(ValueError):
    """An incident (or a part of one) from the hub lacks a field or has one of the wrong type."""


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    state: str = STEP_OPEN
    reason: str = ""
    by: str = ""
    at: float | None = None

    @property
    def finished(self) -> bool:
        """Done, or skipped (the hub refuses a skip without a reason)."""
        return self.state in (STEP_DONE, STEP_SKIPPED)


@dataclass(frozen=True, slots=True)
class Note:
    by: str
    at: float
    text: str


@dataclass(frozen=True, slots=True)
class Action:
    kind: str
    by: str
    at: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Incident:
    incident_id: str
    school: str
    alarm_type: str
    priority: int
    state: str
    opened_at: float
    last_alarm_at: float
    alarm_count: int
    location: str
    ack_due_at: float
    process_due_at: float
    version: int
    acknowledged_by: str = ""
    acknowledged_at: float | None = None
    owner: str = ""
    transfer_to: str = ""
    escalation: str = ""
    steps: tuple[Step, ...] = ()
    notes: tuple[Note, ...] = ()
    actions: tuple[Action, ...] = ()
    resolved_by: str = ""
    resolved_at: float | None = None
    outcome: str = ""
    false_alarm: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)  # optional fields a newer hub adds

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    @property
    def is_resolved(self) -> bool:
        return self.state == RESOLVED

    @property
    def checklist_complete(self) -> bool:
        return all(step.finished for step in self.steps)

    def open_steps(self) -> list[str]:
        return [step.key for step in self.steps if not step.finished]

    def sort_key(self) -> tuple[int, int, float, str]:
        """The queue's order: unresolved first, then priority (1 first), then the oldest first."""
        return (1 if self.is_resolved else 0, self.priority, self.opened_at, self.incident_id)


_KNOWN = frozenset(Incident.__dataclass_fields__) - {"steps", "notes", "actions", "extra"}


def _as_mapping(value: object, what: str) -> Mapping[str, Any]:
    if isinstance(value, msgspec.Struct):
        value = msgspec.to_builtins(value)
    if not isinstance(value, Mapping):
        raise IncidentDataError(f"{what} is not a record: {type(value).__name__}")
    return value


def _text(data: Mapping[str, Any], key: str, what: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise IncidentDataError(f"{what}: {key!r} must be text, got {value!r}")
    return value


def _number(data: Mapping[str, Any], key: str, what: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise IncidentDataError(f"{what}: {key!r} must be a number, got {value!r}")
    return float(value)


def _optional_number(data: Mapping[str, Any], key: str, what: str) -> float | None:
    return None if data.get(key) is None else _number(data, key, what)


def _integer(data: Mapping[str, Any], key: str, what: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise IncidentDataError(f"{what}: {key!r} must be a whole number, got {value!r}")
    return value


def _records(data: Mapping[str, Any], key: str, what: str) -> Sequence[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list | tuple):
        raise IncidentDataError(f"{what}: {key!r} must be a list")
    return [_as_mapping(item, f"{what} {key}") for item in value]


def incident_from_wire(value: object) -> Incident:
    """An Incident from an IncidentView struct or its dict form; IncidentDataError when unusable."""
    data = _as_mapping(value, "incident")
    what = f"incident {data.get('incident_id', '?')}"
    state = _text(data, "state", what)
    if state not in STATES:
        raise IncidentDataError(f"{what}: unknown state {state!r}")
    steps = tuple(
        Step(
            key=_text(s, "key", what),
            state=_text(s, "state", what, STEP_OPEN),
            reason=_text(s, "reason", what, ""),
            by=_text(s, "by", what, ""),
            at=_optional_number(s, "at", what),
        )
        for s in _records(data, "steps", what)
    )
    notes = tuple(
        Note(_text(n, "by", what, ""), _number(n, "at", what), _text(n, "text", what, ""))
        for n in _records(data, "notes", what)
    )
    actions = tuple(
        Action(
            _text(a, "kind", what), _text(a, "by", what, ""), _number(a, "at", what),
            _text(a, "detail", what, ""),
        )
        for a in _records(data, "actions", what)
    )  # fmt: skip
    return Incident(
        incident_id=_text(data, "incident_id", what),
        school=_text(data, "school", what),
        alarm_type=_text(data, "alarm_type", what),
        priority=_integer(data, "priority", what),
        state=state,
        opened_at=_number(data, "opened_at", what),
        last_alarm_at=_number(data, "last_alarm_at", what),
        alarm_count=_integer(data, "alarm_count", what),
        location=_text(data, "location", what, ""),
        ack_due_at=_number(data, "ack_due_at", what),
        process_due_at=_number(data, "process_due_at", what),
        version=_integer(data, "version", what),
        acknowledged_by=_text(data, "acknowledged_by", what, ""),
        acknowledged_at=_optional_number(data, "acknowledged_at", what),
        owner=_text(data, "owner", what, ""),
        transfer_to=_text(data, "transfer_to", what, ""),
        escalation=_text(data, "escalation", what, ""),
        steps=steps,
        notes=notes,
        actions=actions,
        resolved_by=_text(data, "resolved_by", what, ""),
        resolved_at=_optional_number(data, "resolved_at", what),
        outcome=_text(data, "outcome", what, ""),
        false_alarm=bool(data.get("false_alarm", False)),
        extra={k: v for k, v in data.items() if k not in _KNOWN and k not in ("steps", "notes", "actions")},
    )


@dataclass(frozen=True, slots=True)
class TimelineAlarm:
    event_id: str
    occurred_at: float
    received_at: float
    source: str
    location: str


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: float
    by: str
    what: str
    detail: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """The answer to incident_timeline: the incident, its alarms and every entry of its record."""

    incident: Incident
    alarms: tuple[TimelineAlarm, ...]
    entries: tuple[TimelineEntry, ...]


def timeline_from_wire(result: Mapping[str, Any]) -> Timeline:
    """The incident_timeline result as records; IncidentDataError when unusable."""
    incident = incident_from_wire(result.get("incident"))
    what = f"timeline of {incident.incident_id}"
    alarms = tuple(
        TimelineAlarm(
            event_id=_text(a, "event_id", what, ""),
            occurred_at=_number(a, "occurred_at", what),
            received_at=_number(a, "received_at", what) if a.get("received_at") is not None
            else _number(a, "occurred_at", what),
            source=_text(a, "source", what, ""),
            location=str(a.get("location") or (a.get("details") or {}).get("location", "")),
        )
        for a in _records(result, "alarms", what)
    )  # fmt: skip
    entries = tuple(
        TimelineEntry(
            at=_number(e, "at", what),
            by=_text(e, "by", what, ""),
            what=_text(e, "what", what, ""),
            detail=e["detail"] if isinstance(e.get("detail"), str) else _compact(e.get("detail")),
        )
        for e in _records(result, "entries", what)
    )
    return Timeline(incident, alarms, tuple(sorted(entries, key=lambda e: e.at)))


def _compact(value: object) -> str:
    if value in (None, "", {}, []):
        return ""
    try:
        return msgspec.json.encode(value).decode()
    except (TypeError, msgspec.EncodeError):
        return str(value)
