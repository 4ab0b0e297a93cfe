"""Simulated alarm panels with zones (intrusion, fire): a zone trips at a configurable rate."""

from __future__ import annotations

import random
from typing import Any, ClassVar, Self

from hardware.adapters.alarm_event import alarm_event
from hardware.adapters.base import AdapterOptionError, DeviceAdapter, no_more, take
from hardware.simulators.alarm_source import SimulatedAlarmSource, at_poisson_rate, make_rng
from services.protocol.agent_messages import DeviceStatus


class SimulatedZonePanel(SimulatedAlarmSource, DeviceAdapter):
    kind = "alarm_input"
    alarm_type: ClassVar[str]
    default_zones: ClassVar[dict[str, str]]

    def __init__(
        self,
        device_id: str,
        zones: dict[str, str] | None = None,
        rate_per_h: float = 0.0,
        rng: random.Random | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__(device_id)
        self.alarm_types = frozenset({self.alarm_type})
        self.zones = dict(zones) if zones else dict(self.default_zones)
        self.rate_per_h = rate_per_h
        self._rng = make_rng(seed, rng)
        self.raised = 0

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> Self:
        zones = take(options, "zones", dict, {})
        rate = take(options, "rate_per_h", float, 0.0)
        seed = take(options, "seed", int, None)
        no_more(options)
        if not all(isinstance(v, str) for v in zones.values()):
            raise AdapterOptionError("option 'zones' must map zone ids to locations (text)")
        return cls(device_id, zones, rate, seed=seed)

    def trip(self, zone: str | None = None) -> None:
        """Trip *zone* (a random one when None): one alarm at its location."""
        chosen = zone if zone is not None else self._rng.choice(sorted(self.zones))
        self.raised += 1
        self.emit(alarm_event(self.alarm_type, self.zones.get(chosen, chosen), zone=chosen, simulated=True))

    def trigger(self, alarm_type: str) -> None:
        self.trip()

    async def run(self) -> None:
        await at_poisson_rate(self._rng, self.rate_per_h, self.trip)

    async def health(self) -> DeviceStatus:
        return self.status("ok")
