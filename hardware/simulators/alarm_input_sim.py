"""A simulated contact alarm input (the gate's one-key alarm by default) raising alarms at a rate."""

from __future__ import annotations

import random
from typing import Any

from hardware.adapters.alarm_event import ONE_KEY, alarm_event, checked_alarm_type
from hardware.adapters.base import DeviceAdapter, DeviceEvent, no_more, take
from hardware.simulators.alarm_source import SimulatedAlarmSource, at_poisson_rate, make_rng
from services.protocol.agent_messages import DeviceStatus


class SimulatedAlarmInput(SimulatedAlarmSource, DeviceAdapter):
    kind = "alarm_input"

    def __init__(
        self,
        device_id: str,
        rate_per_h: float = 0.0,
        event_kind: str = "alarm",
        rng: random.Random | None = None,
        *,
        alarm_type: str = ONE_KEY,
        location: str = "",
        seed: int | None = None,
    ) -> None:
        super().__init__(device_id)
        self.rate_per_h = rate_per_h
        self.event_kind = event_kind
        self.alarm_type = checked_alarm_type(alarm_type)
        self.alarm_types = frozenset({self.alarm_type})
        self.location = location or device_id
        self._rng = make_rng(seed, rng)
        self.raised = 0

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> SimulatedAlarmInput:
        rate = take(options, "rate_per_h", float, 0.0)
        kind = take(options, "event_kind", str, "alarm")
        alarm_type = take(options, "alarm_type", str, ONE_KEY)
        location = take(options, "location", str, "")
        seed = take(options, "seed", int, None)
        no_more(options)
        return cls(device_id, rate, kind, alarm_type=alarm_type, location=location, seed=seed)

    def press(self) -> None:
        """Raise one alarm now (the fleet's control channel and tests use this)."""
        self.raised += 1
        if self.event_kind == "alarm":
            self.emit(alarm_event(self.alarm_type, self.location, input=self.device_id, simulated=True))
        else:
            self.emit(DeviceEvent(kind=self.event_kind, details={"input": self.device_id, "simulated": True}))

    def trigger(self, alarm_type: str) -> None:
        self.press()

    async def run(self) -> None:
        await at_poisson_rate(self._rng, self.rate_per_h, self.press)

    async def health(self) -> DeviceStatus:
        return self.status("ok")
