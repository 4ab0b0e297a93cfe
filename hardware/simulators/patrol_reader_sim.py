"""A simulated patrol reader: a guard scans the checkpoints in order at a configurable pace, and
misses some (each miss is a "patrol_missed" alarm at that checkpoint)."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from hardware.adapters.alarm_event import PATROL_MISSED, alarm_event
from hardware.adapters.base import DeviceAdapter, DeviceEvent, no_more, take
from hardware.simulators.alarm_source import SimulatedAlarmSource, make_rng
from services.protocol.agent_messages import DeviceStatus


class SimulatedPatrolReader(SimulatedAlarmSource, DeviceAdapter):
    kind = "patrol_reader"
    alarm_types = frozenset({PATROL_MISSED})

    def __init__(
        self,
        device_id: str,
        checkpoints: list[str] | None = None,
        scan_interval_s: float = 0.0,
        miss_fraction: float = 0.0,
        rng: random.Random | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__(device_id)
        self.checkpoints = checkpoints or ["gate", "playground", "dormitory", "canteen"]
        self.scan_interval_s = scan_interval_s
        self.miss_fraction = miss_fraction
        self._rng = make_rng(seed, rng)
        self._next = 0

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> SimulatedPatrolReader:
        checkpoints = take(options, "checkpoints", list, None)
        interval = take(options, "scan_interval_s", float, 0.0)
        miss = take(options, "miss_fraction", float, 0.0)
        seed = take(options, "seed", int, None)
        no_more(options)
        return cls(
            device_id, [str(c) for c in checkpoints] if checkpoints else None, interval, miss, seed=seed
        )

    def scan(self) -> None:
        checkpoint = self.checkpoints[self._next % len(self.checkpoints)]
        self._next += 1
        if self._rng.random() < self.miss_fraction:
            self._missed(checkpoint)
            return
        self.emit(
            DeviceEvent(
                kind="patrol_checkpoint",
                details={"checkpoint": checkpoint, "guard": "sim", "scanned_at": time.time()},
            )
        )

    def _missed(self, checkpoint: str) -> None:
        self.emit(alarm_event(PATROL_MISSED, checkpoint, checkpoint=checkpoint, simulated=True))

    def trigger(self, alarm_type: str) -> None:
        """The next checkpoint on the round is missed."""
        checkpoint = self.checkpoints[self._next % len(self.checkpoints)]
        self._next += 1
        self._missed(checkpoint)

    async def run(self) -> None:
        if self.scan_interval_s <= 0:
            await asyncio.Event().wait()
        while True:
            await asyncio.sleep(self.scan_interval_s * self._rng.uniform(0.8, 1.2))
            self.scan()

    async def health(self) -> DeviceStatus:
        return self.status("ok")
