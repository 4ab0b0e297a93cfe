"""Adapters run supervised: a crash or a hang is reported as a device fault and the adapter restarted.

Each adapter gets one supervisor task: start it, run its background work, poll its health on a
timer. An exception (from start, run or health) or a health check that does not answer in time is a
fault: reported once as a `device_fault` event plus a "restarting" status, the adapter stopped and
started again after a jittered back-off. Past `max_restarts` within `restart_window_s` the
supervisor gives up for `give_up_s` (status "fault"), then tries again: a school is never left
needing a site visit just because a device was flaky for a while. Nothing an adapter does can take
the agent down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from hardware.adapters.base import DeviceAdapter, DeviceEvent
from hardware.agent.backoff import Backoff
from services.protocol.agent_messages import DeviceStatus

POLL_JITTER = 0.25  # each health poll waits the policy's interval +-25 %

log = logging.getLogger(__name__)

StatusSink = Callable[[DeviceStatus], None]
EventSink = Callable[[DeviceAdapter, DeviceEvent], None]


@dataclass(frozen=True, slots=True)
class SupervisorPolicy:
    poll_interval_s: float = 30.0
    health_timeout_s: float = 10.0
    start_timeout_s: float = 15.0
    stop_timeout_s: float = 5.0
    max_restarts: int = 5
    restart_window_s: float = 600.0
    give_up_s: float = 600.0
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0


class _AdapterFault(Exception):
    pass


class AdapterSupervisor:
    def __init__(
        self,
        adapter: DeviceAdapter,
        on_status: StatusSink,
        on_event: EventSink,
        policy: SupervisorPolicy | None = None,
    ) -> None:
        self.adapter = adapter
        self.policy = policy or SupervisorPolicy()
        self._on_status = on_status
        self._on_event = on_event
        self._backoff = Backoff(self.policy.backoff_initial_s, self.policy.backoff_max_s)
        self._restarts: list[float] = []
        self._faulted = False
        self._last: DeviceStatus | None = None
        self.restart_count = 0
        self._poll_now = asyncio.Event()

    @property
    def last_status(self) -> DeviceStatus | None:
        return self._last

    def poll_now(self) -> None:
        """Check health at once (e.g. for a device_check command)."""
        self._poll_now.set()

    def _report(self, status: DeviceStatus) -> None:
        if status != self._last:
            self._last = status
            self._on_status(status)

    async def run(self) -> None:
        adapter = self.adapter
        while True:
            try:
                await self._run_once()
            except asyncio.CancelledError:
                await self._stop_adapter()
                raise
            except Exception as exc:
                detail = _describe(exc)
                if not self._faulted:
                    # Log and report once per outage, not once per failed restart.
                    self._faulted = True
                    log.warning(
                        "device %s (%s) failed: %s; restarting", adapter.device_id, adapter.kind, detail
                    )
                    self._on_event(
                        adapter,
                        DeviceEvent(
                            kind="device_fault", details={"device": adapter.device_id, "detail": detail}
                        ),
                    )
                await self._stop_adapter()
                now = time.monotonic()
                self._restarts = [t for t in self._restarts if now - t < self.policy.restart_window_s]
                if len(self._restarts) >= self.policy.max_restarts:
                    log.warning(
                        "device %s: %d restarts in %g s, giving up for %g s",
                        adapter.device_id,
                        len(self._restarts),
                        self.policy.restart_window_s,
                        self.policy.give_up_s,
                    )
                    self._report(
                        adapter.status("fault", f"gave up after {len(self._restarts)} restarts: {detail}")
                    )
                    await asyncio.sleep(self.policy.give_up_s)
                    self._restarts.clear()
                    self._backoff.reset()
                else:
                    self._report(adapter.status("restarting", detail))
                    await asyncio.sleep(self._backoff.next_delay())
                self._restarts.append(time.monotonic())
                self.restart_count += 1

    async def _run_once(self) -> None:
        adapter = self.adapter
        policy = self.policy
        try:
            await asyncio.wait_for(adapter.start(), policy.start_timeout_s)
        except TimeoutError:
            raise _AdapterFault(f"start did not finish in {policy.start_timeout_s:g} s") from None
        work = asyncio.create_task(adapter.run(), name=f"adapter-{adapter.device_id}")
        try:
            healthy_polls = 0
            while True:
                status = await self._check_health(work)
                healthy_polls = healthy_polls + 1 if status.state in ("ok", "degraded") else 0
                # Recovered only after surviving a whole poll interval: a crash loop that starts
                # fine and dies a moment later is one outage, not a string of recoveries.
                if healthy_polls >= 2 and self._faulted:
                    self._faulted = False
                    self._backoff.reset()
                    log.info("device %s recovered", adapter.device_id)
                    self._on_event(
                        adapter, DeviceEvent(kind="device_recovered", details={"device": adapter.device_id})
                    )
                self._report(status)
                self._poll_now.clear()
                waiter = asyncio.create_task(self._poll_now.wait())
                # Jittered: thousands of agents started together in one fleet process would
                # otherwise poll all their devices in the same instant, every interval, and stall
                # the loop that also carries their alarms.
                interval = policy.poll_interval_s * random.uniform(1 - POLL_JITTER, 1 + POLL_JITTER)
                done, _ = await asyncio.wait(
                    {work, waiter}, timeout=interval, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                if work in done:
                    self._raise_from(work)
        finally:
            if not work.done():
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await work

    async def _check_health(self, work: asyncio.Task[None]) -> DeviceStatus:
        if work.done():
            self._raise_from(work)
        try:
            return await asyncio.wait_for(self.adapter.health(), self.policy.health_timeout_s)
        except TimeoutError:
            raise _AdapterFault(
                f"health check hung for more than {self.policy.health_timeout_s:g} s"
            ) from None

    @staticmethod
    def _raise_from(work: asyncio.Task[None]) -> None:
        exc = work.exception() if not work.cancelled() else None
        if exc is not None:
            raise exc
        raise _AdapterFault("stopped unexpectedly")

    async def _stop_adapter(self) -> None:
        try:
            await asyncio.wait_for(self.adapter.stop(), self.policy.stop_timeout_s)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.info("device %s: stop failed: %s", self.adapter.device_id, _describe(exc))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, _AdapterFault):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
