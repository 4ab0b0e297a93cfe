"""Who may sound in a zone: emergency > drill > routine, decided per zone, at once, never queued.

A new playback (a broadcast or a live voice stream, which counts as its own priority) interrupts
every lower one that shares a zone with it; if anything of equal or higher priority is sounding in
one of its zones it is refused at once with the reason (it does not wait: the operator decides).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, Protocol, TypeVar

Priority = Literal["emergency", "drill", "routine"]
PRIORITIES: tuple[Priority, ...] = ("emergency", "drill", "routine")
RANK: dict[str, int] = {"routine": 0, "drill": 1, "emergency": 2}


class Claim(Protocol):
    """A playback holding zones."""

    @property
    def play_id(self) -> str: ...
    @property
    def label(self) -> str: ...  # "broadcast" or "live voice"
    @property
    def priority(self) -> Priority: ...
    @property
    def zones(self) -> frozenset[str]: ...


C = TypeVar("C", bound=Claim)


def arbitrate(
    priority: Priority, zones: frozenset[str], active: Iterable[C]
) -> tuple[C | None, list[C]]:
    """(the playback that refuses the newcomer or None, the playbacks the newcomer interrupts)."""
    overlapping = [claim for claim in active if claim.zones & zones]
    for claim in overlapping:
        if RANK[claim.priority] >= RANK[priority]:
            return claim, []
    return None, overlapping


def refusal(blocker: Claim) -> str:
    return f"refused: {blocker.priority} {blocker.label} {blocker.play_id} is playing"


def interruption(winner: Claim) -> str:
    return f"interrupted by {winner.priority} {winner.label} {winner.play_id}"
