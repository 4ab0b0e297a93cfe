"""The console's link to the hub: one worker thread owns the HubClient; the GUI gets queued signals.

The worker thread (a QThread running a plain loop) creates the client's ZeroMQ socket, watches it,
a socket monitor (to see the link drop and come back) and a wake-up pipe with one zmq.Poller, and
drains everything that arrived on each wake-up. It says hello and subscribes whenever the
transport comes (back) up, so a restarted hub is caught up by a fresh snapshot. Requests made on
the GUI thread are queued to the worker and answered through `replyReceived` (or the callback given
to `request`); nothing here ever blocks the GUI thread.

Signals (all delivered on the GUI thread):
    connectionChanged(bool connected, str detail): detail is a `LinkState` value.
    snapshot(Snapshot): the hub's whole state (first, and after every resubscription).
    presenceChanged(list[SchoolPresence]): changed presence, latest per school, one batch per wake-up.
    agentsChanged(list[AgentInfo]): changed enrollment records (full replacements).
    deliveriesChanged(list[DeliveryUpdate]): command delivery news.
    eventsReceived(list[EventSummary]): new events from schools.
    incidentsChanged(list[IncidentView], bool complete): incidents, latest version per id, one batch
        per wake-up; complete is True when the list came from a snapshot and is the whole set (an
        incident it does not name is gone), False for the changed ones of updates.
    alarmRateChanged(float): alarms per minute over the hub's recent window, when it changed.
    replyReceived(HubReply): the answer to a request (also on failure: not connected, timeout).
    voiceRefused(str stream_id, str reason): a live voice stream the hub refused (once per stream,
        reason in English from the hub), or whose frames could not be sent (no connection).

Live voice frames go to the worker through `send_voice_frame`, callable from any thread (the
voice encoder's): they are queued and sent on the next wake-up, never answered.
"""

from __future__ import annotations

import collections
import enum
import logging
import os
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import zmq
from PySide6.QtCore import QObject, Signal
from zmq.utils.monitor import recv_monitor_message

from console.worker_threads import TrackedThread
from services.hub_client import HubClient, HubClientError, Resync, SessionEnded
from services.protocol.agent_messages import Error
from services.protocol.console_messages import (
    AgentInfo,
    ConsoleWelcome,
    DeliveryUpdate,
    EventSummary,
    IncidentView,
    Reply,
    SchoolPresence,
    Snapshot,
    Update,
)
from services.protocol.keys import KeyPair

log = logging.getLogger(__name__)

WORKER_THREAD_NAME = "safecampus-hub-link"
IDLE_WAIT_MS = 500  # the loop also wakes this often to expire requests
HELLO_TIMEOUT_S = 2.0
HELLO_RETRY_S = 1.0
REQUEST_TIMEOUT_S = 30.0
# First-frame message ids kept to name the stream of a refusal (the hub answers the first frame).
VOICE_IDS_KEPT = 256
MONITORED_EVENTS = (
    zmq.EVENT_HANDSHAKE_SUCCEEDED
    | zmq.EVENT_DISCONNECTED
    | zmq.EVENT_HANDSHAKE_FAILED_AUTH
    | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
    | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
)


class LinkState(enum.StrEnum):
    """Why the link is (not) up; the GUI turns these into words."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"  # it was up and went down
    REFUSED = "refused"  # the hub does not accept this console's key
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class HubLink:
    """Where the hub is and who this console is."""

    endpoint: str
    server_public_key: bytes
    console_keypair: KeyPair
    console_name: str
    operator: str


@dataclass(frozen=True, slots=True)
class HubReply:
    token: int
    action: str
    ok: bool
    result: dict[str, Any] = field(default_factory=dict)
    error_code: str = ""
    error: str = ""


ReplyCallback = Callable[[HubReply], None]


class MonitoredHubClient(HubClient):
    """A HubClient whose socket can be watched: its poller handle and a connection monitor."""

    last_sent_id: str = ""

    @property
    def socket(self) -> zmq.Socket[bytes]:
        return self._sock

    def monitor(self) -> zmq.Socket[bytes]:
        return self._sock.get_monitor_socket(MONITORED_EVENTS)

    def stop_monitor(self) -> None:
        if not self._sock.closed:
            self._sock.disable_monitor()

    def _send(self, message_cls: Any, **fields: Any) -> str:
        # The id of the last message sent: a refused voice stream is answered with its first
        # frame's id, which `send_voice_frame` does not return.
        message_id = super()._send(message_cls, **fields)
        self.last_sent_id = message_id
        return message_id


@dataclass(slots=True)
class _Pending:
    token: int
    action: str
    deadline: float


@dataclass(slots=True)
class _Batch:
    """What one wake-up brought, so the GUI gets one signal per kind, not one per message."""

    snapshot: Snapshot | None = None
    presence: dict[str, SchoolPresence] = field(default_factory=dict)
    agents: dict[str, AgentInfo] = field(default_factory=dict)
    deliveries: list[DeliveryUpdate] = field(default_factory=list)
    events: list[EventSummary] = field(default_factory=list)
    # Incidents by id (latest version wins); complete when a snapshot started them.
    incidents: dict[str, IncidentView] = field(default_factory=dict)
    incidents_complete: bool = False
    alarm_rate: float | None = None
    replies: list[HubReply] = field(default_factory=list)


class _Worker(TrackedThread):
    """The loop that owns the HubClient; see the module docstring."""

    def __init__(self, bridge: HubBridge, link: HubLink) -> None:
        super().__init__(WORKER_THREAD_NAME)
        self._bridge = bridge
        self._link = link
        self.requests: queue.SimpleQueue[tuple[int, str, dict[str, Any]]] = queue.SimpleQueue()
        self.voice_frames: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        # Live voice bookkeeping (worker thread only): first frame id -> stream, streams reported.
        self._voice_first: collections.OrderedDict[str, str] = collections.OrderedDict()
        self._voice_streams: collections.OrderedDict[str, bool] = collections.OrderedDict()
        self._stopping = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._pending: dict[str, _Pending] = {}
        self._state = LinkState.STOPPED
        self._welcomed = False
        self._alarm_rate: float | None = None

    # --- called from the GUI thread ------------------------------------------------------------
    def wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except (BlockingIOError, OSError):
            pass  # the pipe is full or closed: the loop wakes anyway

    def stop(self) -> None:
        self._stopping = True
        self.wake()

    def close_pipe(self) -> None:
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    # --- the worker thread -----------------------------------------------------------------------
    def run(self) -> None:
        context: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        link = self._link
        client = MonitoredHubClient(
            link.endpoint,
            link.server_public_key,
            link.console_keypair,
            link.console_name,
            link.operator,
            context=context,
        )
        monitor = client.monitor()
        try:
            self._loop(client, monitor)
        except Exception:
            log.exception("the hub link failed")
        finally:
            client.stop_monitor()
            monitor.close(linger=0)
            client.close()
            context.term()
            self._fail_all("stopped", "the console is shutting down")
            self._set_state(LinkState.STOPPED)

    def _loop(self, client: MonitoredHubClient, monitor: zmq.Socket[bytes]) -> None:
        poller = zmq.Poller()
        poller.register(client.socket, zmq.POLLIN)
        poller.register(monitor, zmq.POLLIN)
        poller.register(self._wake_r, zmq.POLLIN)
        self._set_state(LinkState.CONNECTING)
        # Say hello at once: the handshake may have finished before the monitor was watching.
        need_hello = True
        next_hello = 0.0
        while not self._stopping:
            ready = dict(poller.poll(IDLE_WAIT_MS))
            if self._wake_r in ready:
                self._drain_wake_pipe()
            if monitor in ready:
                need_hello = self._monitor_events(monitor) or need_hello
            if need_hello and time.monotonic() >= next_hello:
                if self._hello(client):
                    need_hello = False
                else:
                    next_hello = time.monotonic() + HELLO_RETRY_S
            batch = _Batch()
            self._send_voice(client)
            self._send_requests(client, batch)
            self._receive(client, batch)
            self._expire_requests(batch)
            self._emit(batch)

    def _drain_wake_pipe(self) -> None:
        try:
            while os.read(self._wake_r, 4096):
                pass
        except BlockingIOError:
            pass

    def _monitor_events(self, monitor: zmq.Socket[bytes]) -> bool:
        """Handle connection events; True when the link came up and needs a hello."""
        up = False
        while True:
            try:
                event = recv_monitor_message(monitor, zmq.NOBLOCK)
            except zmq.Again:
                return up
            kind = event["event"]
            if kind == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                up = True
            elif kind == zmq.EVENT_DISCONNECTED:
                up = False
                if self._welcomed:
                    log.warning("lost the connection to the hub at %s", self._link.endpoint)
                    self._welcomed = False
                    self._fail_all("not_connected", "the connection to the hub was lost")
                    self._set_state(LinkState.DISCONNECTED)
            elif self._state != LinkState.REFUSED:
                log.error(
                    "the hub at %s refused this console (handshake: %s); is this console's key allowed "
                    "on the hub?",
                    self._link.endpoint,
                    zmq.Event(kind).name,
                )
                self._set_state(LinkState.REFUSED)

    def _hello(self, client: MonitoredHubClient) -> bool:
        try:
            welcome = client.connect(timeout=HELLO_TIMEOUT_S)
        except HubClientError as exc:
            log.info("hub at %s did not welcome this console yet: %s", self._link.endpoint, exc)
            return False
        return self._welcomed_by(client, welcome)

    def _welcomed_by(self, client: MonitoredHubClient, welcome: ConsoleWelcome) -> bool:
        try:
            client.subscribe()
        except HubClientError as exc:
            log.info("could not subscribe to the hub at %s: %s", self._link.endpoint, exc)
            return False
        log.info(
            "connected to hub %s (epoch %d) at %s", welcome.hub_version, welcome.epoch, self._link.endpoint
        )
        self._welcomed = True
        self._set_state(LinkState.CONNECTED)
        return True

    def _send_requests(self, client: MonitoredHubClient, batch: _Batch) -> None:
        while True:
            try:
                token, action, args = self.requests.get_nowait()
            except queue.Empty:
                return
            if not self._welcomed:
                batch.replies.append(
                    HubReply(
                        token, action, False, error_code="not_connected", error="not connected to the hub"
                    )
                )
                continue
            try:
                request_id = client.send_request(action, args)
            except HubClientError as exc:
                batch.replies.append(HubReply(token, action, False, error_code=exc.code, error=exc.message))
                continue
            self._pending[request_id] = _Pending(token, action, time.monotonic() + REQUEST_TIMEOUT_S)

    def _send_voice(self, client: MonitoredHubClient) -> None:
        """Send the queued live voice frames; a frame that cannot go is dropped (it would be late)."""
        while True:
            try:
                fields = self.voice_frames.get_nowait()
            except queue.Empty:
                return
            stream_id = str(fields["stream_id"])
            first = stream_id not in self._voice_streams
            if first:
                self._voice_streams[stream_id] = False  # True once a problem was reported
                while len(self._voice_streams) > VOICE_IDS_KEPT:
                    self._voice_streams.popitem(last=False)
            if not self._welcomed:
                self._voice_problem(stream_id, "not connected to the hub")
                continue
            try:
                client.send_voice_frame(
                    stream_id,
                    int(fields["frame_seq"]),
                    float(fields["captured_at"]),
                    bytes(fields["opus"]),
                    target=dict(fields["target"]),
                    priority=str(fields["priority"]),
                    zones=[str(z) for z in fields.get("zones", ())],
                    drill=bool(fields.get("drill", False)),
                    end=bool(fields.get("end", False)),
                )
            except HubClientError as exc:
                self._voice_problem(stream_id, exc.message)
                continue
            if first:
                self._voice_first[client.last_sent_id] = stream_id
                while len(self._voice_first) > VOICE_IDS_KEPT:
                    self._voice_first.popitem(last=False)

    def _voice_problem(self, stream_id: str, reason: str) -> None:
        """Tell the GUI once per stream that its frames do not get through."""
        if self._voice_streams.get(stream_id):
            return
        self._voice_streams[stream_id] = True
        log.info("live voice %s: %s", stream_id, reason)
        self._bridge.voiceRefused.emit(stream_id, reason)

    def _receive(self, client: MonitoredHubClient, batch: _Batch) -> None:
        for event in client.poll(0.0):
            if isinstance(event, Snapshot):
                # A snapshot replaces everything before it in this batch.
                batch.snapshot = event
                batch.presence.clear()
                batch.agents.clear()
                batch.incidents = {i.incident_id: i for i in event.incidents}
                batch.incidents_complete = True
                batch.alarm_rate = event.alarm_rate_per_min
            elif isinstance(event, Update):
                for presence in event.presence:
                    batch.presence[presence.school] = presence
                for agent in event.agents:
                    batch.agents[agent.public_key] = agent
                batch.deliveries.extend(event.deliveries)
                batch.events.extend(event.events)
                for incident in event.incidents:
                    batch.incidents[incident.incident_id] = incident
                batch.alarm_rate = event.alarm_rate_per_min
            elif isinstance(event, Reply):
                pending = self._pending.pop(event.request_id, None)
                if pending is not None:
                    batch.replies.append(
                        HubReply(
                            pending.token,
                            pending.action,
                            event.ok,
                            dict(event.result),
                            event.error_code,
                            event.error,
                        )
                    )
            elif isinstance(event, Resync):
                log.info(
                    "hub updates lost (expected %d, got %d); a snapshot follows",
                    event.expected,
                    event.received,
                )
            elif isinstance(event, SessionEnded):
                log.info("the hub ended the operator's session: %s", event.reason)
                self._bridge._session_ended.emit(event.reason)
            elif isinstance(event, Error) and event.ref_id in self._voice_first:
                self._voice_problem(self._voice_first.pop(event.ref_id), event.message)
            elif isinstance(event, Error) and event.code == "unauthorized":
                log.info("the hub wants an operator logged in: %s", event.message)
            elif isinstance(event, Error):
                log.warning("the hub reported an error: %s: %s", event.code, event.message)
            elif isinstance(event, ConsoleWelcome) and not self._welcomed:
                # The answer to a hello that was queued while the hub was away.
                self._welcomed_by(client, event)

    def _expire_requests(self, batch: _Batch) -> None:
        now = time.monotonic()
        for request_id, pending in list(self._pending.items()):
            if pending.deadline <= now:
                del self._pending[request_id]
                batch.replies.append(
                    HubReply(
                        pending.token,
                        pending.action,
                        False,
                        error_code="timeout",
                        error=f"no answer from the hub within {REQUEST_TIMEOUT_S:.0f} s",
                    )
                )

    def _fail_all(self, code: str, message: str) -> None:
        replies = [
            HubReply(p.token, p.action, False, error_code=code, error=message) for p in self._pending.values()
        ]
        self._pending.clear()
        while True:
            try:
                token, action, _args = self.requests.get_nowait()
            except queue.Empty:
                break
            replies.append(HubReply(token, action, False, error_code=code, error=message))
        for reply in replies:
            self._bridge._reply.emit(reply)

    def _emit(self, batch: _Batch) -> None:
        bridge = self._bridge
        # Replies first: a login's answer must reach the GUI before the snapshot it made possible.
        for reply in batch.replies:
            bridge._reply.emit(reply)
        if batch.snapshot is not None:
            bridge.snapshot.emit(batch.snapshot)
        if batch.presence:
            bridge.presenceChanged.emit(list(batch.presence.values()))
        if batch.agents:
            bridge.agentsChanged.emit(list(batch.agents.values()))
        if batch.deliveries:
            bridge.deliveriesChanged.emit(batch.deliveries)
        if batch.events:
            bridge.eventsReceived.emit(batch.events)
        if batch.incidents or batch.incidents_complete:
            bridge.incidentsChanged.emit(list(batch.incidents.values()), batch.incidents_complete)
        if batch.alarm_rate is not None and batch.alarm_rate != self._alarm_rate:
            self._alarm_rate = batch.alarm_rate
            bridge.alarmRateChanged.emit(float(batch.alarm_rate))

    def _set_state(self, state: LinkState) -> None:
        if state != self._state:
            self._state = state
            self._bridge._state.emit(state.value)


class HubBridge(QObject):
    """The GUI's handle on the hub link; see the module docstring."""

    connectionChanged = Signal(bool, str)
    snapshot = Signal(object)
    presenceChanged = Signal(object)
    agentsChanged = Signal(object)
    deliveriesChanged = Signal(object)
    eventsReceived = Signal(object)
    incidentsChanged = Signal(object, bool)
    alarmRateChanged = Signal(float)
    replyReceived = Signal(object)
    voiceRefused = Signal(str, str)
    # An operator logged in (the hub's login answer) / the hub ended their session (the reason).
    loggedIn = Signal(dict)
    sessionEnded = Signal(str)
    # Private, emitted by the worker and handled here on the GUI thread.
    _reply = Signal(object)
    _state = Signal(str)
    _session_ended = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: _Worker | None = None
        self._link: HubLink | None = None
        self._next_token = 0
        self._callbacks: dict[int, ReplyCallback] = {}
        self._link_state = LinkState.STOPPED
        self._operator = ""  # the logged-in operator's user name
        self._reply.connect(self._on_reply)
        self._state.connect(self._on_state)
        self._session_ended.connect(self._on_session_ended)

    # --- life cycle ------------------------------------------------------------------------------
    def start(self, link: HubLink) -> None:
        """Start the worker thread; it connects, says hello and subscribes by itself."""
        if self._worker is not None:
            raise RuntimeError("the hub bridge is already started")
        self._link = link
        self._worker = _Worker(self, link)
        self._worker.start()

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Stop the worker and wait for it: no thread, socket or pipe is left behind."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.stop()
        if not worker.wait(timeout_ms):
            log.error("the hub link thread did not stop within %d ms", timeout_ms)
        worker.close_pipe()
        self._callbacks.clear()

    # --- state -----------------------------------------------------------------------------------
    @property
    def link(self) -> HubLink | None:
        return self._link

    @property
    def is_started(self) -> bool:
        return self._worker is not None

    @property
    def is_connected(self) -> bool:
        return self._link_state == LinkState.CONNECTED

    @property
    def link_state(self) -> LinkState:
        return self._link_state

    @property
    def operator(self) -> str:
        """The logged-in operator's user name ("" before login)."""
        return self._operator

    def login(self, username: str, password: str, on_reply: ReplyCallback | None = None) -> int:
        """Log an operator in; `loggedIn` follows on success (the password is not kept)."""
        return self.request("login", {"username": username, "password": password}, on_reply)

    def logout(self, on_reply: ReplyCallback | None = None) -> int:
        return self.request("logout", {}, on_reply)

    # --- requests ------------------------------------------------------------------------------
    def request(
        self, action: str, args: dict[str, Any] | None = None, on_reply: ReplyCallback | None = None
    ) -> int:
        """Queue a request to the hub (it names this console's operator); returns its token.

        The answer comes to *on_reply* and `replyReceived` on the GUI thread; when there is no
        link it is a failed reply with error_code "not_connected".
        """
        self._next_token += 1
        token = self._next_token
        if on_reply is not None:
            self._callbacks[token] = on_reply
        worker = self._worker
        if worker is None:
            self._reply.emit(
                HubReply(
                    token,
                    action,
                    False,
                    error_code="not_connected",
                    error="the school network is not started",
                )
            )
            return token
        worker.requests.put((token, action, dict(args or {})))
        worker.wake()
        return token

    def send_voice_frame(self, fields: dict[str, Any]) -> None:
        """Queue one live voice frame for the hub; callable from any thread, never blocks.

        *fields*: stream_id, frame_seq, captured_at, opus (bytes of one 20 ms Opus frame), target
        ({schools, districts, all}), priority, zones, drill, end (see HubClient.send_voice_frame).
        Without a link the frame is dropped and `voiceRefused` says so once per stream.
        """
        worker = self._worker
        if worker is None:
            self.voiceRefused.emit(str(fields.get("stream_id", "")), "the school network is not started")
            return
        worker.voice_frames.put(dict(fields))
        worker.wake()

    # --- back on the GUI thread ----------------------------------------------------------------
    def _on_reply(self, reply: HubReply) -> None:
        callback = self._callbacks.pop(reply.token, None)
        if not reply.ok:
            log.info("hub request %s failed: %s: %s", reply.action, reply.error_code, reply.error)
        if reply.ok and reply.action == "login":
            self._operator = str(reply.result.get("username", ""))
        elif reply.ok and reply.action == "logout":
            self._operator = ""
        if callback is not None:
            callback(reply)
        self.replyReceived.emit(reply)
        if reply.ok and reply.action == "login":
            self.loggedIn.emit(dict(reply.result))
        elif reply.error_code == "unauthorized" and reply.action != "login" and self._operator:
            # The hub no longer knows the operator here (password reset, account disabled).
            self._on_session_ended(reply.error)

    def _on_session_ended(self, reason: str) -> None:
        if not self._operator:
            return
        self._operator = ""
        self.sessionEnded.emit(reason)

    def _on_state(self, value: str) -> None:
        state = LinkState(value)
        if state == self._link_state:
            return
        self._link_state = state
        self.connectionChanged.emit(state == LinkState.CONNECTED, state.value)
