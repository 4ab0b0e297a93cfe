"""Enrollment: make the key pair here, present the one-time token, wait until an administrator decides.

The secret key never leaves the school: the key pair is made locally (secret file mode 0600) and
only the public key travels, as the CURVE identity of the enrollment connection. The hub answers
`pending` until an administrator accepts or rejects; the agent polls with `enroll_status`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import zmq
import zmq.asyncio

from hardware.agent import AGENT_VERSION
from hardware.agent.backoff import Backoff
from services.protocol import keys
from services.protocol.agent_messages import Enroll, EnrollReply, EnrollStatus, Error
from services.protocol.codec import Decoder, ProtocolError, Sequencer, encode, header_fields
from services.protocol.envelope import Message

log = logging.getLogger(__name__)

_decoder = Decoder(EnrollReply, Error)
BUSY_RETRY_S = 300.0  # how long a "busy" hub is asked again before giving up
FINAL = frozenset({"accepted", "rejected", "revoked", "invalid_token"})


class EnrollmentError(RuntimeError):
    """Enrollment could not be completed; the message says why."""


@dataclass(frozen=True, slots=True)
class EnrollResult:
    status: str  # accepted | rejected | revoked | invalid_token | conflict | pending (timed out)
    detail: str
    public_key: bytes
    hub_public_key: str


async def enroll(
    *,
    school: str,
    token: str,
    enroll_endpoint: str,
    hub_public_key: bytes,
    key_file: Path,
    poll_interval_s: float = 10.0,
    reply_timeout_s: float = 10.0,
    wait_s: float | None = None,
    context: zmq.asyncio.Context | None = None,
    hostname: str | None = None,
) -> EnrollResult:
    """Enroll this agent's key for *school*; returns when decided or after *wait_s* (None: forever)."""
    pair = keys.load_or_create(key_file)
    ctx = context or zmq.asyncio.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.curve_secretkey = pair.secret
    sock.curve_publickey = pair.public
    sock.curve_serverkey = hub_public_key
    sock.linger = 0
    sock.connect(enroll_endpoint)
    seq = Sequencer()
    backoff = Backoff(0.5, max(1.0, poll_interval_s))
    deadline = None if wait_s is None else time.monotonic() + wait_s
    try:
        first: Message = Enroll(
            **header_fields(seq.next()),
            school=school,
            token=token,
            agent_version=AGENT_VERSION,
            hostname=hostname if hostname is not None else socket.gethostname(),
        )
        reply = await _ask(sock, first, seq, reply_timeout_s, backoff, deadline)
        while reply is not None and reply.status not in FINAL:
            if deadline is not None and time.monotonic() >= deadline:
                break
            log.info(
                "enrollment for %s: %s %s; asking again in %g s",
                school,
                reply.status,
                reply.detail,
                poll_interval_s,
            )
            await asyncio.sleep(poll_interval_s)
            reply = await _ask(
                sock,
                EnrollStatus(**header_fields(seq.next()), school=school),
                seq,
                reply_timeout_s,
                backoff,
                deadline,
            )
        if reply is None:
            raise EnrollmentError(f"no answer from the hub's enrollment endpoint {enroll_endpoint}")
        return EnrollResult(reply.status, reply.detail, pair.public, reply.hub_public_key)
    finally:
        sock.close(linger=0)
        if context is None:
            ctx.destroy(linger=0)


async def _ask(
    sock: zmq.asyncio.Socket,
    message: Message,
    seq: Sequencer,
    timeout_s: float,
    backoff: Backoff,
    deadline: float | None,
) -> EnrollReply | None:
    """Send one request; retry on "busy" (the hub limits enrollments in flight) with back-off."""
    busy_deadline = time.monotonic() + BUSY_RETRY_S
    while True:
        await sock.send(encode(message))
        try:
            frames = await asyncio.wait_for(sock.recv_multipart(), timeout_s)
        except TimeoutError:
            return None
        try:
            reply = _decoder.decode(frames)
        except ProtocolError as exc:
            raise EnrollmentError(f"bad answer from the hub: {exc.message}") from None
        if isinstance(reply, EnrollReply):
            backoff.reset()
            return reply
        assert isinstance(reply, Error)
        if reply.code != "internal" or time.monotonic() >= busy_deadline:
            raise EnrollmentError(f"the hub refused the enrollment: {reply.code}: {reply.message}")
        await asyncio.sleep(backoff.next_delay())
        # A retried request is a new message: fresh id, next sequence number.
        fields = {
            f: getattr(message, f) for f in message.__struct_fields__ if f not in ("id", "seq", "ts", "v")
        }
        message = type(message)(**header_fields(seq.next()), **fields)
