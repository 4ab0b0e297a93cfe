"""Which schools the operator has filtered in (by district, school type and state).

A filtered-out school is neither drawn nor hoverable. District and type never change for a school,
so that part of the mask is computed once per filter change; the state part is a 7-entry lookup
applied to the state array, cheap enough to redo on every coalescing tick.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from widgets.school_map.state_store import STATE_COUNT


@dataclass(frozen=True)
class MapFilter:
    """None means "all"; an empty set shows nothing of that kind."""

    districts: frozenset[int] | None = None  # indices into the district list
    types: frozenset[int] | None = None  # school type codes
    states: frozenset[int] | None = None  # SchoolState values

    @classmethod
    def of(
        cls,
        districts: Iterable[int] | None = None,
        types: Iterable[int] | None = None,
        states: Iterable[int] | None = None,
    ) -> MapFilter:
        def freeze(values: Iterable[int] | None) -> frozenset[int] | None:
            return None if values is None else frozenset(int(v) for v in values)

        return cls(freeze(districts), freeze(types), freeze(states))


class Visibility:
    def __init__(self, district: npt.NDArray[np.int16], type_code: npt.NDArray[np.int8]) -> None:
        self._district = district
        self._type = type_code
        self.filter = MapFilter()
        self.static_mask = np.ones(len(district), dtype=bool)
        self.state_allowed = np.ones(STATE_COUNT, dtype=bool)

    def set_filter(self, new: MapFilter) -> None:
        self.filter = new
        mask = np.ones(len(self._district), dtype=bool)
        if new.districts is not None:
            mask &= np.isin(self._district, np.fromiter(new.districts, dtype=np.int64))
        if new.types is not None:
            mask &= np.isin(self._type, np.fromiter(new.types, dtype=np.int64))
        self.static_mask = mask
        allowed = np.ones(STATE_COUNT, dtype=bool)
        if new.states is not None:
            allowed[:] = False
            for s in new.states:
                if 0 <= s < STATE_COUNT:
                    allowed[s] = True
        self.state_allowed = allowed

    def mask(self, states: npt.NDArray[np.int8]) -> npt.NDArray[np.bool_]:
        return self.static_mask & self.state_allowed[states]
