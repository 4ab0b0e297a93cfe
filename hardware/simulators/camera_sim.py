"""A simulated camera that develops faults: offline spells, slow (degraded) answers and tampering.

Its health polls raise camera_loss and camera_tamper alarms by the same rules as the real camera
adapter (hardware/adapters/camera_alarms.py).
"""

from __future__ import annotations

import random
import time
from typing import Any

from hardware.adapters.alarm_event import CAMERA_LOSS, CAMERA_TAMPER
from hardware.adapters.base import DeviceAdapter, no_more, take
from hardware.adapters.camera_alarms import CameraAlarmWatch
from hardware.simulators.alarm_source import SimulatedAlarmSource, make_rng
from services.protocol.agent_messages import DeviceStatus


class SimulatedCamera(SimulatedAlarmSource, DeviceAdapter):
    kind = "camera"
    alarm_types = frozenset({CAMERA_TAMPER, CAMERA_LOSS})

    def __init__(
        self,
        device_id: str,
        fault_rate_per_h: float = 0.0,
        fault_duration_s: float = 60.0,
        degraded_fraction: float = 0.0,
        rng: random.Random | None = None,
        *,
        tamper_rate_per_h: float = 0.0,
        tamper_duration_s: float = 300.0,
        location: str = "",
        loss_after: int = 3,
        seed: int | None = None,
    ) -> None:
        super().__init__(device_id)
        self.fault_rate_per_h = fault_rate_per_h
        self.fault_duration_s = fault_duration_s
        self.degraded_fraction = degraded_fraction
        self.tamper_rate_per_h = tamper_rate_per_h
        self.tamper_duration_s = tamper_duration_s
        self.watch = CameraAlarmWatch(device_id, location, loss_after)
        self._rng = make_rng(seed, rng)
        self._fault_until = 0.0
        self._tamper_until = 0.0
        self._last_check = time.monotonic()
        self.forced_fault: str | None = None  # set by tests and the fleet to force a fault now
        self.forced_tamper = False

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> SimulatedCamera:
        rate = take(options, "fault_rate_per_h", float, 0.0)
        duration = take(options, "fault_duration_s", float, 60.0)
        degraded = take(options, "degraded_fraction", float, 0.0)
        tamper_rate = take(options, "tamper_rate_per_h", float, 0.0)
        tamper_duration = take(options, "tamper_duration_s", float, 300.0)
        location = take(options, "location", str, "")
        loss_after = take(options, "loss_after", int, 3)
        seed = take(options, "seed", int, None)
        no_more(options)
        return cls(
            device_id,
            rate,
            duration,
            degraded,
            tamper_rate_per_h=tamper_rate,
            tamper_duration_s=tamper_duration,
            location=location,
            loss_after=loss_after,
            seed=seed,
        )

    def trigger(self, alarm_type: str) -> None:
        """Tamper with the camera, or take it off the network, and raise the alarm at once (as if the
        detecting polls had just happened)."""
        now = time.monotonic()
        if alarm_type == CAMERA_TAMPER:
            self._tamper_until = now + self.tamper_duration_s
            self.watch.tampered = False  # a new tampering episode
            events = self.watch.observe(True, True, "simulated: view blocked")
        else:
            self._fault_until = now + self.fault_duration_s
            self.watch.missed = self.watch.loss_after - 1
            events = self.watch.observe(False, detail="simulated: stream not answering")
        for event in events:
            self.emit(event)

    async def health(self) -> DeviceStatus:
        status = self._health()
        answered = status.state != "fault"
        tampered = answered and (self.forced_tamper or time.monotonic() < self._tamper_until)
        for event in self.watch.observe(answered, tampered if answered else None, status.detail):
            self.emit(event)
        if tampered:
            return self.status("degraded", "simulated: tampering detected")
        return status

    def _health(self) -> DeviceStatus:
        now = time.monotonic()
        elapsed, self._last_check = now - self._last_check, now
        if self.forced_fault is not None:
            return self.status("fault", self.forced_fault)
        if now < self._fault_until:
            return self.status("fault", "simulated: stream not answering")
        # A fault or tampering starts in this interval with probability rate * elapsed (Poisson,
        # small rates).
        if self._rng.random() < self.fault_rate_per_h * elapsed / 3600.0:
            self._fault_until = now + self._rng.expovariate(1.0 / self.fault_duration_s)
            return self.status("fault", "simulated: stream not answering")
        if self.tamper_rate_per_h > 0 and self._rng.random() < self.tamper_rate_per_h * elapsed / 3600.0:
            self._tamper_until = now + self._rng.expovariate(1.0 / self.tamper_duration_s)
        if self._rng.random() < self.degraded_fraction:
            return self.status("degraded", "simulated: slow answer")
        return self.status("ok")
