"""The envelope every message carries, and the limits the hub enforces before decoding.

Every message is one ZeroMQ frame holding one UTF-8 JSON object. Its header fields are the same for
all types: protocol version `v`, `type`, a sender-unique message `id`, a per-connection sequence
number `seq` and the sender's wall-clock timestamp `ts` (seconds since the epoch).
"""

from __future__ import annotations

import enum

import msgspec

PROTOCOL_VERSION = 1
# A frame larger than this is refused before any parsing: a flood of big frames costs bounded memory.
MAX_FRAME_BYTES = 64 * 1024
MAX_ID_LENGTH = 64


class ErrorCode(enum.StrEnum):
    """Machine-readable reasons in an `error` reply."""

    MALFORMED = "malformed"  # not JSON, not an object, wrong field type, unknown field
    TOO_LARGE = "too_large"  # frame over MAX_FRAME_BYTES or more than one frame
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_TYPE = "unknown_type"
    OUT_OF_STATE = "out_of_state"  # type not allowed in the connection's current state
    REPLAYED = "replayed"  # sequence number not above the last one on this connection
    UNAUTHORIZED = "unauthorized"  # key not enrolled, revoked, or not the key of that school
    CONFLICT = "conflict"  # e.g. a school already enrolled with another key
    INVALID_TOKEN = "invalid_token"
    FORBIDDEN = "forbidden"  # a console request the operator may not make
    LOCKED = "locked"  # too many failed logins: the operator's account is locked for a while
    CONFIRMATION_REQUIRED = "confirmation_required"  # resend with the confirmation id in the reply
    NOT_FOUND = "not_found"
    INTERNAL = "internal"


class Header(msgspec.Struct, kw_only=True):
    """What is read first, leniently, to route the message and check version and type.

    Unknown fields are tolerated here only: the strict decode of the full type comes next.
    """

    v: int
    type: str
    id: str = ""
    seq: int = 0
    ts: float = 0.0


class Message(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, tag_field="type"):
    """Base of every message type. Subclasses set `tag=` to their wire type name."""

    v: int = PROTOCOL_VERSION
    id: str
    seq: int
    ts: float
