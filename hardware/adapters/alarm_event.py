"""Alarm events as every alarm source at a school sends them (docs/protocol.md, `event`).

kind "alarm", priority "alarm", source the device id (set by the agent), and details
{"type": <alarm type>, "location": <where, free text>, ...} with optional "zone" and "camera".
The hub turns them into incidents by type; the types here are the string ids it knows.
"""

from __future__ import annotations

from typing import Final

from hardware.adapters.base import AdapterOptionError, DeviceEvent
from services.protocol.agent_messages import ArgValue

ONE_KEY: Final = "one_key"
INTRUSION: Final = "intrusion"
FIRE: Final = "fire"
CAMERA_TAMPER: Final = "camera_tamper"
CAMERA_LOSS: Final = "camera_loss"
PATROL_MISSED: Final = "patrol_missed"
MANUAL: Final = "manual"

ALARM_TYPES: Final = frozenset({ONE_KEY, INTRUSION, FIRE, CAMERA_TAMPER, CAMERA_LOSS, PATROL_MISSED, MANUAL})

# Free text goes to every console and into reports: long enough for "教学楼三层东侧楼梯口", bounded.
MAX_LOCATION_CHARS = 120


def alarm_event(alarm_type: str, location: str, **extra: ArgValue) -> DeviceEvent:
    """One alarm of *alarm_type* at *location*; *extra* adds fields such as zone or camera."""
    details: dict[str, ArgValue] = {"type": alarm_type, "location": location[:MAX_LOCATION_CHARS]}
    details.update(extra)
    return DeviceEvent(kind="alarm", priority="alarm", details=details)


def checked_alarm_type(value: str, option: str = "alarm_type") -> str:
    """*value* if it is a known alarm type, else an AdapterOptionError naming the known ones."""
    if value not in ALARM_TYPES:
        raise AdapterOptionError(
            f"option {option!r}: unknown alarm type {value!r} (known: {', '.join(sorted(ALARM_TYPES))})"
        )
    return value
