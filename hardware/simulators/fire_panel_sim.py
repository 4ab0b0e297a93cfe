"""A simulated fire panel: detectors in its zones go into alarm at a configurable rate."""

from __future__ import annotations

from typing import ClassVar

from hardware.adapters.alarm_event import FIRE
from hardware.simulators.zone_panel_sim import SimulatedZonePanel


class SimulatedFirePanel(SimulatedZonePanel):
    alarm_type = FIRE
    default_zones: ClassVar[dict[str, str]] = {
        "Z01": "教学楼一层",
        "Z02": "教学楼三层",
        "Z03": "食堂后厨",
        "Z04": "宿舍楼",
    }
