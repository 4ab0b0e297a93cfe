"""Enrollment of school agents: one-time tokens, the pending -> accepted / rejected / revoked
decisions, and the enrollment socket.

A token is shown once and stored only as its SHA-256; it is bound to one school, expires, and is
spent by the first `enroll` that presents it. A school has at most one accepted key: an agent
enrolling for a school that already has one is recorded as pending with a conflict note and told
"conflict"; an administrator must revoke the old key before accepting the new one.

Transitions: (none) -> pending; pending -> accepted | rejected | revoked; accepted -> revoked;
rejected or revoked -> pending again only through a new token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.db.network_models import AgentEnrollment, EnrollmentToken
from services.hub.errors import HubRequestError
from services.hub.sessions import user_id_of
from services.protocol.agent_messages import Enroll, EnrollReply, EnrollStatus, Error
from services.protocol.codec import Decoder, ProtocolError, header_fields
from services.protocol.console_messages import AgentInfo
from services.protocol.envelope import ErrorCode
from services.protocol.states import EnrollmentStatus

if TYPE_CHECKING:
    import zmq

    from services.hub.core import HubCore

SCHOOL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
ENROLL_DECODER = Decoder(Enroll, EnrollStatus)
# Enrollment requests waiting for the database, overall: the enrollment socket takes any key, so
# this bounds what a flood of strangers can make the hub hold.
MAX_ENROLL_IN_FLIGHT = 64
CONFLICT_DETAIL = "school already enrolled with another key"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


def check_school_code(code: str) -> None:
    if not SCHOOL_CODE.match(code):
        raise HubRequestError(ErrorCode.MALFORMED, f"not a school code: {code!r}")


def info_of(row: AgentEnrollment) -> AgentInfo:
    status: Any = EnrollmentStatus(row.status).value
    return AgentInfo(
        public_key=row.public_key,
        school=row.school_code,
        status=status,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        agent_version=row.agent_version,
        hostname=row.hostname,
        detail=row.detail,
    )


class EnrollmentBook:
    """Every enrollment record, in memory on the socket thread (loaded at start, kept current)."""

    def __init__(self) -> None:
        self.by_key: dict[str, AgentInfo] = {}
        self.last_seen: dict[str, float | None] = {}

    def load(self, session: Session) -> None:
        for row in session.scalars(select(AgentEnrollment)):
            self.by_key[row.public_key] = info_of(row)
            self.last_seen[row.public_key] = row.last_seen

    def put(self, info: AgentInfo) -> None:
        self.by_key[info.public_key] = info

    def accepted_key_of(self, school: str) -> str | None:
        for info in self.by_key.values():
            if info.school == school and info.status == "accepted":
                return info.public_key
        return None

    def accepted(self) -> list[AgentInfo]:
        return [info for info in self.by_key.values() if info.status == "accepted"]

    def all(self) -> list[AgentInfo]:
        return sorted(self.by_key.values(), key=lambda i: (i.school, i.requested_at))


# --- database jobs (run on the writer thread) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnrollOutcome:
    status: Literal["pending", "accepted", "rejected", "revoked", "conflict", "invalid_token"]
    detail: str
    info: AgentInfo | None


def create_token(session: Session, school: str, ttl_s: float, operator: str, now: float) -> tuple[str, float]:
    token = new_token()
    session.add(
        EnrollmentToken(
            token_hash=hash_token(token),
            school_code=school,
            created_at=now,
            expires_at=now + ttl_s,
            created_by=operator[:64],
        )
    )
    return token, now + ttl_s


def enroll(session: Session, key: str, request: Enroll, now: float) -> EnrollOutcome:
    row = session.scalars(select(AgentEnrollment).where(AgentEnrollment.public_key == key)).one_or_none()
    if (
        row is not None
        and row.school_code == request.school
        and row.status
        in (
            EnrollmentStatus.PENDING,
            EnrollmentStatus.ACCEPTED,
        )
    ):
        # A repeat from the same key (its reply was lost): tell it where it stands.
        info = info_of(row)
        pending = EnrollmentStatus(row.status) is EnrollmentStatus.PENDING
        status = "conflict" if row.detail == CONFLICT_DETAIL and pending else info.status
        return EnrollOutcome(status, row.detail, info)
    token = session.scalars(
        select(EnrollmentToken).where(EnrollmentToken.token_hash == hash_token(request.token))
    ).one_or_none()
    if token is None:
        return EnrollOutcome("invalid_token", "unknown token", None)
    if token.used_at is not None:
        return EnrollOutcome("invalid_token", "token already used", None)
    if token.expires_at <= now:
        return EnrollOutcome("invalid_token", "token expired", None)
    if token.school_code != request.school:
        return EnrollOutcome("invalid_token", "token is for another school", None)
    token.used_at = now
    token.used_by_key = key
    other = session.scalars(
        select(AgentEnrollment).where(
            AgentEnrollment.school_code == request.school,
            AgentEnrollment.status == EnrollmentStatus.ACCEPTED,
            AgentEnrollment.public_key != key,
        )
    ).first()
    detail = CONFLICT_DETAIL if other is not None else ""
    if row is None:
        row = AgentEnrollment(public_key=key, requested_at=now)
        session.add(row)
    row.school_code = request.school
    row.status = EnrollmentStatus.PENDING
    row.requested_at = now
    row.decided_at = None
    row.decided_by = ""
    row.agent_version = request.agent_version[:64]
    row.hostname = request.hostname[:128]
    row.detail = detail
    session.flush()
    return EnrollOutcome("conflict" if other is not None else "pending", detail, info_of(row))


def decide(session: Session, key: str, decision: str, operator: str, now: float) -> AgentInfo:
    row = session.scalars(select(AgentEnrollment).where(AgentEnrollment.public_key == key)).one_or_none()
    if row is None:
        raise HubRequestError(ErrorCode.NOT_FOUND, f"no enrollment for key {key}")
    current = EnrollmentStatus(row.status)
    if decision == "accept":
        if current is not EnrollmentStatus.PENDING:
            raise HubRequestError(ErrorCode.CONFLICT, f"cannot accept an enrollment that is {current.value}")
        other = session.scalars(
            select(AgentEnrollment).where(
                AgentEnrollment.school_code == row.school_code,
                AgentEnrollment.status == EnrollmentStatus.ACCEPTED,
                AgentEnrollment.public_key != key,
            )
        ).first()
        if other is not None:
            raise HubRequestError(
                ErrorCode.CONFLICT,
                f"school {row.school_code} already has an accepted key ({other.public_key}); revoke it first",
            )
        new = EnrollmentStatus.ACCEPTED
        row.detail = ""
    elif decision == "reject":
        if current is not EnrollmentStatus.PENDING:
            raise HubRequestError(ErrorCode.CONFLICT, f"cannot reject an enrollment that is {current.value}")
        new = EnrollmentStatus.REJECTED
    elif decision == "revoke":
        if current not in (EnrollmentStatus.PENDING, EnrollmentStatus.ACCEPTED):
            raise HubRequestError(ErrorCode.CONFLICT, f"cannot revoke an enrollment that is {current.value}")
        new = EnrollmentStatus.REVOKED
    else:
        raise HubRequestError(
            ErrorCode.MALFORMED, f"decision must be accept, reject or revoke, not {decision!r}"
        )
    row.status = new
    row.decided_at = now
    row.decided_by = operator[:64]
    session.flush()
    return info_of(row)


# --- the enrollment socket (socket thread) ---------------------------------------------------


class EnrollService:
    """Answers `enroll` and `enroll_status` on the enrollment ROUTER (domain "enroll")."""

    def __init__(self, core: HubCore, sock: zmq.Socket[bytes]) -> None:
        self._core = core
        self._sock = sock
        self._in_flight: set[str] = set()

    def handle(self, frames: list[zmq.Frame]) -> None:
        routing_id = frames[0].bytes
        key = user_id_of(frames[0])
        try:
            message = ENROLL_DECODER.decode([f.bytes for f in frames[1:]])
            if not key:
                raise ProtocolError(ErrorCode.UNAUTHORIZED, "no CURVE key on this connection")
            if isinstance(message, Enroll):
                self._enroll(routing_id, key, message)
            elif isinstance(message, EnrollStatus):
                self._status(routing_id, key, message)
        except ProtocolError as exc:
            self._core.reject(self._sock, "enroll", routing_id, key, exc)

    def _reply(self, routing_id: bytes, status: Any, detail: str = "") -> None:
        reply = EnrollReply(
            status=status, detail=detail, hub_public_key=self._core.public_key, **header_fields(0)
        )
        self._core.send(self._sock, routing_id, reply)

    def _enroll(self, routing_id: bytes, key: str, message: Enroll) -> None:
        if not SCHOOL_CODE.match(message.school):
            raise ProtocolError(ErrorCode.MALFORMED, f"not a school code: {message.school!r}", message.id)
        if key in self._in_flight or len(self._in_flight) >= MAX_ENROLL_IN_FLIGHT:
            raise ProtocolError(
                ErrorCode.INTERNAL, "busy: an enrollment from this key is in progress", message.id
            )
        self._in_flight.add(key)
        now = time.time()

        def done(outcome: EnrollOutcome | None, error: BaseException | None) -> None:
            self._in_flight.discard(key)
            if error is not None or outcome is None:
                err = Error(
                    code=ErrorCode.INTERNAL.value,
                    message="enrollment could not be stored",
                    ref_id=message.id,
                    **header_fields(0),
                )
                self._core.send(self._sock, routing_id, err)
                return
            if outcome.info is not None:
                self._core.book.put(outcome.info)
                self._core.feed.agents[outcome.info.public_key] = outcome.info
            if outcome.status == "invalid_token":
                self._core.log_limiter.warning(
                    key,
                    "enroll socket: invalid token from %s for school %s: %s",
                    key,
                    message.school,
                    outcome.detail,
                )
            self._reply(routing_id, outcome.status, outcome.detail)

        self._core.writer.submit(lambda s: enroll(s, key, message, now), done, "enroll")

    def _status(self, routing_id: bytes, key: str, message: EnrollStatus) -> None:
        info = self._core.book.by_key.get(key)
        if info is None or info.school != message.school:
            raise ProtocolError(ErrorCode.NOT_FOUND, "no enrollment for this key and school", message.id)
        status: Any = info.status
        if info.status == "pending" and info.detail == CONFLICT_DETAIL:
            status = "conflict"
        self._reply(routing_id, status, info.detail)
