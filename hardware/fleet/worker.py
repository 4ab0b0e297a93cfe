"""One fleet worker process: a slice of the fleet's agents on one asyncio loop, driven by the controller.

Run as `python -m hardware.fleet.worker SPEC.json`. The worker connects a plain DEALER to the
controller's control ROUTER (loopback only) and answers JSON requests: enroll, start, status,
raise (events now), alarm (alarms of given types at given schools, through their simulated
devices), flood (start an alarm flood), burst_status, drop, camera_fault, outbox, stop.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import logging
import random
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
import zmq
import zmq.asyncio

from hardware.adapters.alarm_event import MANUAL, alarm_event
from hardware.adapters.base import DeviceAdapter
from hardware.agent.agent import SchoolAgent
from hardware.agent.config import AgentConfig
from hardware.agent.enroll import EnrollmentError, enroll
from hardware.agent.group_commit import GroupCommitDb, open_group_db
from hardware.fleet.flood import PlannedAlarm, flood_plan
from hardware.fleet.limits import raise_fd_limit
from hardware.fleet.spec import AgentSlot, Flood, WorkerSpec
from hardware.simulators.alarm_input_sim import SimulatedAlarmInput
from hardware.simulators.alarm_source import SimulatedAlarmSource
from hardware.simulators.camera_sim import SimulatedCamera
from hardware.simulators.fire_panel_sim import SimulatedFirePanel
from hardware.simulators.intrusion_panel_sim import SimulatedIntrusionPanel
from hardware.simulators.pa_sim import SimulatedPa
from hardware.simulators.patrol_reader_sim import SimulatedPatrolReader
from hardware.supervisor import SupervisorPolicy
from services.protocol import keys
from services.protocol.agent_messages import Status

log = logging.getLogger(__name__)

DEMO_PA_ZONES = ("教学楼", "操场")  # the simulated schools' PA zones besides "all"

_json = msgspec.json.Encoder()
_decode = msgspec.json.Decoder(dict[str, Any])


class FleetWorker:
    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed + spec.index)
        self.agents: dict[str, SchoolAgent] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.ctx = zmq.asyncio.Context(io_threads=1)
        # Each agent holds a DEALER and its monitor pair (3 sockets); the default limit is 1023 sockets.
        self.ctx.set(zmq.MAX_SOCKETS, 3 * len(spec.agents) + 256)
        self._stop = asyncio.Event()
        self._background: set[asyncio.Task[Any]] = set()
        self._profiler: cProfile.Profile | None = None
        self.store: GroupCommitDb | None = None
        self.flood_raised = 0

    # --- agents -------------------------------------------------------------------------

    def _config(self, slot: AgentSlot) -> AgentConfig:
        b = self.spec.behaviour
        folder = Path(slot.folder)
        return AgentConfig(
            school=slot.school,
            agent_endpoint=self.spec.agent_endpoint,
            enroll_endpoint=self.spec.enroll_endpoint,
            hub_public_key=self.spec.hub_public_key.encode(),
            key_file=folder / "agent.key",
            outbox=folder / "outbox.db",
            hello_timeout_s=b.hello_timeout_s,
            backoff_initial_s=b.backoff_initial_s,
            backoff_max_s=b.backoff_max_s,
            health_poll_s=b.health_poll_s,
            zmq_heartbeat_s=b.zmq_heartbeat_s,
            outbox_sync="normal",  # thousands of outboxes share one disk: survive a crash, not a power cut
        )

    def _adapters(self, slot: AgentSlot) -> list[DeviceAdapter]:
        b = self.spec.behaviour
        rng = random.Random(self.rng.random())
        adapters: list[DeviceAdapter] = [
            SimulatedCamera(
                f"cam-{i + 1}",
                b.camera_fault_rate_per_h,
                b.camera_fault_s,
                rng=rng,
                tamper_rate_per_h=b.camera_tamper_rate_per_h,
                loss_after=b.camera_loss_after_polls,
            )
            for i in range(b.cameras_per_school)
        ]
        pa_log = Path(slot.folder) / "pa.jsonl" if b.pa_log else None
        record_dir = Path(slot.folder) / "pa-wav" if b.pa_record else None
        # Zoned like a real campus: the teaching building and the playground everywhere, and
        # dormitories at the boarding schools (about a third).
        zones = ["all", *DEMO_PA_ZONES, *(["宿舍楼"] if rng.random() < 0.3 else [])]
        adapters.append(SimulatedPa("pa-1", pa_log, record_dir=record_dir, zones=zones))
        # Every school has every alarm source, so any alarm type can be raised anywhere on request.
        adapters.append(SimulatedAlarmInput("alarm-1", b.alarm_rate_per_h, rng=rng, location="校门"))
        adapters.append(SimulatedIntrusionPanel("intrusion-1", rate_per_h=b.intrusion_rate_per_h, rng=rng))
        adapters.append(SimulatedFirePanel("fire-1", rate_per_h=b.fire_rate_per_h, rng=rng))
        scan_s = b.patrol_scan_s or (600.0 if b.patrol_missed_rate_per_h > 0 else 0.0)
        miss = min(1.0, b.patrol_missed_rate_per_h * scan_s / 3600.0)
        adapters.append(
            SimulatedPatrolReader("patrol-1", scan_interval_s=scan_s, miss_fraction=miss, rng=rng)
        )
        return adapters

    async def start_agents(self) -> int:
        policy = SupervisorPolicy(poll_interval_s=self.spec.behaviour.health_poll_s)
        if self.spec.store_file and self.store is None:
            self.store = await asyncio.to_thread(open_group_db, Path(self.spec.store_file))
        for slot in self.spec.agents:
            if slot.school in self.agents:
                continue
            config = self._config(slot)
            try:
                pair = keys.load(config.key_file)
            except keys.KeyFileError as exc:
                log.error("agent %s not started: %s", slot.school, exc)
                continue
            agent = SchoolAgent(
                config,
                adapters=self._adapters(slot),
                context=self.ctx,
                keys=pair,
                supervisor_policy=policy,
                store=self.store,
            )
            self.agents[slot.school] = agent
            self.tasks[slot.school] = asyncio.create_task(agent.run(), name=f"agent-{slot.school}")
            await asyncio.sleep(0)  # let the loop breathe while thousands start
        if self.spec.behaviour.drop_fraction > 0:
            self._spawn(self._dropper())
        if self.spec.behaviour.flood is not None:
            self.start_flood(self.spec.behaviour.flood)
        # A real agent runs alone on its school's machine; here thousands share one interpreter,
        # and the collector's full passes over all of them stalled every agent of the process for
        # a large part of a second. What start-up built lives as long as the worker: freeze it.
        gc.freeze()
        return len(self.agents)

    # --- alarms ---------------------------------------------------------------------------

    def trigger_alarm(self, school: str, alarm_type: str) -> bool:
        """Raise one alarm of *alarm_type* at *school* through the simulated device that raises
        that type (a manual alarm as an operator's event); False when the school cannot."""
        agent = self.agents.get(school)
        if agent is None or agent.outbox is None:
            return False
        if alarm_type == MANUAL:
            details = alarm_event(MANUAL, "fleet").details
            agent.raise_event("alarm", priority="alarm", source="operator", details=details)
            return True
        for adapter in agent.adapters:
            if isinstance(adapter, SimulatedAlarmSource) and alarm_type in adapter.alarm_types:
                adapter.trigger(alarm_type)
                return True
        return False

    def raise_alarms(self, wanted: list[list[str]]) -> list[list[Any]]:
        """[[school, type], ...] -> [[school, type, raised_at], ...] for this worker's schools."""
        raised: list[list[Any]] = []
        for school, alarm_type in wanted:
            if school not in self.agents:
                continue
            at = time.time()
            if self.trigger_alarm(school, alarm_type):
                raised.append([school, alarm_type, at])
        return raised

    def start_flood(self, flood: Flood) -> int:
        """Start *flood* in the background; returns how many of its alarms are this worker's."""
        mine = [p for p in flood_plan(flood) if p.school in self.agents]
        self._spawn(self._flood(flood.start_after_s, mine))
        return len(mine)

    async def _flood(self, start_after_s: float, plan: list[PlannedAlarm]) -> None:
        # The agents open their outboxes asynchronously after start: the flood counts from then.
        involved = [self.agents[s] for s in {p.school for p in plan}]
        while any(agent.outbox is None for agent in involved):
            await asyncio.sleep(0.05)
        await asyncio.sleep(start_after_s)
        start = time.monotonic()
        for planned in plan:
            delay = start + planned.offset_s - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.trigger_alarm(planned.school, planned.alarm_type):
                self.flood_raised += 1

    async def _dropper(self) -> None:
        b = self.spec.behaviour
        while True:
            await asyncio.sleep(b.drop_every_s * self.rng.uniform(0.5, 1.5))
            self.drop(b.drop_fraction, b.drop_for_s)

    def drop(self, fraction: float, for_s: float) -> int:
        chosen = [a for a in self.agents.values() if self.rng.random() < fraction]
        for agent in chosen:
            if agent.connection is not None:
                agent.connection.drop(for_s * self.rng.uniform(0.5, 1.5), "simulated outage")
        return len(chosen)

    async def enroll_all(self, tokens: dict[str, str], concurrency: int) -> dict[str, Any]:
        gate = asyncio.Semaphore(concurrency)
        results: dict[str, Any] = {}

        async def one(slot: AgentSlot) -> None:
            config = self._config(slot)
            async with gate:
                try:
                    outcome = await enroll(
                        school=slot.school,
                        token=tokens[slot.school],
                        enroll_endpoint=config.enroll_endpoint,
                        hub_public_key=config.hub_public_key,
                        key_file=config.key_file,
                        wait_s=0.0,
                        reply_timeout_s=30.0,
                        context=self.ctx,
                        hostname=f"fleet-{self.spec.index}",
                    )
                    results[slot.school] = {"status": outcome.status, "key": outcome.public_key.decode()}
                except EnrollmentError as exc:
                    results[slot.school] = {"status": "error", "detail": str(exc)}

        await asyncio.gather(*(one(s) for s in self.spec.agents if s.school in tokens))
        return results

    # --- control channel ----------------------------------------------------------------

    async def serve(self) -> None:
        control = self.ctx.socket(zmq.DEALER)
        control.linger = 0
        control.connect(self.spec.control_endpoint)
        await control.send(
            _json.encode({"op": "ready", "worker": self.spec.index, "agents": len(self.spec.agents)})
        )
        recv: asyncio.Future[list[bytes]] | None = None
        stop_wait = asyncio.ensure_future(self._stop.wait())
        try:
            while not self._stop.is_set():
                recv = asyncio.ensure_future(control.recv_multipart())
                done, _ = await asyncio.wait({recv, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
                if recv not in done:
                    break
                request = _decode.decode(recv.result()[-1])
                self._spawn(self._answer(control, request))
        finally:
            if recv is not None and not recv.done():
                recv.cancel()
            stop_wait.cancel()
            await self.stop_agents()
            control.close(linger=1000)  # let the answer to "stop" leave first
            self.ctx.destroy(linger=0)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _answer(self, control: zmq.asyncio.Socket, request: dict[str, Any]) -> None:
        op = request.get("op", "")
        reply: dict[str, Any] = {"op": op, "worker": self.spec.index, "req": request.get("req")}
        try:
            reply.update(await self._handle(op, request))
        except Exception as exc:  # the controller gets the reason; the worker keeps running
            log.exception("fleet worker %d: %s failed", self.spec.index, op)
            reply["error"] = f"{type(exc).__name__}: {exc}"
        await control.send(_json.encode(reply))
        if op == "stop":
            self._stop.set()

    async def _handle(self, op: str, request: dict[str, Any]) -> dict[str, Any]:
        if op == "enroll":
            return {"results": await self.enroll_all(request["tokens"], int(request.get("concurrency", 16)))}
        if op == "start":
            return {"started": await self.start_agents()}
        if op == "status":
            return self.status(bool(request.get("per_agent", False)))
        if op == "raise":
            return {
                "events": self.raise_events(
                    int(request.get("per_agent", 1)), request.get("priority", "alarm")
                )
            }
        if op == "alarm":
            return {"raised": self.raise_alarms(request.get("alarms", []))}
        if op == "flood":
            return {"planned": self.start_flood(msgspec.convert(request.get("flood"), Flood))}
        if op == "burst_status":
            return {"sent": self.burst_status(int(request.get("per_agent", 1)))}
        if op == "drop":
            return {
                "dropped": self.drop(float(request.get("fraction", 0.1)), float(request.get("for_s", 5.0)))
            }
        if op == "camera_fault":
            return {
                "cameras": self.camera_fault(
                    float(request.get("fraction", 0.1)), bool(request.get("on", True))
                )
            }
        if op == "outbox":
            return {"outbox": {s: a.outbox.event_count() if a.outbox else -1 for s, a in self.agents.items()}}
        if op == "profile":
            self.profile(bool(request.get("on", False)), str(request.get("path", "")))
            return {"cpu_s": time.process_time()}
        if op == "cpu":
            return {"cpu_s": time.process_time()}
        if op == "stop":
            return {"stopped": len(self.agents)}
        raise ValueError(f"unknown fleet op {op!r}")

    def profile(self, on: bool, path: str) -> None:
        """Profile this worker's loop (cProfile) from one request to the next; stats go to *path*.N."""
        if on:
            if self._profiler is None:
                self._profiler = cProfile.Profile()
                self._profiler.enable()
            return
        if self._profiler is not None:
            self._profiler.disable()
            if path:
                self._profiler.dump_stats(f"{path}.{self.spec.index}")
            self._profiler = None

    def status(self, per_agent: bool) -> dict[str, Any]:
        agents = self.agents.values()
        result: dict[str, Any] = {
            "agents": len(self.agents),
            "connected": sum(1 for a in agents if a.connected),
            "sessions": sum(a.connection.sessions for a in agents if a.connection is not None),
            "backlog": sum(a.outbox.event_count() for a in agents if a.outbox is not None),
            "events_raised": sum(a.events_raised for a in agents),
            "flood_raised": self.flood_raised,
            "time": time.time(),
        }
        if per_agent:
            result["per_agent"] = {s: {"connected": a.connected} for s, a in self.agents.items()}
        return result

    def raise_events(self, per_agent: int, priority: str) -> dict[str, list[str]]:
        raised: dict[str, list[str]] = {}
        # Alarms carry a type like every alarm on the wire; "manual": raised on purpose, not by a device.
        details = alarm_event(MANUAL, "fleet").details if priority == "alarm" else {}
        for school, agent in self.agents.items():
            if agent.outbox is None:
                continue
            raised[school] = [
                agent.raise_event(
                    "alarm" if priority == "alarm" else "drill_note",
                    priority=priority,
                    source="fleet",
                    details=dict(details),
                )
                for _ in range(per_agent)
            ]
        return raised

    def burst_status(self, per_agent: int) -> int:
        sent = 0
        for agent in self.agents.values():
            if agent.connection is None or agent.outbox is None:
                continue
            devices = agent.outbox.all_status()
            for _ in range(per_agent):
                sent += agent.connection.send(Status, devices=devices)
        return sent

    def camera_fault(self, fraction: float, on: bool) -> int:
        count = 0
        for agent in self.agents.values():
            for adapter in agent.adapters:
                if isinstance(adapter, SimulatedCamera) and (not on or self.rng.random() < fraction):
                    adapter.forced_fault = "simulated: camera unplugged" if on else None
                    count += 1
            if on or count:
                for supervisor in agent.supervisors:
                    supervisor.poll_now()
        return count

    async def stop_agents(self) -> None:
        for agent in self.agents.values():
            agent.stop()
        if self.tasks:
            await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        if self.store is not None:
            self.store.close()
            self.store = None
        for task in list(self._background):
            if task is not asyncio.current_task():
                task.cancel()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m hardware.fleet.worker SPEC.json", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s fleet-worker %(name)s: %(message)s"
    )
    # Thousands of agents losing the hub at once would print thousands of identical lines; the
    # controller's status shows the numbers.
    logging.getLogger("hardware.agent.connection").setLevel(logging.ERROR)
    raise_fd_limit()
    spec = msgspec.json.decode(Path(args[0]).read_bytes(), type=WorkerSpec)
    asyncio.run(FleetWorker(spec).serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
