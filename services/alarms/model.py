"""The incident record the hub keeps in memory: plain mutable data, changed only by the book."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

IncidentState = Literal["open", "acknowledged", "resolved"]
Escalation = Literal["", "ack_overdue", "processing_overdue"]
StepState = Literal["open", "done", "skipped"]
ActionKind = Literal["call_110", "call_119", "call_principal", "broadcast", "live_voice", "other"]
ACTION_KINDS: tuple[ActionKind, ...] = (
    "call_110",
    "call_119",
    "call_principal",
    "broadcast",
    "live_voice",
    "other",
)


@dataclass(frozen=True, slots=True)
class Alarm:
    """One alarm as the hub received it (from an agent's event, or raised by an operator)."""

    event_id: str
    school: str
    alarm_type: str  # a catalog id; anything the catalog does not know is already "unknown"
    location: str
    occurred_at: float  # the sender's clock
    received_at: float  # the hub's clock: grouping and timers use this one
    source: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of an incident's timeline."""

    incident_id: str
    at: float
    by: str
    what: str
    detail: str = ""


@dataclass(slots=True)
class Step:
    key: str
    state: StepState = "open"
    reason: str = ""
    by: str = ""
    at: float | None = None


@dataclass(frozen=True, slots=True)
class Note:
    by: str
    at: float
    text: str


@dataclass(frozen=True, slots=True)
class Action:
    kind: ActionKind
    by: str
    at: float
    detail: str = ""


@dataclass(slots=True)
class Incident:
    incident_id: str
    school: str
    alarm_type: str
    priority: int
    opened_at: float
    last_alarm_at: float
    location: str
    ack_due_at: float
    process_due_at: float
    steps: list[Step]
    state: IncidentState = "open"
    alarm_count: int = 1
    acknowledged_by: str = ""
    acknowledged_at: float | None = None
    owner: str = ""
    transfer_to: str = ""
    escalation: Escalation = ""
    notes: list[Note] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    resolved_by: str = ""
    resolved_at: float | None = None
    outcome: str = ""
    false_alarm: bool = False
    version: int = 1

    @property
    def resolved(self) -> bool:
        return self.state == "resolved"

    def open_steps(self) -> list[str]:
        return [step.key for step in self.steps if step.state == "open"]

    def queue_key(self) -> tuple[int, float, str]:
        """The queue's order: most urgent priority first, then the oldest."""
        return (self.priority, self.opened_at, self.incident_id)
