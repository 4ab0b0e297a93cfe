"""The console socket: console_hello, subscribe -> snapshot + sequenced updates, and requests.

Updates are coalesced: changes collected since the last tick (presence, enrollment records,
delivery states, new events) go out as one `update` every `console_update_interval_s`, numbered
by `update_seq` (one counter for the hub, +1 per update). A snapshot carries the `update_seq` of
the last update it already contains, so a console applies only updates after it and resubscribes
when it sees a gap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
import zmq

from services.hub.config import HUB_VERSION, IssuedCommand, Target
from services.hub.core import HubCore
from services.hub.errors import HubRequestError
from services.hub.operations import Operations
from services.hub.sessions import user_id_of
from services.protocol.agent_messages import ArgValue
from services.protocol.codec import Decoder, ProtocolError, Sequencer, encode, header_fields
from services.protocol.console_messages import (
    ConsoleBye,
    ConsoleHello,
    ConsoleWelcome,
    Reply,
    Request,
    Snapshot,
    Subscribe,
    Update,
)
from services.protocol.envelope import ErrorCode, Message

log = logging.getLogger("services.hub.consoles")

CONSOLE_DECODER = Decoder(ConsoleHello, Subscribe, Request, ConsoleBye)
NEW_TYPES = frozenset({"console_hello", "console_bye"})
ACTIVE_TYPES = frozenset({"console_hello", "subscribe", "request", "console_bye"})
MAX_CONSOLE_SESSIONS = 256
MAX_REQUESTS_IN_FLIGHT = 256
MAX_OPERATOR_LENGTH = 64


# --- request arguments, validated strictly like messages ----------------------------------
class _Args(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class TargetArgs(_Args):
    schools: list[str] = []
    districts: list[str] = []
    all: bool = False


class SendCommandArgs(_Args):
    target: TargetArgs
    action: str
    args: dict[str, ArgValue] = {}
    ttl_s: float = 300.0


class ListAgentsArgs(_Args):
    status: Literal["", "pending", "accepted", "rejected", "revoked"] = ""


class DecideEnrollmentArgs(_Args):
    public_key: str
    decision: Literal["accept", "reject", "revoke"]


class CreateTokenArgs(_Args):
    school: str
    ttl_s: float = 86400.0


class CommandStatusArgs(_Args):
    command_id: str


class SchoolCommandsArgs(_Args):
    school: str
    limit: int = 50


class SchoolArgs(_Args):
    school: str


class AddConsoleKeyArgs(_Args):
    public_key: str
    name: str


@dataclass(slots=True)
class ConsoleSession:
    key: str
    name: str
    operator: str
    outgoing: Sequencer = field(default_factory=Sequencer)
    subscribed: bool = False
    in_flight: int = 0


class ConsoleService:
    def __init__(self, core: HubCore, sock: zmq.Socket[bytes], ops: Operations) -> None:
        self._core = core
        self._sock = sock
        self._ops = ops
        self.sessions: dict[bytes, ConsoleSession] = {}
        self.update_seq = 0

    # --- receiving ------------------------------------------------------------------------
    def handle(self, frames: list[zmq.Frame]) -> None:
        routing_id = frames[0].bytes
        key = user_id_of(frames[0])
        session = self.sessions.get(routing_id)
        try:
            if not key or not self._core.allow_lists.is_console(key):
                self.sessions.pop(routing_id, None)
                raise ProtocolError(ErrorCode.UNAUTHORIZED, "this console key is not allowed")
            if session is not None and session.key != key:
                raise ProtocolError(
                    ErrorCode.UNAUTHORIZED, "message key differs from the key that said hello"
                )
            allowed = ACTIVE_TYPES if session is not None else NEW_TYPES
            message = CONSOLE_DECODER.decode([f.bytes for f in frames[1:]], allowed)
        except ProtocolError as exc:
            self._core.reject(
                self._sock, "console", routing_id, key, exc, session.outgoing.next() if session else 0
            )
            return
        if isinstance(message, ConsoleHello):
            self._hello(routing_id, key, message)
        elif session is None:
            return  # console_bye before hello: nothing to forget
        elif isinstance(message, Subscribe):
            session.subscribed = True
            self._send(routing_id, session, self._snapshot(session))
        elif isinstance(message, Request):
            self._request(routing_id, session, message)
        elif isinstance(message, ConsoleBye):
            del self.sessions[routing_id]

    def _hello(self, routing_id: bytes, key: str, hello: ConsoleHello) -> None:
        if routing_id not in self.sessions and len(self.sessions) >= MAX_CONSOLE_SESSIONS:
            self._core.reject(
                self._sock,
                "console",
                routing_id,
                key,
                ProtocolError(ErrorCode.INTERNAL, "too many console sessions", hello.id),
            )
            return
        session = ConsoleSession(key=key, name=hello.console_name[:64], operator=hello.operator[:64])
        self.sessions[routing_id] = session
        log.info("console %r connected (operator %s)", session.name, session.operator)
        self._send(
            routing_id,
            session,
            ConsoleWelcome(
                hub_version=HUB_VERSION, epoch=self._core.epoch, **header_fields(session.outgoing.next())
            ),
        )

    def _snapshot(self, session: ConsoleSession) -> Snapshot:
        core = self._core
        return Snapshot(
            update_seq=self.update_seq,
            presence=core.presence.all_views(),
            agents=core.book.all(),
            **header_fields(session.outgoing.next()),
        )

    def _send(self, routing_id: bytes, session: ConsoleSession, message: Message) -> None:
        try:
            self._sock.send_multipart([routing_id, encode(message)], flags=zmq.NOBLOCK)
        except zmq.ZMQError as exc:
            if exc.errno == zmq.EHOSTUNREACH:
                self.sessions.pop(routing_id, None)
            elif exc.errno != zmq.EAGAIN:
                raise
            # EAGAIN: the console is not reading; it sees a gap in update_seq and resubscribes.

    # --- requests -------------------------------------------------------------------------
    def _request(self, routing_id: bytes, session: ConsoleSession, request: Request) -> None:
        def reply(result: Any, error: HubRequestError | None) -> None:
            session.in_flight -= 1
            if error is not None:
                message = Reply(
                    request_id=request.request_id,
                    ok=False,
                    error_code=error.code.value,
                    error=error.message,
                    **header_fields(session.outgoing.next()),
                )
            else:
                message = Reply(
                    request_id=request.request_id,
                    ok=True,
                    result=_result_dict(result),
                    **header_fields(session.outgoing.next()),
                )
            if self.sessions.get(routing_id) is session:
                self._send(routing_id, session, message)

        session.in_flight += 1
        try:
            operator = request.operator.strip()
            if not operator or len(operator) > MAX_OPERATOR_LENGTH:
                raise HubRequestError(
                    ErrorCode.MALFORMED, "every request must name its operator (1-64 characters)"
                )
            if session.in_flight > MAX_REQUESTS_IN_FLIGHT:
                raise HubRequestError(ErrorCode.INTERNAL, "too many requests in progress; retry later")
            handler = self._handlers().get(request.action)
            if handler is None:
                raise HubRequestError(ErrorCode.UNKNOWN_TYPE, f"unknown request action {request.action!r}")
            log.info("console %r request %s by %s", session.name, request.action, operator)
            handler(request.args, operator, reply)
        except HubRequestError as exc:
            reply(None, exc)

    def _handlers(
        self,
    ) -> dict[str, Callable[[dict[str, Any], str, Callable[[Any, HubRequestError | None], None]], None]]:
        ops = self._ops
        return {
            "send_command": self._send_command,
            "list_agents": lambda a, _o, done: done(
                {"agents": ops.list_agents(_parse(a, ListAgentsArgs).status)}, None
            ),
            "decide_enrollment": lambda a, o, done: self._decide(a, o, done),
            "create_token": lambda a, o, done: self._create_token(a, o, done),
            "command_status": lambda a, _o, done: ops.command_status(
                _parse(a, CommandStatusArgs).command_id, done
            ),
            "school_commands": lambda a, _o, done: self._school_commands(a, done),
            "school_agent": lambda a, _o, done: done(ops.school_agent(_parse(a, SchoolArgs).school), None),
            "add_console_key": lambda a, o, done: self._add_console_key(a, o, done),
        }

    def _send_command(
        self, raw: dict[str, Any], operator: str, done: Callable[[Any, HubRequestError | None], None]
    ) -> None:
        args = _parse(raw, SendCommandArgs)
        target = Target(
            schools=tuple(args.target.schools),
            districts=tuple(args.target.districts),
            all_schools=args.target.all,
        )

        def issued(result: IssuedCommand | None, error: HubRequestError | None) -> None:
            if result is None:
                done(None, error)
                return
            done(
                {
                    "command_id": result.command_id,
                    "schools": list(result.schools),
                    "no_agent": list(result.no_agent),
                },
                None,
            )

        self._ops.issue_command(target, args.action, dict(args.args), args.ttl_s, operator, issued)

    def _decide(
        self, raw: dict[str, Any], operator: str, done: Callable[[Any, HubRequestError | None], None]
    ) -> None:
        args = _parse(raw, DecideEnrollmentArgs)
        self._ops.decide_enrollment(
            args.public_key,
            args.decision,
            operator,
            lambda info, err: done({"agent": info} if info is not None else None, err),
        )

    def _create_token(
        self, raw: dict[str, Any], operator: str, done: Callable[[Any, HubRequestError | None], None]
    ) -> None:
        args = _parse(raw, CreateTokenArgs)
        self._ops.create_token(
            args.school,
            args.ttl_s,
            operator,
            lambda r, err: done(
                {"token": r[0], "expires_at": r[1], "school": args.school} if r else None, err
            ),
        )

    def _school_commands(
        self, raw: dict[str, Any], done: Callable[[Any, HubRequestError | None], None]
    ) -> None:
        args = _parse(raw, SchoolCommandsArgs)
        self._ops.school_commands(args.school, args.limit, done)

    def _add_console_key(
        self, raw: dict[str, Any], operator: str, done: Callable[[Any, HubRequestError | None], None]
    ) -> None:
        args = _parse(raw, AddConsoleKeyArgs)
        self._ops.add_console_key(args.public_key, args.name, operator, done)

    # --- updates --------------------------------------------------------------------------
    def tick(self) -> None:
        """Send one coalesced update to every subscribed console if anything changed."""
        core = self._core
        presence = core.presence.take_changed()
        agents = list(core.feed.agents.values())
        deliveries = core.ledger.take_changes()
        events = core.feed.events
        core.feed.agents.clear()
        core.feed.events = []
        subscribers = [(rid, s) for rid, s in self.sessions.items() if s.subscribed]
        if not (presence or agents or deliveries or events) or not subscribers:
            return  # nobody to tell; a later snapshot shows the current state anyway
        self.update_seq += 1
        for routing_id, session in subscribers:
            update = Update(
                update_seq=self.update_seq,
                presence=presence,
                agents=agents,
                deliveries=deliveries,
                events=events,
                **header_fields(session.outgoing.next()),
            )
            self._send(routing_id, session, update)


def _parse(raw: dict[str, Any], cls: type[msgspec.Struct]) -> Any:
    try:
        return msgspec.convert(raw, cls)
    except msgspec.ValidationError as exc:
        raise HubRequestError(ErrorCode.MALFORMED, f"invalid request args: {exc}") from None


def _result_dict(result: Any) -> dict[str, Any]:
    builtins = msgspec.to_builtins(result) if result is not None else {}
    if not isinstance(builtins, dict):
        return {"value": builtins}
    return builtins
