"""Agent connections: the per-connection state machine and the checks every frame goes through.

A connection is known by its ROUTER routing id, but identity is the CURVE key libzmq reports as
the frame's "User-Id" (routing ids are chosen by clients and never trusted). States:

    NEW --hello--> ACTIVE --bye--> (forgotten)

NEW accepts `hello` and `bye`; ACTIVE accepts every agent type, `hello` included (it restarts the
session). Every frame must come from a key that is accepted *now* (so a revoked key is cut at its
next message) and, once ACTIVE, from the key that said hello; `seq` must increase on a connection.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import zmq

from services.hub.auth import AllowLists
from services.protocol.agent_messages import (
    Bye,
    CommandAck,
    Event,
    Heartbeat,
    Hello,
    Status,
)
from services.protocol.codec import Decoder, ProtocolError, Sequencer
from services.protocol.envelope import ErrorCode, Message


class SessionState(enum.StrEnum):
    NEW = "new"
    ACTIVE = "active"


ALLOWED_TYPES: dict[SessionState, frozenset[str]] = {
    SessionState.NEW: frozenset({"hello", "bye"}),
    SessionState.ACTIVE: frozenset({"hello", "heartbeat", "status", "event", "command_ack", "bye"}),
}

AGENT_DECODER = Decoder(Hello, Heartbeat, Status, Event, CommandAck, Bye)


@dataclass(slots=True)
class AgentSession:
    routing_id: bytes
    key: str
    school: str
    last_seq: int
    agent_version: str
    outgoing: Sequencer = field(default_factory=Sequencer)
    state: SessionState = SessionState.ACTIVE


def user_id_of(frame: zmq.Frame) -> str:
    """The CURVE key (Z85) libzmq authenticated for the connection this frame came on."""
    try:
        value = frame.get("User-Id")
    except zmq.ZMQError:
        return ""
    return value if isinstance(value, str) else ""


class SessionTable:
    """Active agent sessions, by routing id and by school."""

    def __init__(self, allow_lists: AllowLists) -> None:
        self._allow = allow_lists
        self.by_routing: dict[bytes, AgentSession] = {}
        self.by_school: dict[str, AgentSession] = {}

    def __len__(self) -> int:
        return len(self.by_routing)

    def check(
        self, routing_id: bytes, user_id: str, payload: list[bytes]
    ) -> tuple[Message, AgentSession | None]:
        """Validate one incoming agent message; raises ProtocolError with the code to answer."""
        school_of_key = self._allow.agent_school(user_id) if user_id else None
        session = self.by_routing.get(routing_id)
        if school_of_key is None:
            if session is not None:
                self.drop(session)
            raise ProtocolError(ErrorCode.UNAUTHORIZED, "this key is not (or no longer) enrolled")
        if session is not None and session.key != user_id:
            raise ProtocolError(ErrorCode.UNAUTHORIZED, "message key differs from the key that said hello")
        state = session.state if session is not None else SessionState.NEW
        message = AGENT_DECODER.decode(payload, ALLOWED_TYPES[state])
        if isinstance(message, Hello):
            if message.school != school_of_key:
                raise ProtocolError(
                    ErrorCode.UNAUTHORIZED,
                    f"this key is enrolled for school {school_of_key!r}, not {message.school!r}",
                    message.id,
                )
            return message, session
        if session is not None and message.seq <= session.last_seq:
            raise ProtocolError(
                ErrorCode.REPLAYED,
                f"seq {message.seq} is not above the last seq {session.last_seq} on this connection",
                message.id,
            )
        if session is not None:
            session.last_seq = message.seq
        return message, session

    def open(self, routing_id: bytes, user_id: str, hello: Hello) -> tuple[AgentSession, AgentSession | None]:
        """Start (or restart) a session after a valid hello; returns it and any session it replaced."""
        replaced = self.by_school.get(hello.school)
        old_here = self.by_routing.get(routing_id)
        if old_here is not None and old_here is not replaced:
            self.drop(old_here)
        if replaced is not None:
            self.drop(replaced)
        session = AgentSession(
            routing_id=routing_id,
            key=user_id,
            school=hello.school,
            last_seq=hello.seq,
            agent_version=hello.agent_version,
        )
        self.by_routing[routing_id] = session
        self.by_school[hello.school] = session
        return session, replaced if replaced is not None and replaced.routing_id != routing_id else None

    def drop(self, session: AgentSession) -> None:
        if self.by_routing.get(session.routing_id) is session:
            del self.by_routing[session.routing_id]
        if self.by_school.get(session.school) is session:
            del self.by_school[session.school]

    def drop_key(self, key: str) -> list[AgentSession]:
        """Forget every session of *key* (revoked or rejected)."""
        gone = [s for s in self.by_routing.values() if s.key == key]
        for session in gone:
            self.drop(session)
        return gone
