"""Adapter types by the name a config file uses (`type = "camera"`, `type = "camera_sim"`, ...)."""

from __future__ import annotations

from typing import Any, Protocol

from hardware.adapters.alarm_input import AlarmInputAdapter
from hardware.adapters.base import AdapterOptionError, DeviceAdapter
from hardware.adapters.camera import CameraAdapter
from hardware.adapters.fire_panel import FirePanelAdapter
from hardware.adapters.intrusion_panel import IntrusionPanelAdapter
from hardware.adapters.pa import PaAdapter
from hardware.adapters.patrol_reader import PatrolReaderAdapter
from hardware.simulators.alarm_input_sim import SimulatedAlarmInput
from hardware.simulators.camera_sim import SimulatedCamera
from hardware.simulators.fire_panel_sim import SimulatedFirePanel
from hardware.simulators.intrusion_panel_sim import SimulatedIntrusionPanel
from hardware.simulators.pa_sim import SimulatedPa
from hardware.simulators.patrol_reader_sim import SimulatedPatrolReader


class _Factory(Protocol):
    def __call__(self, device_id: str, options: dict[str, Any]) -> DeviceAdapter: ...


ADAPTER_TYPES: dict[str, _Factory] = {
    "camera": CameraAdapter.from_options,
    "pa": PaAdapter.from_options,
    "alarm_input": AlarmInputAdapter.from_options,
    "patrol_reader": PatrolReaderAdapter.from_options,
    "intrusion_panel": IntrusionPanelAdapter.from_options,
    "fire_panel": FirePanelAdapter.from_options,
    "camera_sim": SimulatedCamera.from_options,
    "pa_sim": SimulatedPa.from_options,
    "alarm_input_sim": SimulatedAlarmInput.from_options,
    "patrol_reader_sim": SimulatedPatrolReader.from_options,
    "intrusion_panel_sim": SimulatedIntrusionPanel.from_options,
    "fire_panel_sim": SimulatedFirePanel.from_options,
}


def make_adapter(type_name: str, device_id: str, options: dict[str, Any]) -> DeviceAdapter:
    """Build one adapter; raises AdapterOptionError naming what is wrong."""
    factory = ADAPTER_TYPES.get(type_name)
    if factory is None:
        raise AdapterOptionError(
            f"unknown adapter type {type_name!r} (known: {', '.join(sorted(ADAPTER_TYPES))})"
        )
    return factory(device_id, dict(options))
