"""The console socket: console_hello, subscribe -> snapshot + sequenced updates, and requests.

Updates are coalesced: changes collected since the last tick (presence, enrollment records,
delivery states, new events, incidents and the alarm rate) go out as one `update` every
`console_update_interval_s`, and at once in the loop round an incident changed, numbered by
`update_seq` (one counter for the hub, +1 per update). A snapshot carries the `update_seq` of
the last update it already contains, so a console applies only updates after it and resubscribes
when it sees a gap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
import zmq

from services.hub.broadcast_service import BroadcastService
from services.hub.config import HUB_VERSION, IssuedCommand, Target
from services.hub.console_access import (
    CONFIRMATION_TTL_S,
    SESSION_REQUESTS,
    ConfirmationBook,
    LoggedIn,
    check_command,
    check_request,
    check_school_visible,
    command_fingerprint,
    local_administrator,
    require_login,
)
from services.hub.console_operators import OperatorRequests
from services.hub.core import HubCore
from services.hub.errors import HubRequestError
from services.hub.incident_requests import IncidentRequests
from services.hub.operations import Operations
from services.hub.sessions import user_id_of
from services.hub.voice_relay import VoiceRelay
from services.protocol.agent_messages import ArgValue
from services.protocol.codec import Decoder, ProtocolError, Sequencer, encode, header_fields
from services.protocol.console_messages import (
    ConsoleBye,
    ConsoleHello,
    ConsoleVoiceFrame,
    ConsoleWelcome,
    Reply,
    Request,
    Snapshot,
    Subscribe,
    Update,
)
from services.protocol.envelope import ErrorCode, Message

log = logging.getLogger("services.hub.consoles")

CONSOLE_DECODER = Decoder(ConsoleHello, Subscribe, Request, ConsoleBye, ConsoleVoiceFrame)
NEW_TYPES = frozenset({"console_hello", "console_bye"})
ACTIVE_TYPES = frozenset({"console_hello", "subscribe", "request", "console_bye", "voice_frame"})
MAX_CONSOLE_SESSIONS = 256
MAX_REQUESTS_IN_FLIGHT = 256
MAX_OPERATOR_LENGTH = 64
Done = Callable[[Any, HubRequestError | None], None]
Handler = Callable[[dict[str, Any], "ConsoleSession", LoggedIn, Done], None]
# Requests that only read: recorded in the audit record when refused, not on every success.
# Reading the audit record itself is recorded.
READ_ONLY_REQUESTS = frozenset(
    {
        "list_agents",
        "command_status",
        "school_commands",
        "school_agent",
        "whoami",
        "list_operators",
        "broadcast_history",
        "broadcast_status",
    }
)
REFUSALS = frozenset(
    {ErrorCode.UNAUTHORIZED, ErrorCode.FORBIDDEN, ErrorCode.LOCKED, ErrorCode.CONFIRMATION_REQUIRED}
)
# Requests whose audit entry names the command (and broadcast) they created.
COMMAND_REQUESTS = frozenset({"send_command", "broadcast_send", "broadcast_stop"})
SECRET_ARGS = frozenset({"password", "old_password", "new_password", "session_token", "token"})


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
    confirmation: str = ""  # the id from a confirmation_required reply, for city-wide emergencies


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
    login: LoggedIn | None = None
    login_busy: bool = False  # one password check at a time per session (they are slow on purpose)


class ConsoleService:
    def __init__(self, core: HubCore, sock: zmq.Socket[bytes], ops: Operations) -> None:
        self._core = core
        self._sock = sock
        self._ops = ops
        self.sessions: dict[bytes, ConsoleSession] = {}
        self.update_seq = 0
        self.confirmations = ConfirmationBook()
        self._operators = OperatorRequests(core, self._sessions_of)
        self._incidents = IncidentRequests(core, self._sessions_of)
        self._sent_rate = 0.0
        # Set by the server (it needs the agent service and this service's confirmations).
        self.broadcasts: BroadcastService | None = None
        self.voice = VoiceRelay(core)

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
            if session.login is None:
                self._core.reject(
                    self._sock,
                    "console",
                    routing_id,
                    key,
                    ProtocolError(ErrorCode.UNAUTHORIZED, "log in before subscribing", message.id),
                    session.outgoing.next(),
                )
                return
            session.subscribed = True
            self._send(routing_id, session, self._snapshot(session))
        elif isinstance(message, Request):
            self._request(routing_id, session, message)
        elif isinstance(message, ConsoleVoiceFrame):
            self.voice.frame(routing_id, session.name, session.login, message)
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
        if key in self._core.local_admin_keys:
            session.login = local_administrator(session.operator or "cli")
        self.sessions[routing_id] = session
        log.info("console %r connected (operator %s)", session.name, session.operator)
        self._send(
            routing_id,
            session,
            ConsoleWelcome(
                hub_version=HUB_VERSION,
                epoch=self._core.epoch,
                local_admin=session.login is not None,
                **header_fields(session.outgoing.next()),
            ),
        )

    def _snapshot(self, session: ConsoleSession) -> Snapshot:
        core = self._core
        visible = self._visible(session)
        return Snapshot(
            update_seq=self.update_seq,
            presence=[p for p in core.presence.all_views() if visible(p.school)],
            agents=[a for a in core.book.all() if visible(a.school)],
            incidents=core.incidents.queue_views(visible),
            alarm_rate_per_min=core.incidents.rate_per_min(time.time()),
            **header_fields(session.outgoing.next()),
        )

    def _visible(self, session: ConsoleSession) -> Callable[[str], bool]:
        """Which schools a session may see: all, or a district viewer's own district."""
        login = session.login
        if login is None or not login.scoped:
            return lambda _school: True
        districts, own = self._core.school_districts, login.district_code
        return lambda school: districts.get(school) == own

    def _sessions_of(self, username: str) -> list[ConsoleSession]:
        return [s for s in self.sessions.values() if s.login is not None and s.login.username == username]

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
        operator = request.operator.strip()
        audit_login = session.login

        def reply(result: Any, error: HubRequestError | None) -> None:
            session.in_flight -= 1
            self._audit(session, audit_login, operator, request, result, error)
            if error is not None:
                message = Reply(
                    request_id=request.request_id,
                    ok=False,
                    error_code=error.code.value,
                    error=error.message,
                    result=_result_dict(error.details) if error.details else {},
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
            if not operator or len(operator) > MAX_OPERATOR_LENGTH:
                raise HubRequestError(
                    ErrorCode.MALFORMED, "every request must name its operator (1-64 characters)"
                )
            if session.in_flight > MAX_REQUESTS_IN_FLIGHT:
                raise HubRequestError(ErrorCode.INTERNAL, "too many requests in progress; retry later")
            if request.action in SESSION_REQUESTS:
                self._log_in(session, request, reply)
                return
            login = require_login(session.login, request.action)
            if not login.token and session.key in self._core.local_admin_keys:
                # The hub's local administrator acts in the name each request gives (prefixed).
                login = local_administrator(operator)
            elif operator != login.username:
                raise HubRequestError(
                    ErrorCode.UNAUTHORIZED,
                    f"the request names {operator!r}, but {login.username!r} is logged in on this console",
                )
            check_request(login, request.action)
            handler = self._handlers().get(request.action)
            if handler is None:
                raise HubRequestError(ErrorCode.UNKNOWN_TYPE, f"unknown request action {request.action!r}")
            log.info("console %r request %s by %s", session.name, request.action, operator)
            handler(request.args, session, login, reply)
        except HubRequestError as exc:
            reply(None, exc)

    def _log_in(self, session: ConsoleSession, request: Request, reply: Done) -> None:
        if session.login_busy:
            raise HubRequestError(ErrorCode.INTERNAL, "a login is already being checked on this console")
        session.login_busy = True

        def finished(result: Any, error: HubRequestError | None) -> None:
            session.login_busy = False
            if error is None and isinstance(result, dict):
                session.login = self._operators.logged_in_from(result)
                log.info("console %r: %s logged in (%s)", session.name, result["username"], result["role"])
            reply(result, error)

        try:
            if request.action == "login":
                self._operators.login(request.args, request.operator.strip(), session.name, finished)
            else:
                self._operators.resume(request.args, finished)
        except HubRequestError:
            session.login_busy = False
            raise

    def _audit(
        self,
        session: ConsoleSession,
        before: LoggedIn | None,
        operator: str,
        request: Request,
        result: Any,
        error: HubRequestError | None,
    ) -> None:
        """One audit entry per request: who (as logged in), what, on what, and how it ended."""
        if request.action in READ_ONLY_REQUESTS and error is None:
            return  # looking is not acting; refused looks are still recorded below
        login = session.login if request.action in SESSION_REQUESTS else before
        outcome = "ok" if error is None else ("refused" if error.code in REFUSALS else "failed")
        detail: dict[str, Any] = {"args": _without_secrets(request.args)}
        if error is not None:
            detail["error"] = f"{error.code.value}: {error.message}"
        elif request.action in COMMAND_REQUESTS and isinstance(result, dict):
            detail["command_id"] = result.get("command_id", "")
            if "broadcast_id" in result:
                detail["broadcast_id"] = result["broadcast_id"]
            detail["schools"] = len(result.get("schools", []))
            detail["no_agent"] = len(result.get("no_agent", []))
        self._core.audit.record(
            operator=login.username if login is not None else operator,
            role=login.role.value if login is not None else "",
            console=session.name,
            action=request.action,
            target=_target_text(request.args),
            result=outcome,
            detail=detail,
        )

    def _handlers(self) -> dict[str, Handler]:
        ops = self._ops
        operators = self._operators
        return {
            "send_command": self._send_command,
            "list_agents": lambda a, _s, _l, done: done(
                {"agents": ops.list_agents(_parse(a, ListAgentsArgs).status)}, None
            ),
            "decide_enrollment": lambda a, _s, login, done: self._decide(a, login.username, done),
            "create_token": lambda a, _s, login, done: self._create_token(a, login.username, done),
            "command_status": self._command_status,
            "school_commands": self._school_commands,
            "school_agent": self._school_agent,
            "add_console_key": lambda a, _s, login, done: self._add_console_key(a, login.username, done),
            "logout": self._log_out,
            "whoami": lambda _a, _s, login, done: done(operators.describe(login), None),
            "change_password": lambda a, _s, login, done: operators.change_password(a, login, done),
            "list_operators": lambda a, _s, _l, done: operators.list_operators(a, done),
            "create_operator": lambda a, _s, _l, done: operators.create_operator(a, done),
            "update_operator": lambda a, _s, _l, done: operators.update_operator(a, done),
            "reset_password": lambda a, _s, _l, done: operators.reset_password(a, done),
            "unlock_operator": lambda a, _s, _l, done: operators.unlock_operator(a, done),
            "audit_search": lambda a, _s, _l, done: operators.audit_search(a, done),
            "audit_verify": lambda a, _s, _l, done: operators.audit_verify(a, done),
            **self._incidents.handlers(),
            **(self.broadcasts.handlers() if self.broadcasts is not None else {}),
        }

    def _log_out(self, _raw: dict[str, Any], session: ConsoleSession, login: LoggedIn, done: Done) -> None:
        session.login = None
        session.subscribed = False
        log.info("console %r: %s logged out", session.name, login.username)
        self._operators.close_session(login, done)

    def _send_command(
        self, raw: dict[str, Any], _session: ConsoleSession, login: LoggedIn, done: Done
    ) -> None:
        args = _parse(raw, SendCommandArgs)
        target = Target(
            schools=tuple(args.target.schools),
            districts=tuple(args.target.districts),
            all_schools=args.target.all,
        )
        command_args = dict(args.args)
        confirm = check_command(login, target, args.action, command_args, self._core.school_districts)
        if confirm:
            fingerprint = command_fingerprint(target, args.action, command_args)
            if not args.confirmation or not self.confirmations.redeem(
                args.confirmation, login.username, fingerprint
            ):
                raise HubRequestError(
                    ErrorCode.CONFIRMATION_REQUIRED,
                    "a city-wide emergency or drill command must be confirmed a second time",
                    details={
                        "confirmation": self.confirmations.issue(login.username, fingerprint),
                        "schools": self._target_size(target),
                        "action": args.action,
                        "expires_in_s": CONFIRMATION_TTL_S,
                    },
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

        self._ops.issue_command(target, args.action, command_args, args.ttl_s, login.username, issued)

    def _target_size(self, target: Target) -> int:
        districts = self._core.school_districts
        if target.all_schools:
            return len(districts)
        wanted = set(target.districts)
        return len(set(target.schools) | {code for code, d in districts.items() if d in wanted})

    def _decide(self, raw: dict[str, Any], operator: str, done: Done) -> None:
        args = _parse(raw, DecideEnrollmentArgs)
        self._ops.decide_enrollment(
            args.public_key,
            args.decision,
            operator,
            lambda info, err: done({"agent": info} if info is not None else None, err),
        )

    def _create_token(self, raw: dict[str, Any], operator: str, done: Done) -> None:
        args = _parse(raw, CreateTokenArgs)
        self._ops.create_token(
            args.school,
            args.ttl_s,
            operator,
            lambda r, err: done(
                {"token": r[0], "expires_at": r[1], "school": args.school} if r else None, err
            ),
        )

    def _command_status(self, raw: dict[str, Any], _s: ConsoleSession, login: LoggedIn, done: Done) -> None:
        command_id = _parse(raw, CommandStatusArgs).command_id
        if not login.scoped:
            self._ops.command_status(command_id, done)
            return
        districts, own = self._core.school_districts, login.district_code

        def scoped(result: Any, error: HubRequestError | None) -> None:
            if error is not None or not isinstance(result, dict):
                done(result, error)
                return
            mine = [d for d in result.get("deliveries", []) if districts.get(d.get("school")) == own]
            if not mine:
                refusal = HubRequestError(ErrorCode.FORBIDDEN, "that command reached none of your schools")
                done(None, refusal)
                return
            done({**result, "deliveries": mine}, None)

        self._ops.command_status(command_id, scoped)

    def _school_commands(self, raw: dict[str, Any], _s: ConsoleSession, login: LoggedIn, done: Done) -> None:
        args = _parse(raw, SchoolCommandsArgs)
        check_school_visible(login, args.school, self._core.school_districts)
        self._ops.school_commands(args.school, args.limit, done)

    def _school_agent(self, raw: dict[str, Any], _s: ConsoleSession, login: LoggedIn, done: Done) -> None:
        school = _parse(raw, SchoolArgs).school
        check_school_visible(login, school, self._core.school_districts)
        done(self._ops.school_agent(school), None)

    def _add_console_key(self, raw: dict[str, Any], operator: str, done: Done) -> None:
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
        incidents = core.incidents.take_changed_views()
        rate = core.incidents.rate_per_min(time.time())
        core.feed.agents.clear()
        core.feed.events = []
        core.audit.flush()
        subscribers = [(rid, s) for rid, s in self.sessions.items() if s.subscribed]
        changed = presence or agents or deliveries or events or incidents or rate != self._sent_rate
        if not changed or not subscribers:
            return  # nobody to tell; a later snapshot shows the current state anyway
        self._sent_rate = rate
        self.update_seq += 1
        for routing_id, session in subscribers:
            if session.login is not None and session.login.scoped:
                visible = self._visible(session)
                update = Update(
                    update_seq=self.update_seq,
                    presence=[p for p in presence if visible(p.school)],
                    agents=[a for a in agents if visible(a.school)],
                    deliveries=[d for d in deliveries if visible(d.school)],
                    events=[e for e in events if visible(e.school)],
                    incidents=[i for i in incidents if visible(i.school)],
                    alarm_rate_per_min=rate,
                    **header_fields(session.outgoing.next()),
                )
            else:
                update = Update(
                    update_seq=self.update_seq,
                    presence=presence,
                    agents=agents,
                    deliveries=deliveries,
                    events=events,
                    incidents=incidents,
                    alarm_rate_per_min=rate,
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


def _without_secrets(args: dict[str, Any]) -> dict[str, Any]:
    """Request arguments as the audit record keeps them: passwords and tokens never."""
    return {k: ("***" if k in SECRET_ARGS else v) for k, v in args.items()}


def _target_text(args: dict[str, Any]) -> str:
    """What a request acts on, in one line for the audit record's target column."""
    target = args.get("target")
    if isinstance(target, dict):
        if target.get("all"):
            return "city"
        parts = [f"district:{d}" for d in target.get("districts", [])]
        parts += [f"school:{c}" for c in target.get("schools", [])]
        return ",".join(parts)
    for key in ("incident_id", "broadcast_id", "school", "username", "public_key", "command_id"):
        value = args.get(key)
        if isinstance(value, str) and value:
            return f"{key}:{value}"
    return ""
