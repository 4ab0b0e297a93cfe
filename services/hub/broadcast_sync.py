"""Copying a clip to the schools that lack it, before its broadcast starts (docs/broadcasts.md).

A bundled clip is on every agent. Any other clip is synced ahead of the start, so it plays at
once even where the link is slow: the hub asks the schools it does not know to have the clip
(`clip_have`), sends the clip in chunks (`clip_put`, at most 45 KiB of raw bytes each so every
command fits a frame) to those that lack it, and issues `broadcast_start` when every connected
school has answered its last chunk or the sync deadline passed. A school offline meanwhile gets
the chunks and then the start, in that order, when it comes back (the ledger resends in issue
order). What each agent holds is remembered, so a clip goes to a school once.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from services.hub.ledger import Ledger
from services.protocol.states import FINAL_DELIVERY_STATES, DeliveryState

CHUNK_BYTES = 45 * 1024
ASK_TIMEOUT_S = 5.0
SYNC_DEADLINE_S = 60.0
# The ledger moves no further for these until the agent speaks again: do not wait for them.
_SETTLED = FINAL_DELIVERY_STATES | {DeliveryState.NOT_CONNECTED}


class SyncPhase(enum.StrEnum):
    FETCHING = "fetching"  # reading the clip from the library
    ASKING = "asking"  # clip_have sent to the schools not known to have it
    PUTTING = "putting"  # clip_put chunks sent to the schools that lack it


@dataclass(slots=True)
class ClipSync:
    broadcast_id: str
    clip: str
    schools: list[str]  # every school of the broadcast
    started: float  # monotonic
    phase: SyncPhase = SyncPhase.FETCHING
    data: bytes = b""
    ask_command: str = ""
    put_commands: list[str] = field(default_factory=list)
    lacking: list[str] = field(default_factory=list)
    phase_started: float = 0.0

    def view(self) -> dict[str, object]:
        return {
            "phase": self.phase.value,
            "clip": self.clip,
            "bytes": len(self.data),
            "chunks": len(self.put_commands),
            "schools_lacking": len(self.lacking),
        }


def chunk_args(clip: str, data: bytes) -> list[dict[str, str | int]]:
    """The `clip_put` arguments of every chunk of *data*, in order."""
    return [
        {
            "clip": clip,
            "offset": offset,
            "total": len(data),
            "data": base64.b64encode(data[offset : offset + CHUNK_BYTES]).decode("ascii"),
        }
        for offset in range(0, len(data), CHUNK_BYTES)
    ]


def settled(ledger: Ledger, command_id: str, schools: Iterable[str]) -> bool:
    """True when no named school's delivery of this command is still on its way."""
    command = ledger.commands.get(command_id)
    if command is None:
        return True
    return all(command.deliveries[s].state in _SETTLED for s in schools if s in command.deliveries)


def holders(ledger: Ledger, ask_command: str, clip: str) -> set[str]:
    """Schools whose `clip_have` answer lists *clip*."""
    command = ledger.commands.get(ask_command)
    if command is None:
        return set()
    found = set()
    for school, delivery in command.deliveries.items():
        clips = delivery.result.get("clips")
        if delivery.state is DeliveryState.DONE and isinstance(clips, list) and clip in clips:
            found.add(school)
    return found


def completed(ledger: Ledger, put_commands: list[str]) -> set[str]:
    """Schools that answered some chunk with `complete` true (the agent checked the whole clip)."""
    found: set[str] = set()
    for command_id in put_commands:
        command = ledger.commands.get(command_id)
        if command is None:
            continue
        for school, delivery in command.deliveries.items():
            if delivery.state is DeliveryState.DONE and delivery.result.get("complete") is True:
                found.add(school)
    return found
