"""A simulated intrusion panel: perimeter and building zones that trip at a configurable rate."""

from __future__ import annotations

from typing import ClassVar

from hardware.adapters.alarm_event import INTRUSION
from hardware.simulators.zone_panel_sim import SimulatedZonePanel


class SimulatedIntrusionPanel(SimulatedZonePanel):
    alarm_type = INTRUSION
    default_zones: ClassVar[dict[str, str]] = {"z1": "东围墙", "z2": "北门", "z3": "实验楼"}
