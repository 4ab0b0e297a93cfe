"""The map's staging of state changes, its filters and its position index (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from services.school_state import SchoolState
from widgets.school_map.spatial_index import SortedXIndex
from widgets.school_map.state_store import StateStore
from widgets.school_map.visibility import MapFilter, Visibility

pytestmark = pytest.mark.gui  # the widgets package needs the console environment (numpy, Qt)


def test_staged_changes_apply_once_and_last_write_wins():
    store = StateStore(np.array([30, 10, 20], dtype=np.int64))
    store.stage([10, 20, 10], [SchoolState.ALARM, SchoolState.ONLINE, SchoolState.LATE])
    assert store.has_pending
    assert store.states.tolist() == [0, 0, 0]  # nothing shown before the tick
    changes = store.take_changes()
    assert sorted(changes.indices.tolist()) == [1, 2]
    assert store.states.tolist() == [0, SchoolState.LATE, SchoolState.ONLINE]
    assert changes.touched_states() == {0, int(SchoolState.LATE), int(SchoolState.ONLINE)}
    assert not store.has_pending
    assert len(store.take_changes()) == 0


def test_a_flip_and_back_between_ticks_is_no_change():
    store = StateStore(np.array([1, 2], dtype=np.int64))
    store.stage_mapping({1: SchoolState.ALARM})
    store.stage_mapping({1: SchoolState.UNKNOWN})
    assert len(store.take_changes()) == 0


@pytest.mark.expect_log(r"ignored 2 state update")
def test_unknown_ids_and_invalid_states_are_dropped(caplog):
    store = StateStore(np.array([1, 2], dtype=np.int64))
    assert store.stage([1, 3, 2], [SchoolState.DRILL, 1, 99]) == 1
    assert store.dropped_inputs == 2
    assert "ignored 2 state update" in caplog.text
    store.take_changes()
    assert store.states.tolist() == [SchoolState.DRILL, 0]
    with pytest.raises(ValueError, match="integer"):
        store.stage(np.array([1.5]), np.array([1]))


def test_visibility_combines_district_type_and_state_filters():
    vis = Visibility(np.array([0, 1, 1, 2], dtype=np.int16), np.array([0, 0, 1, 1], dtype=np.int8))
    states = np.array([1, 6, 6, 1], dtype=np.int8)
    assert vis.mask(states).all()
    vis.set_filter(MapFilter.of(districts={1}))
    assert vis.mask(states).tolist() == [False, True, True, False]
    vis.set_filter(MapFilter.of(districts={1}, types={1}))
    assert vis.mask(states).tolist() == [False, False, True, False]
    vis.set_filter(MapFilter.of(states={1}))
    assert vis.mask(states).tolist() == [True, False, False, True]
    vis.set_filter(MapFilter.of(types=set()))
    assert not vis.mask(states).any()


def test_sorted_index_matches_brute_force():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 10, 2000), rng.uniform(0, 10, 2000)
    index = SortedXIndex(x, y)
    for _ in range(20):
        cx, cy, r = *rng.uniform(0, 10, 2), rng.uniform(0.05, 2)
        expected = np.flatnonzero((abs(x - cx) <= r) & (abs(y - cy) <= r))
        assert sorted(index.near(cx, cy, r, r).tolist()) == expected.tolist()
