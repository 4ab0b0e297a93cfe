"""Encoding and strict decoding of protocol frames.

Decoding happens in two steps so each failure gets the right error code: the frame size, then a
lenient read of the header (version and type, checked against the types allowed on this socket),
then a strict decode of the full message (unknown fields and wrong types rejected).
"""

from __future__ import annotations

import itertools
import os
import time
from typing import Any, TypeVar

import msgspec

from services.protocol.envelope import (
    MAX_FRAME_BYTES,
    MAX_ID_LENGTH,
    PROTOCOL_VERSION,
    ErrorCode,
    Header,
    Message,
)

M = TypeVar("M", bound=Message)

_encoder = msgspec.json.Encoder()
_header_decoder = msgspec.json.Decoder(Header)


class ProtocolError(Exception):
    """A frame that breaks the protocol. `ref_id` is the offending message's id when known."""

    def __init__(self, code: ErrorCode, message: str, ref_id: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref_id = ref_id


# 64 random bits chosen once per process, then a counter: unique for this sender (a restarted
# process draws a new prefix) without a system call per message, which at city scale (thousands
# of commands and acks a second on one thread) was a measurable share of the hub's time.
_ID_PREFIX = os.urandom(8).hex()
_id_counter = itertools.count(1)


def _new_id_prefix() -> None:
    """A forked child is another sender: it must not repeat its parent's ids."""
    global _ID_PREFIX, _id_counter
    _ID_PREFIX = os.urandom(8).hex()
    _id_counter = itertools.count(1)


os.register_at_fork(after_in_child=_new_id_prefix)


def new_message_id() -> str:
    """A sender-unique message id: 32 hex digits (a random per-process prefix and a counter)."""
    return f"{_ID_PREFIX}{next(_id_counter):016x}"


class Sequencer:
    """Per-connection sequence numbers for outgoing messages, starting at 1."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self) -> int:
        return next(self._counter)


def encode(message: Message) -> bytes:
    return _encoder.encode(message)


def header_fields(seq: int, msg_id: str | None = None) -> dict[str, Any]:
    """The envelope fields for a new outgoing message."""
    return {"id": msg_id or new_message_id(), "seq": seq, "ts": time.time()}


class Decoder:
    """Strict decoder for the union of message types one socket accepts."""

    def __init__(self, *types: type[Message]) -> None:
        self._types = types
        self.allowed_types = frozenset(_tag_of(t) for t in types)
        union: Any = types[0] if len(types) == 1 else _union(types)
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(union)

    def decode(self, frames: list[bytes], allowed: frozenset[str] | None = None) -> Message:
        """Decode one message; *allowed* narrows the accepted types for the connection's state."""
        if len(frames) != 1:
            raise ProtocolError(ErrorCode.TOO_LARGE, f"expected one frame, got {len(frames)}")
        frame = frames[0]
        if len(frame) > MAX_FRAME_BYTES:
            raise ProtocolError(
                ErrorCode.TOO_LARGE, f"frame of {len(frame)} bytes exceeds {MAX_FRAME_BYTES}"
            )
        try:
            header = _header_decoder.decode(frame)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ProtocolError(ErrorCode.MALFORMED, f"bad envelope: {exc}") from None
        ref = header.id[:MAX_ID_LENGTH]
        if header.v != PROTOCOL_VERSION:
            raise ProtocolError(
                ErrorCode.UNSUPPORTED_VERSION,
                f"protocol version {header.v} not supported (this hub speaks {PROTOCOL_VERSION})",
                ref,
            )
        if header.type not in self.allowed_types:
            raise ProtocolError(ErrorCode.UNKNOWN_TYPE, f"unknown message type {header.type!r}", ref)
        if allowed is not None and header.type not in allowed:
            raise ProtocolError(
                ErrorCode.OUT_OF_STATE, f"{header.type!r} not allowed now (allowed: {sorted(allowed)})", ref
            )
        if not header.id or len(header.id) > MAX_ID_LENGTH:
            raise ProtocolError(ErrorCode.MALFORMED, "message id missing or too long", ref)
        try:
            message: Message = self._decoder.decode(frame)
        except msgspec.ValidationError as exc:
            raise ProtocolError(ErrorCode.MALFORMED, f"invalid {header.type!r}: {exc}", ref) from None
        return message


def _tag_of(cls: type[Message]) -> str:
    tag = cls.__struct_config__.tag
    assert isinstance(tag, str), f"{cls.__name__} has no wire type tag"
    return tag


def _union(types: tuple[type[Message], ...]) -> Any:
    union: Any = types[0]
    for t in types[1:]:
        union = union | t
    return union
