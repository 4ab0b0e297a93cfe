"""Messages between a school agent and the hub (the agent ROUTER and the enrollment ROUTER)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from services.protocol.envelope import Message

# JSON values allowed in command arguments and event details: no nested objects beyond one level
# of lists keeps them easy to validate and to show.
Scalar = str | int | float | bool | None
ArgValue = Scalar | list[Scalar]


class DeviceStatus(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One device adapter's health as the agent reports it."""

    device_id: str
    kind: Literal["camera", "pa", "alarm_input", "patrol_reader"]
    state: Literal["ok", "degraded", "fault", "restarting"]
    detail: str = ""


# --- enrollment (enrollment ROUTER: any CURVE key may connect; only these two types pass) ------


class Enroll(Message, tag="enroll", kw_only=True):
    """Ask to enroll the key this connection authenticated with, for `school`."""

    school: str
    token: str
    agent_version: str
    hostname: str = ""


class EnrollReply(Message, tag="enroll_reply", kw_only=True):
    status: Literal["pending", "accepted", "rejected", "revoked", "conflict", "invalid_token"]
    detail: str = ""
    hub_public_key: str = ""  # the agent ROUTER's key, so a new agent learns it here


class EnrollStatus(Message, tag="enroll_status", kw_only=True):
    """Poll the decision on an earlier `enroll` from the same key."""

    school: str


# --- agent session (agent ROUTER: only enrolled, accepted keys connect) -----------------------


class Hello(Message, tag="hello", kw_only=True):
    """First message of every connection."""

    school: str
    agent_version: str
    last_command_id: str | None = None
    devices: list[DeviceStatus] = []
    pa_zones: list[str] = []


class Welcome(Message, tag="welcome", kw_only=True):
    hub_version: str
    epoch: int  # increases at each hub start; commands carry the epoch they were issued in
    heartbeat_interval_s: float
    server_time: float


class Heartbeat(Message, tag="heartbeat", kw_only=True):
    outbox_backlog: int = 0


class Status(Message, tag="status", kw_only=True):
    """Latest device states. Only the newest status matters, so agents collapse a backlog."""

    devices: list[DeviceStatus]


class Event(Message, tag="event", kw_only=True):
    """Something that happened at the school. Stored exactly once, keyed by (school, id).

    The agent keeps it in its outbox until the hub answers `event_ack` naming its id.
    """

    kind: str  # e.g. "alarm", "device_fault", "device_recovered", "patrol_missed"
    occurred_at: float
    priority: Literal["alarm", "normal"] = "normal"
    source: str = ""  # device id or "operator"
    details: dict[str, ArgValue] = {}


class EventAck(Message, tag="event_ack", kw_only=True):
    event_ids: list[str]


class Command(Message, tag="command", kw_only=True):
    """A command for this school. At-least-once: resent on reconnect until `expires_at`."""

    command_id: str
    action: str
    args: dict[str, ArgValue] = {}
    issued_at: float
    expires_at: float
    epoch: int


class CommandAck(Message, tag="command_ack", kw_only=True):
    """Progress of a command at the agent; a repeated command id is answered with its stored result."""

    command_id: str
    state: Literal["received", "executing", "done", "failed", "expired"]
    reason: str = ""
    result: dict[str, ArgValue] = {}


# One Opus frame of at most 1,275 bytes (RFC 6716), base64: at most 1,700 characters.
MAX_OPUS_BASE64 = 1700


class VoiceFrame(Message, tag="voice_frame", kw_only=True):
    """One 20 ms Opus frame (16 kHz mono) of live voice for this school's loudspeakers.

    Not a command: never stored, never acknowledged; a lost frame is concealed at the school.
    `frame_seq` counts the stream's frames from 0 (the envelope's `seq` is the hub connection's own
    sequence and cannot serve); `captured_at` is the console's clock at capture.
    """

    stream_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    frame_seq: Annotated[int, msgspec.Meta(ge=0)]
    captured_at: float
    opus: Annotated[str, msgspec.Meta(max_length=MAX_OPUS_BASE64)]
    priority: Literal["emergency", "drill", "routine"]
    zones: list[Annotated[str, msgspec.Meta(max_length=64)]]
    drill: bool
    end: bool = False


class Bye(Message, tag="bye", kw_only=True):
    reason: str = ""


class Error(Message, tag="error", kw_only=True):
    """Sent instead of processing a message that broke the protocol."""

    code: str
    message: str
    ref_id: str = ""


AgentToHub = Hello | Heartbeat | Status | Event | CommandAck | Bye
HubToAgent = Welcome | Command | EventAck | VoiceFrame | Error
EnrollToHub = Enroll | EnrollStatus
HubToEnroll = EnrollReply | Error
