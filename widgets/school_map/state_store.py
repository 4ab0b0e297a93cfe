"""The schools' states as the map shows them, with changes staged until the next repaint.

Status updates arrive thousands of times a second; repainting per update would freeze the GUI.
``stage`` only writes the wanted state into a target array (O(changes), no drawing); ``take_changes``
runs once per coalescing tick, compares target and shown states in one vectorised pass and returns
just the schools whose state really changed (a school flipping and flipping back between two ticks
costs nothing). Pure numpy, no Qt, so it is easy to test and reason about.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.school_state import SchoolState

log = logging.getLogger(__name__)

STATE_COUNT = len(SchoolState)
_BAD_INPUT_LOG_INTERVAL_S = 60.0


@dataclass(frozen=True)
class StateChanges:
    """Schools whose shown state changed in one tick (indices into the school arrays)."""

    indices: npt.NDArray[np.intp]
    old: npt.NDArray[np.int8]
    new: npt.NDArray[np.int8]

    def __len__(self) -> int:
        return len(self.indices)

    def touched_states(self) -> set[int]:
        """States whose membership changed (a school left or joined them)."""
        return {int(s) for s in np.unique(np.concatenate([self.old, self.new]))}


class StateStore:
    def __init__(self, ids: npt.NDArray[np.int64]) -> None:
        self._sort = np.argsort(ids, kind="stable")
        self._sorted_ids = ids[self._sort]
        self.states = np.zeros(len(ids), dtype=np.int8)  # shown (SchoolState.UNKNOWN)
        self._target = self.states.copy()
        self._pending = False
        self._last_bad_input_log = -_BAD_INPUT_LOG_INTERVAL_S
        self.dropped_inputs = 0

    @property
    def has_pending(self) -> bool:
        return self._pending

    def index_of(self, ids: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Positions of *ids* in the school arrays; -1 for ids the map does not know."""
        wanted = np.asarray(ids, dtype=np.int64).reshape(-1)
        if len(self._sorted_ids) == 0:
            return np.full(len(wanted), -1, dtype=np.intp)
        pos = np.searchsorted(self._sorted_ids, wanted)
        pos = np.minimum(pos, len(self._sorted_ids) - 1)
        found = self._sorted_ids[pos] == wanted
        return np.where(found, self._sort[pos], -1).astype(np.intp)

    def stage(self, ids: npt.ArrayLike, states: npt.ArrayLike) -> int:
        """Remember the wanted states of *ids*; return how many were accepted.

        Unknown ids and values that are not a SchoolState are dropped with a (rate-limited)
        warning: a stale or corrupt update must not take the map down.
        """
        id_array = np.asarray(ids).reshape(-1)
        state_array = np.asarray(states).reshape(-1)
        if len(id_array) != len(state_array):
            raise ValueError(
                f"apply_states needs one state per id: got {len(id_array)} ids and {len(state_array)} states"
            )
        if len(id_array) == 0:
            return 0
        if not np.issubdtype(id_array.dtype, np.integer) or not np.issubdtype(state_array.dtype, np.integer):
            raise ValueError("apply_states takes integer school ids and integer SchoolState values")
        idx = self.index_of(id_array)
        ok = (idx >= 0) & (state_array >= 0) & (state_array < STATE_COUNT)
        bad = len(ok) - int(np.count_nonzero(ok))
        if bad:
            self._report_bad_input(bad, id_array[~ok], state_array[~ok])
            idx, state_array = idx[ok], state_array[ok]
        # Repeated ids in one batch: numpy assigns in order, so the last state given wins.
        self._target[idx] = state_array.astype(np.int8)
        if len(idx):
            self._pending = True
        return len(idx)

    def stage_mapping(self, states: Mapping[int, int]) -> int:
        if not states:
            return 0
        return self.stage(
            np.fromiter(states.keys(), dtype=np.int64, count=len(states)),
            np.fromiter((int(v) for v in states.values()), dtype=np.int64, count=len(states)),
        )

    def take_changes(self) -> StateChanges:
        """Apply everything staged; return the schools whose shown state changed."""
        self._pending = False
        changed = np.flatnonzero(self._target != self.states)
        old = self.states[changed]
        new = self._target[changed]
        self.states[changed] = new
        return StateChanges(changed, old, new)

    def _report_bad_input(
        self, count: int, ids: npt.NDArray[np.generic], states: npt.NDArray[np.generic]
    ) -> None:
        self.dropped_inputs += count
        now = time.monotonic()
        if now - self._last_bad_input_log < _BAD_INPUT_LOG_INTERVAL_S:
            return
        self._last_bad_input_log = now
        log.warning(
            "school map: ignored %d state update(s) for unknown schools or invalid states "
            "(first: id=%s state=%s; %d ignored so far)",
            count,
            ids[0],
            states[0],
            self.dropped_inputs,
        )
