"""The agent's one connection to the hub: a CURVE DEALER kept up with jittered exponential back-off.

A session: open a fresh DEALER (our key pair, the hub's public key, ZMTP heartbeats, TCP keepalive),
send `hello`, wait up to `hello_timeout_s` for `welcome`, then send `heartbeat` every
`heartbeat_interval_s` the hub asked for. The session ends, and a new one starts after a back-off
delay, when the transport reports the hub gone (socket monitor: disconnected, handshake refused),
when no welcome comes in time, when the hub answers with an error that invalidates the session
(unauthorized, out of state), or when the hub falls silent (an event left unacknowledged for
`ack_timeout_s`). The back-off resets once a welcome arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import zmq
import zmq.asyncio
from zmq.utils.monitor import parse_monitor_message

from hardware.agent.backoff import Backoff
from services.protocol.agent_messages import Error, Heartbeat, Hello, HubToAgent, Welcome
from services.protocol.codec import Decoder, ProtocolError, Sequencer, encode, header_fields
from services.protocol.envelope import ErrorCode, Message
from services.protocol.keys import KeyPair

log = logging.getLogger(__name__)

_monitor_ids = itertools.count()
_decoder = Decoder(*HubToAgent.__args__)  # type: ignore[attr-defined]
_MONITORED = (
    zmq.EVENT_DISCONNECTED
    | zmq.EVENT_HANDSHAKE_FAILED_AUTH
    | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
    | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
)
# Errors after which the hub no longer knows this session: start a new one.
_SESSION_ERRORS = frozenset({ErrorCode.UNAUTHORIZED, ErrorCode.OUT_OF_STATE})


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    endpoint: str
    server_key: bytes
    keys: KeyPair
    hello_timeout_s: float = 30.0
    zmq_heartbeat_s: float = 10.0
    ack_timeout_s: float = 60.0
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0


class SessionEnded(Exception):
    """Why a session ended (logged; the connection then backs off and reconnects)."""


class HubConnection:
    """Owns the DEALER. Callbacks run on the event loop; `send` never blocks."""

    def __init__(
        self,
        context: zmq.asyncio.Context,
        settings: ConnectionSettings,
        *,
        make_hello: Callable[[dict[str, Any]], Hello],
        on_welcome: Callable[[Welcome], None],
        on_message: Callable[[Message], None],
        heartbeat_backlog: Callable[[], int],
        oldest_unacked: Callable[[], float | None],
        backoff: Backoff | None = None,
        name: str = "agent",
    ) -> None:
        self._ctx = context
        self.settings = settings
        self._make_hello = make_hello
        self._on_welcome = on_welcome
        self._on_message = on_message
        self._heartbeat_backlog = heartbeat_backlog
        self._oldest_unacked = oldest_unacked
        self.backoff = backoff or Backoff(settings.backoff_initial_s, settings.backoff_max_s)
        self.name = name
        self._sock: zmq.Socket[bytes] | None = None
        self._monitor: zmq.Socket[bytes] | None = None
        self._poke: asyncio.Event | None = None  # wakes the session task: welcome or end
        self._end_reason: str | None = None
        self._welcomed_at: float | None = None
        self._draining = False
        self._recheck_scheduled = False
        self._seq = Sequencer()
        self.welcomed = False
        self.heartbeat_interval_s = 10.0
        self.sessions = 0  # welcomes received, over the connection's lifetime
        self.messages_sent = 0
        self._session: asyncio.Task[str] | None = None
        self._drop_for = 0.0
        self._stopping = False
        self._outage_logged = False

    # --- public ---------------------------------------------------------------------------

    def send(self, message_type: type[Message], msg_id: str | None = None, **fields: Any) -> bool:
        """Send one message now if a session is up; False when it could not be sent."""
        if self._sock is None or not self.welcomed:
            return False
        return self._send_raw(message_type(**header_fields(self._seq.next(), msg_id), **fields))

    def drop(self, for_s: float = 0.0, reason: str = "dropped") -> None:
        """End the current session (the fleet simulates outages with this)."""
        self._drop_for = for_s
        if self._session is not None and not self._session.done():
            self._session.cancel(reason)

    def stop(self) -> None:
        self._stopping = True
        if self._session is not None and not self._session.done():
            self._session.cancel("stopping")

    async def run(self) -> None:
        while not self._stopping:
            self._session = asyncio.ensure_future(self._run_session())
            try:
                reason = await self._session
            except zmq.ZMQError as exc:
                # e.g. out of sockets or file descriptors: a reason to wait and retry, never to stop.
                reason = f"cannot open a socket: {exc}"
                log.error("%s: %s", self.name, reason)
            except asyncio.CancelledError as exc:
                task = asyncio.current_task()
                if self._stopping or (task is not None and task.cancelling()):
                    if self._session is not None and not self._session.done():
                        self._session.cancel()
                    raise
                reason = str(exc.args[0]) if exc.args else "cancelled"
            finally:
                self.welcomed = False
            if self._stopping:
                break
            delay = self.backoff.next_delay() + self._drop_for
            self._drop_for = 0.0
            if not self._outage_logged and self.sessions > 0:
                self._outage_logged = True
                log.warning("%s: hub connection lost (%s); reconnecting", self.name, reason)
            else:
                log.info("%s: no session (%s); retrying in %.1f s", self.name, reason, delay)
            await asyncio.sleep(delay)

    # --- one session ----------------------------------------------------------------------

    def _open(self) -> tuple[zmq.Socket[bytes], zmq.Socket[bytes]]:
        s = self.settings
        # Plain (synchronous) sockets watched through the event loop's own reader callbacks: the
        # zmq.asyncio future machinery costs far more per message, which matters with thousands
        # of agents on one loop.
        sock: zmq.Socket[bytes] = zmq.Socket(self._ctx, zmq.DEALER)
        try:
            sock.curve_secretkey = s.keys.secret
            sock.curve_publickey = s.keys.public
            sock.curve_serverkey = s.server_key
            sock.linger = 0
            sock.setsockopt(zmq.SNDHWM, 10_000)
            sock.setsockopt(zmq.RCVHWM, 10_000)
            # Inside one session attempt zmq retries the TCP connect; the back-off between sessions is ours.
            sock.setsockopt(zmq.RECONNECT_IVL, 1000)
            heartbeat_ms = int(s.zmq_heartbeat_s * 1000)
            sock.setsockopt(zmq.HEARTBEAT_IVL, heartbeat_ms)
            sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, heartbeat_ms * 3)
            sock.setsockopt(zmq.HEARTBEAT_TTL, heartbeat_ms * 3)
            sock.setsockopt(zmq.TCP_KEEPALIVE, 1)
            sock.setsockopt(zmq.TCP_KEEPALIVE_IDLE, 60)
            sock.setsockopt(zmq.TCP_KEEPALIVE_INTVL, 10)
            address = f"inproc://agent-monitor-{id(self):x}-{next(_monitor_ids)}"
            sock.monitor(address, _MONITORED)
            monitor: zmq.Socket[bytes] = zmq.Socket(self._ctx, zmq.PAIR)
        except zmq.ZMQError:
            sock.close(linger=0)
            raise
        monitor.linger = 0
        monitor.connect(address)
        sock.connect(s.endpoint)
        return sock, monitor

    async def _run_session(self) -> str:
        sock, monitor = self._open()
        loop = asyncio.get_running_loop()
        # Incoming messages are handled right in the reader callbacks; this task only keeps time
        # (welcome deadline, heartbeats) and waits for the session to end. With thousands of agents
        # on one loop, waking a task per message cost more than handling the message.
        poke = self._poke = asyncio.Event()
        self._end_reason = None
        self._welcomed_at = None
        self._sock, self._monitor = sock, monitor
        self._seq = Sequencer()
        loop.add_reader(sock.FD, self._on_readable)
        loop.add_reader(monitor.FD, self._on_monitor)
        try:
            self._send_raw(self._make_hello(header_fields(self._seq.next())))
            # The FDs are edge-triggered, and a pipe nobody has read from yet never signals: read
            # both once so that every later arrival wakes its callback.
            self._on_readable()
            self._on_monitor()
            deadline = time.monotonic() + self.settings.hello_timeout_s
            next_beat = 0.0
            while True:
                poke.clear()
                if self._end_reason is not None:
                    raise SessionEnded(self._end_reason)
                now = time.monotonic()
                if not self.welcomed:
                    timeout = deadline - now
                    if timeout <= 0:
                        raise SessionEnded(
                            f"no welcome from the hub within {self.settings.hello_timeout_s:g} s"
                        )
                else:
                    if self._welcomed_at is not None:
                        next_beat = self._welcomed_at + self.heartbeat_interval_s
                        self._welcomed_at = None
                    if now >= next_beat:
                        self._check_acks()
                        self.send(Heartbeat, outbox_backlog=self._heartbeat_backlog())
                        next_beat = now + self.heartbeat_interval_s
                    timeout = next_beat - now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(poke.wait(), timeout)
        except SessionEnded as exc:
            return str(exc)
        finally:
            self.welcomed = False
            self._sock = self._monitor = None
            self._poke = None
            loop.remove_reader(sock.FD)
            loop.remove_reader(monitor.FD)
            with contextlib.suppress(zmq.ZMQError):
                sock.disable_monitor()
            monitor.close(linger=0)
            sock.close(linger=0)

    def _end(self, reason: str) -> None:
        """End the session from a callback: the session task sees the reason and returns it."""
        if self._end_reason is None:
            self._end_reason = reason
        if self._poke is not None:
            self._poke.set()

    def _on_readable(self) -> None:
        """Handle every message waiting on the DEALER (called when its FD fires, and after sends)."""
        sock = self._sock
        if sock is None or self._end_reason is not None:
            return
        self._draining = True
        try:
            while _readable(sock):
                frames = sock.recv_multipart(zmq.NOBLOCK)
                if self._handle(frames):
                    self._welcomed_at = time.monotonic()
                    if self._poke is not None:
                        self._poke.set()  # the session task switches to heartbeat timing
                if self._sock is not sock or self._end_reason is not None:
                    return
        except SessionEnded as exc:
            self._end(str(exc))
        except zmq.ZMQError as exc:
            self._end(f"socket error: {exc}")
        except Exception as exc:  # a bug in a handler must not leave the session half-alive
            log.exception("%s: a message from the hub could not be handled", self.name)
            self._end(f"{type(exc).__name__}: {exc}")
        finally:
            self._draining = False

    def _on_monitor(self) -> None:
        monitor = self._monitor
        if monitor is None:
            return
        try:
            self._drain_monitor(monitor)
        except SessionEnded as exc:
            self._end(str(exc))

    def _drain_monitor(self, monitor: zmq.Socket[bytes]) -> None:
        while _readable(monitor):
            frames = monitor.recv_multipart(zmq.NOBLOCK)
            event = parse_monitor_message(frames)["event"]
            if event == zmq.EVENT_DISCONNECTED:
                raise SessionEnded("the hub closed the connection")
            raise SessionEnded("the hub refused the CURVE handshake (key not enrolled or revoked?)")

    def _handle(self, frames: list[bytes]) -> bool:
        """Process one hub message; True when it was a welcome (heartbeat timer restarts)."""
        try:
            message = _decoder.decode(frames)
        except ProtocolError as exc:
            log.warning("%s: bad message from the hub ignored: %s", self.name, exc.message)
            return False
        if isinstance(message, Welcome):
            if self.welcomed:
                log.info("%s: repeated welcome ignored", self.name)
                return False
            self.welcomed = True
            self.sessions += 1
            self._outage_logged = False
            self.heartbeat_interval_s = max(0.05, message.heartbeat_interval_s)
            self.backoff.reset()
            self._on_welcome(message)
            return True
        if isinstance(message, Error):
            if message.code in _SESSION_ERRORS:
                raise SessionEnded(f"hub error {message.code}: {message.message}")
            log.warning(
                "%s: hub reported %s: %s (ref %s)", self.name, message.code, message.message, message.ref_id
            )
            return False
        if not self.welcomed:
            log.warning("%s: %s before welcome ignored", self.name, type(message).__name__)
            return False
        self._on_message(message)
        return False

    def _check_acks(self) -> None:
        oldest = self._oldest_unacked()
        if oldest is not None and time.monotonic() - oldest > self.settings.ack_timeout_s:
            raise SessionEnded(f"hub silent: an event unacknowledged for {self.settings.ack_timeout_s:g} s")

    def _send_raw(self, message: Message) -> bool:
        if self._sock is None:
            return False
        sock = self._sock
        try:
            sock.send(encode(message), zmq.NOBLOCK)
        except zmq.Again:
            return False  # queue full: the outbox keeps it for the next try
        finally:
            # A send may consume the FD's edge for an arrival: look again (soon, not from inside
            # whatever callback is sending).
            if not self._draining and not self._recheck_scheduled and _readable(sock):
                self._recheck_scheduled = True
                asyncio.get_running_loop().call_soon(self._recheck)
        self.messages_sent += 1
        return True

    def _recheck(self) -> None:
        self._recheck_scheduled = False
        self._on_readable()


_EVENTS = int(zmq.EVENTS)
_POLLIN = int(zmq.POLLIN)


def _readable(sock: zmq.Socket[bytes]) -> bool:
    # Plain ints: enum arithmetic shows up in profiles at thousands of agents per loop.
    events: Any = sock.getsockopt(_EVENTS)
    return bool(events & _POLLIN)
