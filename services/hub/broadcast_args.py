"""The arguments of the console's broadcast requests, validated strictly like messages.

The console builds them with services/broadcast/requests.py; the hub checks them again here
(a console is a peer, not a trusted part of the hub) and adds what only the hub decides: a drill
priority always makes a drill, and a city-wide emergency or drill needs a confirmation.
"""

from __future__ import annotations

import re
import time
from typing import Annotated, Any, Literal

import msgspec

from services.hub.errors import HubRequestError
from services.protocol.envelope import ErrorCode

Priority = Literal["emergency", "drill", "routine"]
SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_REPEAT = 20  # what an agent accepts (docs/protocol.md 3.1)
MAX_ZONES = 32
MAX_TITLE = 128
MAX_SCHEDULE_AHEAD_S = 7 * 86400.0
# A time a little in the past is "now" (clocks of console and hub differ a little).
PAST_TOLERANCE_S = 5.0
DEFAULT_TTL_S = 120.0
MIN_TTL_S = 5.0
MAX_TTL_S = 3600.0
HISTORY_LIMIT_MAX = 1000

ZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class _Args(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class TargetArgs(_Args):
    schools: list[str] = []
    districts: list[str] = []
    all: bool = False


class BroadcastSendArgs(_Args):
    target: TargetArgs
    clip: str
    priority: Priority
    zones: list[ZoneName] = []
    repeat: int = 1
    at: float | None = None  # epoch seconds; None: now
    drill: bool = False
    title: str = ""
    # How long after its time the broadcast may still start at a school; after that it never does.
    ttl_s: float = DEFAULT_TTL_S
    confirmation: str = ""


class BroadcastStopArgs(_Args):
    broadcast_id: str
    schools: list[str] = []  # empty: every school of the broadcast


class BroadcastHistoryArgs(_Args):
    since: float | None = None
    until: float | None = None
    priority: Literal["", "emergency", "drill", "routine"] = ""
    limit: int = 200


class BroadcastStatusArgs(_Args):
    broadcast_id: str


def parse(raw: dict[str, Any], cls: type[msgspec.Struct]) -> Any:
    try:
        return msgspec.convert(raw, cls)
    except msgspec.ValidationError as exc:
        raise HubRequestError(ErrorCode.MALFORMED, f"invalid request args: {exc}") from None


def _malformed(message: str) -> HubRequestError:
    return HubRequestError(ErrorCode.MALFORMED, message)


def check_send(args: BroadcastSendArgs, now: float | None = None) -> BroadcastSendArgs:
    """The send arguments as the hub will act on them, or a clear refusal."""
    now = time.time() if now is None else now
    target = args.target
    if not (target.all or target.schools or target.districts):
        raise _malformed("a broadcast needs a target: schools, districts or the whole city")
    if not SHA256.match(args.clip):
        raise _malformed("clip must be the sha256 (64 lowercase hex digits) of a clip in the library")
    if not 1 <= args.repeat <= MAX_REPEAT:
        raise _malformed(f"repeat must be 1-{MAX_REPEAT}")
    if len(args.zones) > MAX_ZONES:
        raise _malformed(f"at most {MAX_ZONES} zones")
    if len(args.title) > MAX_TITLE:
        raise _malformed(f"a title has at most {MAX_TITLE} characters")
    if not MIN_TTL_S <= args.ttl_s <= MAX_TTL_S:
        raise _malformed(f"ttl_s must be {MIN_TTL_S:.0f}-{MAX_TTL_S:.0f} s")
    if args.at is not None and not now - PAST_TOLERANCE_S <= args.at <= now + MAX_SCHEDULE_AHEAD_S:
        raise _malformed("the time to send must be now or within the next 7 days")
    # A drill priority always plays as a drill, whatever the flag said.
    drill = args.drill or args.priority == "drill"
    at = None if args.at is None or args.at <= now else args.at
    return msgspec.structs.replace(args, drill=drill, at=at, title=args.title.strip())


def command_args(args: BroadcastSendArgs, broadcast_id: str) -> dict[str, Any]:
    """The `broadcast_start` arguments an agent accepts (and nothing else: it refuses the unknown)."""
    return {
        "broadcast_id": broadcast_id,
        "clip": args.clip,
        "priority": args.priority,
        "zones": list(args.zones),
        "repeat": args.repeat,
        "drill": args.drill,
    }


def confirmation_args(args: BroadcastSendArgs) -> dict[str, Any]:
    """What a city-wide confirmation is bound to: the same clip, priority, zones, time and title."""
    return {
        "clip": args.clip,
        "priority": args.priority,
        "zones": list(args.zones),
        "repeat": args.repeat,
        "drill": args.drill,
        "at": args.at,
        "title": args.title,
    }
