"""A console's connection to the hub, without Qt: hello, subscribe, snapshot + updates with gap
detection, and requests matched to their replies.

One `HubClient` is owned by one thread (its ZeroMQ socket is not thread-safe). Two ways to use it:
- blocking: `connect()`, `request(action, args)` (waits for the reply, with a timeout);
- poll-driven: `subscribe()`, then call `poll(timeout)` in a loop; it returns what arrived
  (snapshots, updates in order, replies to `send_request`, resync notices, errors).
A gap in `update_seq` makes the client drop updates until a fresh snapshot arrives (it
resubscribes by itself). If the hub restarts, the hub answers with `out_of_state`; the client then
says hello again, resumes its operator's session with the session token and resubscribes, and the
next snapshot brings it up to date.

An operator logs in (`login`) before anything else but `login` and `resume`; the client keeps the
session token and names the logged-in operator in every request. The hub's own CLI key is the
hub's local administrator and needs no login (the welcome says `local_admin`).
"""

from __future__ import annotations

import base64
import logging
import time
from dataclasses import dataclass
from typing import Any

import msgspec
import zmq

from services.protocol.agent_messages import Error
from services.protocol.codec import Sequencer, encode, header_fields, new_message_id
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
    VoiceTarget,
)
from services.protocol.envelope import PROTOCOL_VERSION, ErrorCode, Message
from services.protocol.keys import KeyPair

log = logging.getLogger(__name__)

# Snapshots of a whole city are large; the hub is a trusted peer, but not an unbounded one.
MAX_HUB_FRAME_BYTES = 64 * 1024 * 1024

HubToConsole = ConsoleWelcome | Snapshot | Update | Reply | Error
_decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(HubToConsole)


class HubClientError(RuntimeError):
    """A request failed (the hub's error code and message) or the hub did not answer in time."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class SessionEnded:
    """The hub no longer accepts this console's operator session (expired, reset or disabled)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Resync:
    """Updates were lost (expected `expected`, got `received`); a fresh snapshot follows."""

    expected: int
    received: int


HubEvent = Snapshot | Update | Reply | Error | Resync | ConsoleWelcome | SessionEnded
SESSION_ACTIONS = frozenset({"login", "resume", "logout"})


class HubClient:
    def __init__(
        self,
        endpoint: str,
        server_public_key: bytes,
        keypair: KeyPair,
        console_name: str,
        operator: str,
        context: zmq.Context[zmq.Socket[bytes]] | None = None,
        heartbeat_interval_s: float = 5.0,
    ) -> None:
        self.endpoint = endpoint
        self.console_name = console_name
        self.operator = operator
        self.local_admin = False  # the hub says so in its welcome (its own CLI key)
        self.session_token = ""
        self.logged_in: dict[str, Any] | None = None  # the hub's answer to the last login / resume
        self._session_requests: dict[str, str] = {}  # request id -> login / resume / logout
        self._context = context or zmq.Context.instance()
        self._sock: zmq.Socket[bytes] = self._context.socket(zmq.DEALER)
        self._sock.curve_serverkey = server_public_key
        self._sock.curve_publickey = keypair.public
        self._sock.curve_secretkey = keypair.secret
        self._sock.setsockopt(zmq.LINGER, 0)
        ivl = int(heartbeat_interval_s * 1000)
        self._sock.setsockopt(zmq.HEARTBEAT_IVL, ivl)
        self._sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, ivl * 3)
        self._sock.setsockopt(zmq.RECONNECT_IVL, 200)
        self._sock.setsockopt(zmq.RECONNECT_IVL_MAX, 5000)
        self._sock.setsockopt(zmq.MAXMSGSIZE, MAX_HUB_FRAME_BYTES)
        self._sock.connect(endpoint)
        self._seq = Sequencer()
        self._subscribed = False
        self._synced_seq: int | None = None  # update_seq of the state we hold; None = waiting
        self._backlog: list[HubEvent] = []
        self.welcome: ConsoleWelcome | None = None

    # --- sending --------------------------------------------------------------------------
    def _send(self, message_cls: type[Message], **fields: Any) -> str:
        """Send without blocking; raises HubClientError("not_connected") while there is no connection."""
        header = header_fields(self._seq.next())
        try:
            self._sock.send(encode(message_cls(**fields, **header)), zmq.NOBLOCK)
        except zmq.Again:
            raise HubClientError("not_connected", f"no connection to the hub at {self.endpoint}") from None
        return str(header["id"])

    def connect(self, timeout: float = 10.0) -> ConsoleWelcome:
        """Say hello and wait for the welcome."""
        deadline = time.monotonic() + timeout
        said_hello = False
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HubClientError("timeout", f"no welcome from the hub at {self.endpoint}")
            if not said_hello:
                try:
                    self._send(ConsoleHello, console_name=self.console_name, operator=self.operator)
                    said_hello = True
                except HubClientError:
                    time.sleep(min(0.05, remaining))
                    continue
            events = self._receive(min(remaining, 0.5))
            for index, event in enumerate(events):
                if isinstance(event, ConsoleWelcome | Error):
                    self._backlog.extend(events[index + 1 :])  # kept for `poll`
                if isinstance(event, ConsoleWelcome):
                    self.welcome = event
                    self.local_admin = event.local_admin
                    if self.session_token:
                        # A new connection: take the operator's session back before anything else.
                        self.logged_in = None
                        self.send_request("resume", {"session_token": self.session_token})
                    return event
                if isinstance(event, Error):
                    raise HubClientError(event.code, event.message)
                self._backlog.append(event)

    @property
    def authenticated(self) -> bool:
        return self.local_admin or self.logged_in is not None

    def subscribe(self) -> None:
        """Ask for the snapshot and updates; sent once an operator is logged in (or resumed)."""
        self._subscribed = True
        self._synced_seq = None
        if self.authenticated:
            self._send(Subscribe)

    def login(self, username: str, password: str, timeout: float = 15.0) -> dict[str, Any]:
        """Log an operator in (blocking); raises HubClientError with the hub's reason."""
        return self.request("login", {"username": username, "password": password}, timeout=timeout)

    def send_request(
        self, action: str, args: dict[str, Any] | None = None, operator: str | None = None
    ) -> str:
        """Send a request; its `Reply` (same request_id) comes out of `poll`."""
        request_id = new_message_id()
        if action == "login" and args is not None:
            operator = str(args.get("username", ""))  # a login names the operator logging in
        if action in SESSION_ACTIONS:
            self._session_requests[request_id] = action
        self._send(
            Request, request_id=request_id, operator=operator or self.operator, action=action, args=args or {}
        )
        return request_id

    def request(
        self,
        action: str,
        args: dict[str, Any] | None = None,
        operator: str | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Send a request and wait for its reply; other arrivals are kept for `poll`."""
        request_id = self.send_request(action, args, operator)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HubClientError("timeout", f"no reply to {action} within {timeout:.0f} s")
            events = self._receive(remaining)
            for index, event in enumerate(events):
                if isinstance(event, Reply) and event.request_id == request_id:
                    # What came after the answer in the same batch is kept for `poll`: an update
                    # dropped here would already count as applied, so no gap would ever show.
                    self._backlog.extend(events[index + 1 :])
                    if not event.ok:
                        raise HubClientError(event.error_code, event.error)
                    return event.result
                if isinstance(event, Error) and event.ref_id and event.code != ErrorCode.OUT_OF_STATE:
                    self._backlog.extend(events[index + 1 :])
                    raise HubClientError(event.code, event.message)
                self._backlog.append(event)

    def send_voice_frame(
        self,
        stream_id: str,
        frame_seq: int,
        captured_at: float,
        opus: bytes,
        *,
        target: dict[str, Any],
        priority: str,
        zones: list[str] | None = None,
        drill: bool = False,
        end: bool = False,
    ) -> None:
        """Send one 20 ms Opus frame of live voice (never answered; a refused stream gets one
        `error` through `poll`). Raises HubClientError("not_connected") while there is no
        connection, so the caller knows the frame is gone rather than late."""
        self._send(
            ConsoleVoiceFrame,
            stream_id=stream_id,
            frame_seq=frame_seq,
            captured_at=captured_at,
            opus=base64.b64encode(opus).decode("ascii"),
            target=msgspec.convert(target, VoiceTarget),
            priority=priority,
            zones=list(zones or ()),
            drill=drill,
            end=end,
        )

    def close(self) -> None:
        if self._sock.closed:
            return
        try:
            self._send(ConsoleBye)
        except (HubClientError, zmq.ZMQError):
            pass
        self._sock.close(linger=0)

    # --- receiving ------------------------------------------------------------------------
    def poll(self, timeout: float = 0.0) -> list[HubEvent]:
        """Everything that arrived (waiting up to *timeout* seconds for the first message)."""
        events, self._backlog = self._backlog, []
        if events:
            timeout = 0.0
        events.extend(self._receive(timeout))
        return events

    def _receive(self, timeout: float) -> list[HubEvent]:
        events: list[HubEvent] = []
        if not self._sock.poll(int(timeout * 1000), zmq.POLLIN):
            return events
        while True:
            try:
                frame = self._sock.recv(zmq.NOBLOCK)
            except zmq.Again:
                return events
            try:
                message = _decoder.decode(frame)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                log.warning("bad message from the hub: %s", exc)
                continue
            if message.v != PROTOCOL_VERSION:
                log.warning("hub speaks protocol version %d, this console %d", message.v, PROTOCOL_VERSION)
                continue
            events.extend(self._accept(message))

    def _accept(self, message: HubEvent) -> list[HubEvent]:
        if isinstance(message, Reply) and message.request_id in self._session_requests:
            return self._session_reply(self._session_requests.pop(message.request_id), message)
        if isinstance(message, ConsoleWelcome):
            self.welcome = message
            self.local_admin = message.local_admin
        if isinstance(message, Snapshot):
            if not self._subscribed:
                return []
            self._synced_seq = message.update_seq
            return [message]
        if isinstance(message, Update):
            if self._synced_seq is None or message.update_seq <= self._synced_seq:
                return []  # waiting for a snapshot, or already contained in it
            if message.update_seq != self._synced_seq + 1:
                gap = Resync(expected=self._synced_seq + 1, received=message.update_seq)
                log.info(
                    "console updates lost (expected %d, got %d); resubscribing", gap.expected, gap.received
                )
                self.subscribe()
                return [gap]
            self._synced_seq = message.update_seq
            return [message]
        if isinstance(message, Error) and message.code == ErrorCode.OUT_OF_STATE:
            # The hub does not know this connection (it restarted): introduce ourselves again.
            log.info("the hub forgot this console (restarted?); saying hello again")
            self._send(ConsoleHello, console_name=self.console_name, operator=self.operator)
            if self.session_token:
                self.logged_in = None  # until the hub has taken the session back
                self.send_request("resume", {"session_token": self.session_token})
            elif self._subscribed:
                self.subscribe()
            return [message]
        return [message]

    def _session_reply(self, action: str, reply: Reply) -> list[HubEvent]:
        if reply.ok and action in ("login", "resume"):
            self.logged_in = dict(reply.result)
            self.operator = str(reply.result.get("username", self.operator))
            self.session_token = str(reply.result.get("session_token", "")) or self.session_token
            if self._subscribed:
                self.subscribe()
        elif action == "logout" and reply.ok:
            self.logged_in = None
            self.session_token = ""
        elif action == "resume":
            self.logged_in = None
            self.session_token = ""
            return [reply, SessionEnded(reply.error or "the session has ended")]
        return [reply]
