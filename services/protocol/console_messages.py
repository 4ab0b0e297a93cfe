"""Messages between a console and the hub (the console ROUTER).

A console says `console_hello`, then `subscribe` to get one `snapshot` followed by `update`s whose
`seq` increases by exactly one each; a gap means updates were lost and the console subscribes again.
Requests name the operator who makes them; the hub answers each with one `reply`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from services.protocol.agent_messages import MAX_OPUS_BASE64, DeviceStatus
from services.protocol.envelope import Message


class SchoolPresence(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    school: str
    presence: Literal["online", "late", "offline"]
    last_seen: float
    agent_version: str = ""
    devices: list[DeviceStatus] = []
    # The PA zones the school's agent reported in its hello (broadcast targets inside a school).
    pa_zones: list[str] = []


class AgentInfo(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One enrollment record as an administrator sees it."""

    public_key: str
    school: str
    status: Literal["pending", "accepted", "rejected", "revoked"]
    requested_at: float
    decided_at: float | None = None
    decided_by: str = ""
    agent_version: str = ""
    hostname: str = ""
    detail: str = ""  # e.g. "school already enrolled with another key"


class DeliveryUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    command_id: str
    school: str
    state: str
    reason: str = ""
    at: float
    # For "playing" (and a broadcast's later states): the agent's clock when the first sample
    # reached the amplifier.
    started_at: float | None = None


class EventSummary(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    event_id: str
    school: str
    kind: str
    priority: str
    occurred_at: float
    source: str = ""


class StepView(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One step of an incident's procedure and how far it is."""

    key: str
    state: Literal["open", "done", "skipped"]
    reason: str = ""  # why it was skipped
    by: str = ""
    at: float | None = None


class NoteView(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    by: str
    at: float
    text: str


class ActionView(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Something an operator did about an incident outside the system (a call) or through it."""

    kind: Literal["call_110", "call_119", "call_principal", "broadcast", "live_voice", "other"]
    by: str
    at: float
    detail: str = ""


class IncidentView(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One incident as every console sees it (docs/incidents.md). Times are the hub's clock."""

    incident_id: str
    school: str
    alarm_type: str
    priority: int
    state: Literal["open", "acknowledged", "resolved"]
    opened_at: float
    last_alarm_at: float
    alarm_count: int
    location: str  # of the first alarm
    acknowledged_by: str = ""
    acknowledged_at: float | None = None
    owner: str = ""
    transfer_to: str = ""  # a pending transfer to this operator
    ack_due_at: float
    process_due_at: float
    escalation: Literal["", "ack_overdue", "processing_overdue"] = ""
    steps: list[StepView] = []
    notes: list[NoteView] = []
    actions: list[ActionView] = []
    resolved_by: str = ""
    resolved_at: float | None = None
    outcome: str = ""
    false_alarm: bool = False
    version: int


class ConsoleHello(Message, tag="console_hello", kw_only=True):
    console_name: str
    operator: str


class ConsoleWelcome(Message, tag="console_welcome", kw_only=True):
    hub_version: str
    epoch: int
    # True for the hub's own CLI key: that session acts as the hub's local administrator at once.
    local_admin: bool = False


class Subscribe(Message, tag="subscribe", kw_only=True):
    pass


class Snapshot(Message, tag="snapshot", kw_only=True):
    update_seq: int  # the seq of the last update already contained in this snapshot
    presence: list[SchoolPresence]
    agents: list[AgentInfo]
    # Every incident not resolved, and those resolved in the last hour, in queue order.
    incidents: list[IncidentView] = []
    alarm_rate_per_min: float = 0.0


class Update(Message, tag="update", kw_only=True):
    update_seq: int
    presence: list[SchoolPresence] = []
    agents: list[AgentInfo] = []
    deliveries: list[DeliveryUpdate] = []
    events: list[EventSummary] = []
    incidents: list[IncidentView] = []  # changed incidents, each at its latest version
    alarm_rate_per_min: float = 0.0


class Request(Message, tag="request", kw_only=True):
    request_id: str
    operator: str
    action: str
    args: dict[str, Any] = {}


class Reply(Message, tag="reply", kw_only=True):
    request_id: str
    ok: bool
    result: dict[str, Any] = {}
    error_code: str = ""
    error: str = ""


class ConsoleBye(Message, tag="console_bye", kw_only=True):
    pass


class VoiceTarget(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Which schools hear a live voice stream: named schools, whole districts (adcodes), the city."""

    schools: list[Annotated[str, msgspec.Meta(max_length=32)]] = []
    districts: list[Annotated[str, msgspec.Meta(max_length=12)]] = []
    all: bool = False


class ConsoleVoiceFrame(Message, tag="voice_frame", kw_only=True):
    """One 20 ms Opus frame (16 kHz mono) of an operator's live voice, for the hub to relay.

    Not a request: never answered, never stored. The first frame of a stream (`frame_seq` 0, or
    the first the hub sees) is checked against the permission of its `priority` and fixes the
    stream's target, priority, zones and drill flag; the hub relays every later frame of an
    allowed stream to the target schools' agents as the agent message `voice_frame`.
    """

    stream_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    frame_seq: Annotated[int, msgspec.Meta(ge=0)]
    captured_at: float
    opus: Annotated[str, msgspec.Meta(max_length=MAX_OPUS_BASE64)]
    target: VoiceTarget
    priority: Literal["emergency", "drill", "routine"]
    zones: list[Annotated[str, msgspec.Meta(max_length=64)]] = []
    drill: bool = False
    end: bool = False


ConsoleToHub = ConsoleHello | Subscribe | Request | ConsoleBye | ConsoleVoiceFrame
