"""States shared by hub, agents and consoles: presence, command delivery, enrollment."""

from __future__ import annotations

import enum


class Presence(enum.StrEnum):
    """A school agent's presence as the hub sees it, from application heartbeats."""

    ONLINE = "online"
    LATE = "late"  # no message for LATE_AFTER_S
    OFFLINE = "offline"  # no message for OFFLINE_AFTER_S, or said goodbye


class DeliveryState(enum.StrEnum):
    """Per-school state of one command in the command ledger.

    queued -> sent -> received -> executing | playing -> done | failed, with expired (not delivered
    or not finished before its expiry) and not_connected (the agent was offline when the command was
    issued and has not come back yet) kept apart from failed and from "no answer". "playing" is a
    broadcast whose audio has started at the school (the agent's "executing" ack with phase
    "playing"), so an operator sees per school the moment it is really heard.
    """

    QUEUED = "queued"
    NOT_CONNECTED = "not_connected"
    SENT = "sent"
    RECEIVED = "received"
    EXECUTING = "executing"
    PLAYING = "playing"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"


FINAL_DELIVERY_STATES = frozenset({DeliveryState.DONE, DeliveryState.FAILED, DeliveryState.EXPIRED})


class EnrollmentStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REVOKED = "revoked"


# Application heartbeat timing (seconds). The hub may be configured with other values; these are
# the defaults an agent is told in `welcome`.
HEARTBEAT_INTERVAL_S = 10.0
LATE_AFTER_S = 25.0
OFFLINE_AFTER_S = 60.0
