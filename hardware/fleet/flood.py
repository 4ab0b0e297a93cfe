"""The plan of an alarm flood: which school raises which alarm when (see spec.Flood).

Every worker computes the same plan from the same spec and raises only its own schools' alarms,
so the fleet as a whole raises exactly `alarms` alarms without the workers talking to each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardware.fleet.spec import Flood


@dataclass(frozen=True, slots=True)
class PlannedAlarm:
    offset_s: float  # after the flood's start
    school: str
    alarm_type: str


def flood_plan(flood: Flood) -> list[PlannedAlarm]:
    k = len(flood.schools)
    step = flood.over_s / flood.alarms
    return [
        PlannedAlarm(
            offset_s=i * step,
            school=flood.schools[i % k],
            alarm_type=flood.types[(i // k) % len(flood.types)],
        )
        for i in range(flood.alarms)
    ]
