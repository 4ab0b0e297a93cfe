"""Simulated alarm inputs that raise alarms at a configurable rate (a Poisson process)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from hardware.adapters.base import DeviceAdapter, DeviceEvent, no_more, take
from services.protocol.agent_messages import DeviceStatus


class SimulatedAlarmInput(DeviceAdapter):
    kind = "alarm_input"

    def __init__(
        self,
        device_id: str,
        rate_per_h: float = 0.0,
        event_kind: str = "alarm",
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(device_id)
        self.rate_per_h = rate_per_h
        self.event_kind = event_kind
        self._rng = rng or random.Random()
        self.raised = 0

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> SimulatedAlarmInput:
        rate = take(options, "rate_per_h", float, 0.0)
        kind = take(options, "event_kind", str, "alarm")
        no_more(options)
        return cls(device_id, rate, kind)

    def press(self) -> None:
        """Raise one alarm now (the fleet's control channel and tests use this)."""
        self.raised += 1
        self.emit(
            DeviceEvent(
                kind=self.event_kind,
                priority="alarm" if self.event_kind == "alarm" else "normal",
                details={"input": self.device_id, "simulated": True},
            )
        )

    async def run(self) -> None:
        if self.rate_per_h <= 0:
            await asyncio.Event().wait()
        while True:
            await asyncio.sleep(self._rng.expovariate(self.rate_per_h / 3600.0))
            self.press()

    async def health(self) -> DeviceStatus:
        return self.status("ok")
