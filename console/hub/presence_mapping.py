"""From the hub's words to the map's: school codes to school ids, presence to SchoolState.

The hub names schools by their code (School.code); the map keys them by database id. A
`SchoolIndex` is rebuilt whenever the city is (re)loaded; presence for a code the console does not
know (a school imported on another workstation and not yet reloaded here) is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.db.records import SchoolSummary
from services.protocol.console_messages import SchoolPresence
from services.protocol.states import Presence
from services.school_state import SchoolState

PRESENCE_STATES: Mapping[str, SchoolState] = {
    Presence.ONLINE.value: SchoolState.ONLINE,
    Presence.LATE.value: SchoolState.LATE,
    Presence.OFFLINE.value: SchoolState.OFFLINE,
}


def presence_state(presence: str) -> SchoolState:
    """The map state for a presence value (UNKNOWN for a value this console does not know)."""
    return PRESENCE_STATES.get(presence, SchoolState.UNKNOWN)


@dataclass(frozen=True, slots=True)
class StateBatch:
    """Parallel arrays for SchoolMapWidget.apply_states, plus the codes nobody here knows."""

    ids: npt.NDArray[np.int64]
    states: npt.NDArray[np.int8]
    unknown_codes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.ids)

    def as_dict(self) -> dict[int, SchoolState]:
        return {int(i): SchoolState(int(s)) for i, s in zip(self.ids, self.states, strict=True)}


class SchoolIndex:
    """School code -> school id, for one loaded city."""

    def __init__(self, schools: Iterable[SchoolSummary] = ()) -> None:
        self._ids: dict[str, int] = {s.code: s.id for s in schools}
        self._codes: dict[int, str] = {i: c for c, i in self._ids.items()}

    def __len__(self) -> int:
        return len(self._ids)

    def id_of(self, code: str) -> int | None:
        return self._ids.get(code)

    def code_of(self, school_id: int) -> str | None:
        return self._codes.get(school_id)

    def ids(self) -> list[int]:
        return list(self._codes)

    def batch(self, entries: Iterable[SchoolPresence]) -> StateBatch:
        """Map states for *entries* (the latest entry of a school wins)."""
        latest: dict[int, int] = {}
        unknown: list[str] = []
        for entry in entries:
            school_id = self._ids.get(entry.school)
            if school_id is None:
                unknown.append(entry.school)
                continue
            latest[school_id] = int(presence_state(entry.presence))
        ids = np.fromiter(latest.keys(), dtype=np.int64, count=len(latest))
        states = np.fromiter(latest.values(), dtype=np.int8, count=len(latest))
        return StateBatch(ids=ids, states=states, unknown_codes=tuple(unknown))
