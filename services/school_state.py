"""The state a school shows on the map and in lists.

Integer values so the map can keep one compact array of states for 10,000 schools. The values
are ordered by severity: when a school is in several states at once the highest is shown (an
alarm outranks an overdue hazard, which outranks being offline).
"""

from __future__ import annotations

import enum


class SchoolState(enum.IntEnum):
    UNKNOWN = 0  # no agent has reported yet
    ONLINE = 1
    LATE = 2  # heartbeat overdue, not yet declared offline
    OFFLINE = 3
    OVERDUE_HAZARD = 4
    DRILL = 5
    ALARM = 6


def most_severe(states: set[SchoolState]) -> SchoolState:
    """The state to show for a school that is in all of *states* at once."""
    return max(states, default=SchoolState.UNKNOWN)
