"""A simulated camera that develops faults: offline spells and slow (degraded) answers."""

from __future__ import annotations

import random
import time
from typing import Any

from hardware.adapters.base import DeviceAdapter, no_more, take
from services.protocol.agent_messages import DeviceStatus


class SimulatedCamera(DeviceAdapter):
    kind = "camera"

    def __init__(
        self,
        device_id: str,
        fault_rate_per_h: float = 0.0,
        fault_duration_s: float = 60.0,
        degraded_fraction: float = 0.0,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(device_id)
        self.fault_rate_per_h = fault_rate_per_h
        self.fault_duration_s = fault_duration_s
        self.degraded_fraction = degraded_fraction
        self._rng = rng or random.Random()
        self._fault_until = 0.0
        self._last_check = time.monotonic()
        self.forced_fault: str | None = None  # set by tests and the fleet to force a fault now

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> SimulatedCamera:
        rate = take(options, "fault_rate_per_h", float, 0.0)
        duration = take(options, "fault_duration_s", float, 60.0)
        degraded = take(options, "degraded_fraction", float, 0.0)
        no_more(options)
        return cls(device_id, rate, duration, degraded)

    async def health(self) -> DeviceStatus:
        now = time.monotonic()
        elapsed, self._last_check = now - self._last_check, now
        if self.forced_fault is not None:
            return self.status("fault", self.forced_fault)
        if now < self._fault_until:
            return self.status("fault", "simulated: stream not answering")
        # A fault starts in this interval with probability rate * elapsed (Poisson, small rates).
        if self._rng.random() < self.fault_rate_per_h * elapsed / 3600.0:
            self._fault_until = now + self._rng.expovariate(1.0 / self.fault_duration_s)
            return self.status("fault", "simulated: stream not answering")
        if self._rng.random() < self.degraded_fraction:
            return self.status("degraded", "simulated: slow answer")
        return self.status("ok")
