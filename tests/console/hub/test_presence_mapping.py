"""School codes to map ids, hub presence to map states."""

from __future__ import annotations

import numpy as np

from console.hub.presence_mapping import SchoolIndex, presence_state
from services.db.models import SchoolType
from services.db.records import SchoolSummary
from services.protocol.console_messages import SchoolPresence
from services.school_state import SchoolState


def summary(school_id: int, code: str) -> SchoolSummary:
    return SchoolSummary(school_id, code, f"School {code}", 1, SchoolType.PRIMARY, 120.3, 36.1, 500, False)


def presence(code: str, state: str) -> SchoolPresence:
    return SchoolPresence(school=code, presence=state, last_seen=1.0)  # type: ignore[arg-type]


def test_presence_values_map_to_school_states():
    assert presence_state("online") == SchoolState.ONLINE
    assert presence_state("late") == SchoolState.LATE
    assert presence_state("offline") == SchoolState.OFFLINE
    assert presence_state("something new") == SchoolState.UNKNOWN


def test_a_batch_has_one_state_per_known_school_latest_wins_and_lists_unknown_codes():
    index = SchoolIndex([summary(7, "A"), summary(9, "B"), summary(11, "C")])
    assert len(index) == 3 and index.id_of("B") == 9 and index.code_of(11) == "C" and index.id_of("Z") is None
    batch = index.batch(
        [presence("A", "online"), presence("Z", "online"), presence("B", "late"), presence("A", "offline")]
    )
    assert batch.ids.dtype == np.int64 and batch.states.dtype == np.int8
    assert batch.as_dict() == {7: SchoolState.OFFLINE, 9: SchoolState.LATE}
    assert batch.unknown_codes == ("Z",)
    assert len(index.batch([])) == 0
