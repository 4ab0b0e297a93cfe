"""The colours that mean a school state, shared by the map, lists and badges.

One table so an alarm is the same red everywhere an operator looks. Colours are chosen for a
dark control-room background: the states that need action (alarm, overdue hazard, drill) are the
brightest and most saturated; the calm states (online, offline, unknown) stay muted so a screen
full of healthy schools does not shout.
"""

from __future__ import annotations

from types import MappingProxyType

from PySide6.QtGui import QColor

from services.school_state import SchoolState

# Hex strings rather than QColor objects at import time: a QColor needs no QApplication, but
# plain strings also serve style sheets and HTML tooltips.
STATE_COLOR_HEX: MappingProxyType[SchoolState, str] = MappingProxyType(
    {
        SchoolState.UNKNOWN: "#7b8794",  # neutral grey: not reported yet
        SchoolState.ONLINE: "#2ecc71",  # green
        SchoolState.LATE: "#f5b82e",  # amber: heartbeat overdue
        SchoolState.OFFLINE: "#4a5a6e",  # dark slate: quiet, but distinct from unknown
        SchoolState.OVERDUE_HAZARD: "#ff8a1f",  # orange
        SchoolState.DRILL: "#8e7dff",  # blue-violet: never to be mistaken for an alarm
        SchoolState.ALARM: "#ff3040",  # red
    }
)

# Map background and district styling (the dark control-room look).
MAP_BACKGROUND_HEX = "#0b1219"
DISTRICT_FILL_HEX = "#16263a"
DISTRICT_FILL_DIMMED_HEX = "#0f1923"
DISTRICT_OUTLINE_HEX = "#7d9bbd"
DISTRICT_LABEL_HEX = "#c9d8e8"
SCHOOL_LABEL_HEX = "#e6eef6"
LABEL_HALO_HEX = "#05090d"
HIGHLIGHT_RING_HEX = "#ffffff"


def state_color(state: SchoolState | int) -> QColor:
    """The QColor for *state* (an unknown value shows as UNKNOWN rather than failing a paint)."""
    try:
        key = SchoolState(int(state))
    except ValueError:
        key = SchoolState.UNKNOWN
    return QColor(STATE_COLOR_HEX[key])
