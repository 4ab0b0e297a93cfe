"""The console's broadcast requests to the hub, as strict structures both sides share.

broadcast_send {target, clip, priority, zones, repeat, at, drill, title}
    -> {broadcast_id, command_id, schools: [code], no_agent: [code]}
    A city-wide emergency or drill is answered "confirmation_required" first (confirmation.py).
broadcast_stop {broadcast_id, schools: [code] (empty: every school)}
broadcast_history {since, until, priority, limit}
    -> {broadcasts: [{broadcast_id, command_id, title, priority, operator, sent_at, schools, counts}]}
"""

from __future__ import annotations

import re
import time
from typing import Any, Literal

import msgspec

PRIORITIES = ("emergency", "drill", "routine")
MAX_REPEAT = 10
MAX_TITLE_CHARS = 128
MAX_SCHEDULE_AHEAD_S = 7 * 86_400
HISTORY_LIMIT_MAX = 1000
_SHA256 = re.compile(r"[0-9a-f]{64}")

Priority = Literal["emergency", "drill", "routine"]


class BroadcastRequestError(ValueError):
    """A broadcast request that must not be sent; `code` is stable, str() explains."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class _Args(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class BroadcastTarget(_Args):
    schools: list[str] = []
    districts: list[str] = []
    all: bool = False


class BroadcastSendArgs(_Args):
    target: BroadcastTarget
    clip: str
    priority: Priority
    zones: list[str] = []  # empty: every zone
    repeat: int = 1
    at: float | None = None  # epoch seconds; None: now
    drill: bool = False
    title: str = ""
    confirmation: str = ""


class BroadcastStopArgs(_Args):
    broadcast_id: str
    schools: list[str] = []


class BroadcastHistoryArgs(_Args):
    since: float
    until: float | None = None
    priority: Literal["", "emergency", "drill", "routine"] = ""
    limit: int = 200


def check_send(args: BroadcastSendArgs, now: float | None = None) -> BroadcastSendArgs:
    """Refuse what must never go out; the same checks on the console and on the hub."""
    now = time.time() if now is None else now
    target = args.target
    if not target.all and not target.schools and not target.districts:
        raise BroadcastRequestError("no_target", "choose the schools or districts to broadcast to")
    if not _SHA256.fullmatch(args.clip):
        raise BroadcastRequestError("no_clip", "choose the clip to broadcast")
    if not 1 <= args.repeat <= MAX_REPEAT:
        raise BroadcastRequestError("bad_repeat", f"repeat between 1 and {MAX_REPEAT} times")
    if args.at is not None and not now - 5.0 <= args.at <= now + MAX_SCHEDULE_AHEAD_S:
        raise BroadcastRequestError("bad_time", "the time to send must be in the next 7 days")
    if args.drill != (args.priority == "drill"):
        # A drill is unmistakable: the flag and the priority always agree.
        raise BroadcastRequestError("drill_mismatch", "a drill broadcast has priority drill and vice versa")
    if len(args.title) > MAX_TITLE_CHARS:
        raise BroadcastRequestError("bad_title", f"a title has at most {MAX_TITLE_CHARS} characters")
    return args


def send_args(
    *,
    target: dict[str, Any],
    clip: str,
    priority: str,
    zones: list[str],
    repeat: int,
    at: float | None,
    title: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The checked `broadcast_send` arguments as plain data; BroadcastRequestError when unusable."""
    if priority not in PRIORITIES:
        raise BroadcastRequestError("bad_priority", f"unknown priority {priority!r}")
    try:
        args = msgspec.convert(
            {
                "target": target,
                "clip": clip,
                "priority": priority,
                "zones": zones,
                "repeat": repeat,
                "at": at,
                "drill": priority == "drill",
                "title": title.strip(),
            },
            BroadcastSendArgs,
        )
    except msgspec.ValidationError as exc:
        raise BroadcastRequestError("malformed", str(exc)) from exc
    result: dict[str, Any] = msgspec.to_builtins(check_send(args, now))
    result.pop("confirmation", None)
    return result
