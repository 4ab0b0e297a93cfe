"""The agent socket: hello/welcome, heartbeats, status, events, command answers, and sending
commands from the ledger."""

from __future__ import annotations

import logging
import time

import zmq

from services.hub.config import HUB_VERSION
from services.hub.core import HubCore
from services.hub.events import PendingEvent, StoredBatch
from services.hub.ledger import LedgerCommand
from services.hub.sessions import AgentSession, user_id_of
from services.protocol.agent_messages import (
    Bye,
    Command,
    CommandAck,
    Event,
    EventAck,
    Heartbeat,
    Hello,
    Status,
    Welcome,
)
from services.protocol.codec import ProtocolError, header_fields

log = logging.getLogger("services.hub.agents")

ACK_CHUNK = 500


class AgentService:
    def __init__(self, core: HubCore, sock: zmq.Socket[bytes]) -> None:
        self._core = core
        self._sock = sock

    # --- receiving ------------------------------------------------------------------------
    def handle(self, frames: list[zmq.Frame]) -> None:
        core = self._core
        routing_id = frames[0].bytes
        key = user_id_of(frames[0])
        payload = [f.bytes for f in frames[1:]]
        try:
            message, session = core.sessions.check(routing_id, key, payload)
        except ProtocolError as exc:
            known = core.sessions.by_routing.get(routing_id)
            core.reject(self._sock, "agent", routing_id, key, exc, known.outgoing.next() if known else 0)
            return
        now_mono = time.monotonic()
        now = time.time()
        if isinstance(message, Hello):
            self._hello(routing_id, key, message, now_mono, now)
            return
        assert session is not None  # only hello and bye pass in state NEW
        core.presence.touch(session.school, now_mono, now)
        if isinstance(message, Heartbeat):
            return
        if isinstance(message, CommandAck):
            if not core.ledger.ack(session.school, message, now):
                log.info("command_ack from %s for unknown command %s", session.school, message.command_id)
        elif isinstance(message, Event):
            if message.kind == "alarm":
                # Shown to the consoles at once; the event itself is stored below as any other.
                core.incidents.alarm_from_event(session.school, message, now)
            if not core.events.add(session.school, message):
                log.warning(
                    "event backlog full: event %s from %s not taken (it will be resent)",
                    message.id,
                    session.school,
                )
            self.flush_events()
        elif isinstance(message, Status):
            core.presence.status(session.school, message.devices)
        elif isinstance(message, Bye):
            log.info("agent %s said bye: %s", session.school, message.reason or "-")
            core.sessions.drop(session)
            core.presence.gone(session.school)
            core.ledger.disconnected(session.school, now)

    def _hello(self, routing_id: bytes, key: str, hello: Hello, now_mono: float, now: float) -> None:
        core = self._core
        session, replaced = core.sessions.open(routing_id, key, hello)
        if replaced is not None:
            log.info("agent %s reconnected; the older connection is dropped", hello.school)
        core.presence.touch(hello.school, now_mono, now)
        core.presence.hello(hello.school, hello.agent_version, hello.devices, hello.pa_zones)
        welcome = Welcome(
            hub_version=HUB_VERSION,
            epoch=core.epoch,
            heartbeat_interval_s=core.config.heartbeat_interval_s,
            server_time=now,
            **header_fields(session.outgoing.next()),
        )
        if not core.send(self._sock, routing_id, welcome):
            core.sessions.drop(session)
            return
        for command in core.ledger.to_send(hello.school, now):
            if not self.send_command(session, command, now):
                break

    # --- sending --------------------------------------------------------------------------
    def send_command(self, session: AgentSession, command: LedgerCommand, now: float) -> bool:
        message = Command(
            command_id=command.command_id,
            action=command.action,
            args=command.args,
            issued_at=command.issued_at,
            expires_at=command.expires_at,
            epoch=command.epoch,
            **header_fields(session.outgoing.next()),
        )
        if self._core.send(self._sock, session.routing_id, message):
            self._core.ledger.mark_sent(command, session.school, now)
            return True
        # Gone (ROUTER_MANDATORY said so) or its queue is full: resent at its next hello.
        self._core.ledger.mark_unreachable(command, session.school, now)
        self._core.sessions.drop(session)
        return False

    def dispatch(self, command: LedgerCommand) -> int:
        """Send a freshly stored command to every target school that is connected."""
        now = time.time()
        sent = 0
        by_school = self._core.sessions.by_school
        for school in command.deliveries:
            session = by_school.get(school)
            if session is not None and self.send_command(session, command, now):
                sent += 1
        return sent

    # --- events ---------------------------------------------------------------------------
    def flush_events(self) -> None:
        """Hand the waiting events to the writer unless a batch is being written."""
        batch = self._core.events.take_batch()
        if batch:
            self._core.writer.submit(
                self._core.events.store_job(batch), lambda r, e: self._stored(batch, r, e), "store events"
            )

    def _stored(
        self, batch: list[PendingEvent], result: StoredBatch | None, error: BaseException | None
    ) -> None:
        core = self._core
        core.events.in_flight = False
        if error is not None or result is None:
            core.events.requeue(batch)  # retried from the timer, not in a tight loop
            return
        else:
            core.events.stored_total += len(result.new)
            core.events.duplicate_total += sum(len(ids) for ids in result.acked.values()) - len(result.new)
            core.feed.events.extend(result.new)
            for school, ids in result.acked.items():
                session = core.sessions.by_school.get(school)
                if session is None:
                    continue  # the agent resends and gets its ack then
                # Chunked so every ack stays far below the frame limit agents enforce.
                for start in range(0, len(ids), ACK_CHUNK):
                    ack = EventAck(
                        event_ids=ids[start : start + ACK_CHUNK], **header_fields(session.outgoing.next())
                    )
                    if not core.send(self._sock, session.routing_id, ack):
                        core.sessions.drop(session)
                        break
        self.flush_events()
