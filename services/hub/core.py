"""The state the socket thread owns, shared by the agent, enrollment and console handlers.

Everything here is touched by the socket thread only (the allow-lists excepted, which the ZAP
thread reads under their own lock).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import zmq

from services.access.audit import AuditLog
from services.alarms.catalog import AlarmCatalog
from services.alarms.incidents import IncidentBook
from services.hub.audit_trail import AuditTrail
from services.hub.auth import AllowLists
from services.hub.config import HubConfig
from services.hub.db_writer import DatabaseWriter
from services.hub.enrollment import EnrollmentBook
from services.hub.events import EventStore
from services.hub.incident_service import IncidentService
from services.hub.ledger import Ledger
from services.hub.presence import PresenceTracker
from services.hub.sessions import SessionTable
from services.hub.throttle import LogLimiter, ReplyLimiter
from services.protocol.agent_messages import Error
from services.protocol.codec import ProtocolError, encode, header_fields
from services.protocol.console_messages import AgentInfo, EventSummary
from services.protocol.envelope import Message

log = logging.getLogger("services.hub")


@dataclass
class ConsoleFeed:
    """Changes for the consoles' next coalesced update (presence and deliveries live elsewhere)."""

    agents: dict[str, AgentInfo] = field(default_factory=dict)
    events: list[EventSummary] = field(default_factory=list)


class HubCore:
    def __init__(
        self,
        config: HubConfig,
        writer: DatabaseWriter,
        allow_lists: AllowLists,
        epoch: int,
        public_key: str,
        audit_log: AuditLog,
        catalog: AlarmCatalog,
    ) -> None:
        self.config = config
        self.writer = writer
        self.allow_lists = allow_lists
        self.epoch = epoch
        self.public_key = public_key
        self.sessions = SessionTable(allow_lists)
        self.presence = PresenceTracker(config.late_after_s, config.offline_after_s)
        self.ledger = Ledger()
        self.events = EventStore()
        self.book = EnrollmentBook()
        self.feed = ConsoleFeed()
        self.reply_limiter = ReplyLimiter()
        self.log_limiter = LogLimiter(log)
        self.bad_frames = 0
        self.audit_log = audit_log
        self.audit = AuditTrail(audit_log, writer.submit)
        # Incidents: the one truth every console shows (docs/incidents.md).
        self.incidents = IncidentService(IncidentBook(catalog), writer.submit, self.audit, self.log_limiter)
        # School code -> district adcode, for district viewers' scope and city-wide checks.
        self.school_districts: dict[str, str] = {}
        # Keys that act as the hub's local administrator without logging in (the hub's own CLI key).
        self.local_admin_keys: frozenset[str] = frozenset()
        # Set by the server once bound.
        self.agent_sock: zmq.Socket[bytes] | None = None
        self.enroll_sock: zmq.Socket[bytes] | None = None
        self.console_sock: zmq.Socket[bytes] | None = None

    def send(self, sock: zmq.Socket[bytes], routing_id: bytes, message: Message) -> bool:
        """Send one message; False when the peer is gone or its queue is full (never blocks)."""
        try:
            sock.send_multipart([routing_id, encode(message)], flags=zmq.NOBLOCK, copy=True)
        except zmq.ZMQError as exc:
            if exc.errno in (zmq.EHOSTUNREACH, zmq.EAGAIN):
                return False
            raise
        return True

    def reject(
        self,
        sock: zmq.Socket[bytes],
        socket_name: str,
        routing_id: bytes,
        peer: str,
        error: ProtocolError,
        seq: int = 0,
    ) -> None:
        """Answer a bad message with one `error` (rate-limited per peer) and one log line (ditto)."""
        self.bad_frames += 1
        peer_name = peer or f"routing id {routing_id.hex()}"
        self.log_limiter.warning(
            peer_name, "%s socket: %s from %s: %s", socket_name, error.code.value, peer_name, error.message
        )
        if not self.reply_limiter.allow(peer_name):
            return
        reply = Error(
            code=error.code.value, message=error.message[:500], ref_id=error.ref_id, **header_fields(seq)
        )
        self.send(sock, routing_id, reply)
