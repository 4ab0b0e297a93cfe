"""A console's connection to the hub, without Qt: hello, subscribe, snapshot + updates with gap
detection, and requests matched to their replies.

One `HubClient` is owned by one thread (its ZeroMQ socket is not thread-safe). Two ways to use it:
- blocking: `connect()`, `request(action, args)` (waits for the reply, with a timeout);
- poll-driven: `subscribe()`, then call `poll(timeout)` in a loop; it returns what arrived
  (snapshots, updates in order, replies to `send_request`, resync notices, errors).
A gap in `update_seq` makes the client drop updates until a fresh snapshot arrives (it
resubscribes by itself). If the hub restarts, the hub answers with `out_of_state`; the client then
says hello again and resubscribes, and the next snapshot brings it up to date.
"""

from __future__ import annotations

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
    ConsoleWelcome,
    Reply,
    Request,
    Snapshot,
    Subscribe,
    Update,
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
class Resync:
    """Updates were lost (expected `expected`, got `received`); a fresh snapshot follows."""

    expected: int
    received: int


HubEvent = Snapshot | Update | Reply | Error | Resync | ConsoleWelcome


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
            for event in self._receive(min(remaining, 0.5)):
                if isinstance(event, ConsoleWelcome):
                    self.welcome = event
                    return event
                if isinstance(event, Error):
                    raise HubClientError(event.code, event.message)
                self._backlog.append(event)

    def subscribe(self) -> None:
        self._subscribed = True
        self._synced_seq = None
        self._send(Subscribe)

    def send_request(
        self, action: str, args: dict[str, Any] | None = None, operator: str | None = None
    ) -> str:
        """Send a request; its `Reply` (same request_id) comes out of `poll`."""
        request_id = new_message_id()
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
            for event in self._receive(remaining):
                if isinstance(event, Reply) and event.request_id == request_id:
                    if not event.ok:
                        raise HubClientError(event.error_code, event.error)
                    return event.result
                if isinstance(event, Error) and event.ref_id and event.code != ErrorCode.OUT_OF_STATE:
                    raise HubClientError(event.code, event.message)
                self._backlog.append(event)

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
            if self._subscribed:
                self.subscribe()
            return [message]
        return [message]
