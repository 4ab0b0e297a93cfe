"""What every simulated alarm source shares: alarms on demand and alarms at a rate.

The fleet's control channel and the benchmarks raise an alarm of a given type at a school by asking
the school's simulated device that can raise it (`trigger`), so the alarm takes the same path as
a real one: adapter -> agent outbox -> hub. Background alarms follow a Poisson process at a
configurable rate, from a seeded random generator so a run can be repeated.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable


class SimulatedAlarmSource:
    """Mixin for simulated devices that raise alarms; `alarm_types` says which."""

    alarm_types: frozenset[str] = frozenset()

    def trigger(self, alarm_type: str) -> None:
        """Raise one alarm of *alarm_type* now (one of `alarm_types`)."""
        raise NotImplementedError


def make_rng(seed: int | None, rng: random.Random | None = None) -> random.Random:
    if rng is not None:
        return rng
    return random.Random(seed)


async def at_poisson_rate(rng: random.Random, rate_per_h: float, action: Callable[[], None]) -> None:
    """Call *action* at random moments, *rate_per_h* times an hour on average; forever."""
    if rate_per_h <= 0:
        await asyncio.Event().wait()
    while True:
        await asyncio.sleep(rng.expovariate(rate_per_h / 3600.0))
        action()
