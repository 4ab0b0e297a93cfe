"""Live voice through the hub: an operator's Opus frames relayed to the target schools' agents.

A console sends `voice_frame` messages (20 ms of Opus each) on its console connection. The first
frame the hub sees of a stream decides it: the operator logged in on that session must hold the
permission of the stream's priority (and `city_wide` for more than one district); the target is
expanded to the connected schools once, from memory. Every later frame of an allowed stream goes
straight to those agents' connections as the agent message `voice_frame`: no database work and no
per-frame decision, so a frame costs one send per school. Frames of a refused stream are dropped
(the refusal is logged and answered once). A stream ends with its `end` frame or after
IDLE_END_S without frames. The audit record holds one entry when a stream starts (or is refused)
and one when it ends, with the frames relayed.
"""

from __future__ import annotations

import collections
import logging
import time
from dataclasses import dataclass

import zmq

from services.access.roles import BROADCAST_PRIORITIES, Permission
from services.hub.config import Target
from services.hub.console_access import LoggedIn, target_districts
from services.hub.core import HubCore
from services.protocol.agent_messages import Error, VoiceFrame
from services.protocol.codec import encode, header_fields
from services.protocol.console_messages import ConsoleVoiceFrame
from services.protocol.envelope import ErrorCode, Message

log = logging.getLogger("services.hub.voice")

IDLE_END_S = 2.0
MAX_LIVE_STREAMS = 64
ENDED_KEPT = 256  # ended streams whose stray late frames are ignored quietly


@dataclass(slots=True)
class _Stream:
    stream_id: str
    console: str
    operator: str
    role: str
    allowed: bool
    schools: tuple[str, ...]
    priority: str
    zones: tuple[str, ...]
    drill: bool
    started_at: float
    last_frame: float  # monotonic
    target_text: str
    frames: int = 0
    sends: int = 0
    failed_sends: int = 0


class VoiceRelay:
    def __init__(self, core: HubCore) -> None:
        self._core = core
        self._streams: dict[tuple[bytes, str], _Stream] = {}
        self._ended: collections.deque[tuple[bytes, str]] = collections.deque(maxlen=ENDED_KEPT)

    @property
    def live(self) -> int:
        return sum(1 for s in self._streams.values() if s.allowed)

    def frame(
        self, routing_id: bytes, console: str, login: LoggedIn | None, message: ConsoleVoiceFrame
    ) -> None:
        key = (routing_id, message.stream_id)
        stream = self._streams.get(key)
        now = time.monotonic()
        if stream is None:
            if key in self._ended:
                return  # a late frame of a stream that already ended
            stream = self._open(routing_id, console, login, message, now)
            if stream is None:
                return
        stream.last_frame = now
        stream.frames += 1
        if stream.allowed:
            self._relay(stream, message)
        if message.end:
            self._close(key, stream, "ended by the console")

    def _open(
        self, routing_id: bytes, console: str, login: LoggedIn | None, message: ConsoleVoiceFrame, now: float
    ) -> _Stream | None:
        core = self._core
        target = Target(
            schools=tuple(message.target.schools),
            districts=tuple(message.target.districts),
            all_schools=message.target.all,
        )
        refusal = self._refusal(login, target, message)
        if refusal is None and self.live >= MAX_LIVE_STREAMS:
            refusal = f"too many live voice streams at once (at most {MAX_LIVE_STREAMS})"
        stream = _Stream(
            stream_id=message.stream_id,
            console=console,
            operator=login.username if login is not None else "",
            role=login.role.value if login is not None else "",
            allowed=refusal is None,
            schools=tuple(self._expand(target)) if refusal is None else (),
            priority=message.priority,
            zones=tuple(message.zones),
            drill=message.drill or message.priority == "drill",
            started_at=time.time(),
            last_frame=now,
            target_text=_target_text(target),
        )
        detail: dict[str, object] = {
            "stream_id": message.stream_id,
            "priority": message.priority,
            "zones": list(message.zones),
            "drill": stream.drill,
        }
        if refusal is not None:
            # One line per refused stream; its later frames are dropped without another.
            log.warning("live voice %s from console %r refused: %s", message.stream_id, console, refusal)
            core.audit.record(
                operator=stream.operator,
                role=stream.role,
                console=console,
                action="voice_start",
                target=stream.target_text,
                result="refused",
                detail={**detail, "error": refusal},
            )
            if core.console_sock is not None:
                core.send(
                    core.console_sock,
                    routing_id,
                    Error(
                        code=ErrorCode.FORBIDDEN.value, message=refusal, ref_id=message.id, **header_fields(0)
                    ),
                )
            if len(self._streams) >= 4 * MAX_LIVE_STREAMS:
                return None  # a flood of refused streams costs bounded memory
        else:
            log.info(
                "live voice %s (%s) by %s: %d schools",
                message.stream_id,
                message.priority,
                stream.operator,
                len(stream.schools),
            )
            core.audit.record(
                operator=stream.operator,
                role=stream.role,
                console=console,
                action="voice_start",
                target=stream.target_text,
                result="ok",
                detail={**detail, "schools": len(stream.schools)},
            )
        self._streams[(routing_id, message.stream_id)] = stream
        return stream

    def _refusal(self, login: LoggedIn | None, target: Target, message: ConsoleVoiceFrame) -> str | None:
        if login is None:
            return "log in before speaking to schools"
        if target.is_empty():
            return "a live voice stream needs a target"
        permission = BROADCAST_PRIORITIES.get(message.priority)
        if permission is None or permission not in login.permissions:
            return f"the role {login.role.value} may not speak live at {message.priority} priority"
        districts = target_districts(target, self._core.school_districts)
        if (target.all_schools or len(districts) > 1) and Permission.CITY_WIDE not in login.permissions:
            return f"the role {login.role.value} may not speak to more than one district"
        return None

    def _expand(self, target: Target) -> list[str]:
        with_agent = {info.school for info in self._core.book.accepted()}
        if target.all_schools:
            return sorted(with_agent)
        wanted = set(target.schools)
        if target.districts:
            districts = set(target.districts)
            wanted |= {code for code, d in self._core.school_districts.items() if d in districts}
        return sorted(wanted & with_agent)

    def _relay(self, stream: _Stream, message: ConsoleVoiceFrame) -> None:
        core = self._core
        sock: zmq.Socket[bytes] | None = core.agent_sock
        if sock is None:
            return
        by_school = core.sessions.by_school
        frame = VoiceFrame(
            stream_id=stream.stream_id,
            frame_seq=message.frame_seq,
            captured_at=message.captured_at,
            opus=message.opus,
            priority=message.priority,
            zones=list(stream.zones),
            drill=stream.drill,
            end=message.end,
            **header_fields(0),
        )
        fan_out = FanOut(frame)
        for school in stream.schools:
            session = by_school.get(school)
            if session is None:
                continue
            # A full queue drops this frame only: the school conceals it and counts a dropout.
            if _send_raw(sock, session.routing_id, fan_out.for_peer(session.outgoing.next())):
                stream.sends += 1
            else:
                stream.failed_sends += 1

    def sweep(self) -> None:
        """End streams that went quiet (a console that crashed mid-sentence)."""
        now = time.monotonic()
        for key, stream in list(self._streams.items()):
            if now - stream.last_frame > IDLE_END_S:
                self._close(key, stream, f"no frame for {IDLE_END_S:.0f} s")

    def _close(self, key: tuple[bytes, str], stream: _Stream, why: str) -> None:
        del self._streams[key]
        self._ended.append(key)
        if not stream.allowed:
            return
        log.info("live voice %s ended (%s): %d frames", stream.stream_id, why, stream.frames)
        self._core.audit.record(
            operator=stream.operator,
            role=stream.role,
            console=stream.console,
            action="voice_end",
            target=stream.target_text,
            result="ok",
            detail={
                "stream_id": stream.stream_id,
                "why": why,
                "frames": stream.frames,
                "sends": stream.sends,
                "failed_sends": stream.failed_sends,
                "seconds": round(time.time() - stream.started_at, 1),
            },
        )


class FanOut:
    """One message encoded once for many peers: only the envelope differs from peer to peer.

    A city-wide live voice is 50 frames a second to thousands of schools; encoding the frame per
    school would cost the hub more than sending it. The body is encoded once and each peer's
    envelope (its own message id and connection sequence) is spliced in front; the bytes are
    exactly what encoding the message with that envelope would give.
    """

    def __init__(self, message: Message) -> None:
        encoded = encode(message)
        # msgspec writes the envelope first: {"type":...,"v":...,"id":"...","seq":N,"ts":T,<body>}
        head, sep, body = encoded.partition(b',"seq":')
        ts_and_body = body.split(b",", 1)
        if not sep or len(ts_and_body) != 2 or not head.endswith(b'"'):
            raise ValueError("unexpected envelope layout")  # pragma: no cover - fixed by the codec
        id_start = head.rindex(b',"id":"') + len(b',"id":"')
        self._prefix = head[:id_start]
        self._id = head[id_start:-1]
        self._rest = b"," + ts_and_body[1]
        self._count = 0

    def for_peer(self, seq: int) -> bytes:
        """The encoded message for one peer: a message id unique to it, and its sequence number."""
        self._count += 1
        return b"".join(
            (self._prefix, self._id, b"%x" % self._count, b'","seq":', b"%d" % seq, self._rest)
        )


def _send_raw(sock: zmq.Socket[bytes], routing_id: bytes, data: bytes) -> bool:
    """Send encoded bytes; False when the peer is gone or its queue is full (never blocks)."""
    try:
        sock.send_multipart([routing_id, data], flags=zmq.NOBLOCK, copy=True)
    except zmq.ZMQError as exc:
        if exc.errno in (zmq.EHOSTUNREACH, zmq.EAGAIN):
            return False
        raise
    return True


def _target_text(target: Target) -> str:
    if target.all_schools:
        return "city"
    parts = [f"district:{d}" for d in target.districts] + [f"school:{c}" for c in target.schools]
    return ",".join(parts)[:512]
