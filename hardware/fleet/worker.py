"""One fleet worker process: a slice of the fleet's agents on one asyncio loop, driven by the controller.

Run as `python -m hardware.fleet.worker SPEC.json`. The worker connects a plain DEALER to the
controller's control ROUTER (loopback only) and answers JSON requests: enroll, start, status,
raise (events now), burst_status, drop, camera_fault, outbox, stop.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
import zmq
import zmq.asyncio

from hardware.adapters.base import DeviceAdapter
from hardware.agent.agent import SchoolAgent
from hardware.agent.config import AgentConfig
from hardware.agent.enroll import EnrollmentError, enroll
from hardware.fleet.limits import raise_fd_limit
from hardware.fleet.spec import AgentSlot, WorkerSpec
from hardware.simulators.alarm_input_sim import SimulatedAlarmInput
from hardware.simulators.camera_sim import SimulatedCamera
from hardware.simulators.pa_sim import SimulatedPa
from hardware.simulators.patrol_reader_sim import SimulatedPatrolReader
from hardware.supervisor import SupervisorPolicy
from services.protocol import keys
from services.protocol.agent_messages import Status

log = logging.getLogger(__name__)

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
            SimulatedCamera(f"cam-{i + 1}", b.camera_fault_rate_per_h, b.camera_fault_s, rng=rng)
            for i in range(b.cameras_per_school)
        ]
        pa_log = Path(slot.folder) / "pa.jsonl" if b.pa_log else None
        adapters.append(SimulatedPa("pa-1", pa_log))
        adapters.append(SimulatedAlarmInput("alarm-1", b.alarm_rate_per_h, rng=rng))
        if b.patrol_scan_s > 0:
            adapters.append(SimulatedPatrolReader("patrol-1", scan_interval_s=b.patrol_scan_s, rng=rng))
        return adapters

    async def start_agents(self) -> int:
        policy = SupervisorPolicy(poll_interval_s=self.spec.behaviour.health_poll_s)
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
                config, adapters=self._adapters(slot), context=self.ctx, keys=pair, supervisor_policy=policy
            )
            self.agents[slot.school] = agent
            self.tasks[slot.school] = asyncio.create_task(agent.run(), name=f"agent-{slot.school}")
            await asyncio.sleep(0)  # let the loop breathe while thousands start
        if self.spec.behaviour.drop_fraction > 0:
            self._spawn(self._dropper())
        return len(self.agents)

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
        if op == "stop":
            return {"stopped": len(self.agents)}
        raise ValueError(f"unknown fleet op {op!r}")

    def status(self, per_agent: bool) -> dict[str, Any]:
        agents = self.agents.values()
        result: dict[str, Any] = {
            "agents": len(self.agents),
            "connected": sum(1 for a in agents if a.connected),
            "sessions": sum(a.connection.sessions for a in agents if a.connection is not None),
            "backlog": sum(a.outbox.event_count() for a in agents if a.outbox is not None),
            "events_raised": sum(a.events_raised for a in agents),
            "time": time.time(),
        }
        if per_agent:
            result["per_agent"] = {s: {"connected": a.connected} for s, a in self.agents.items()}
        return result

    def raise_events(self, per_agent: int, priority: str) -> dict[str, list[str]]:
        raised: dict[str, list[str]] = {}
        for school, agent in self.agents.items():
            if agent.outbox is None:
                continue
            raised[school] = [
                agent.raise_event(
                    "alarm" if priority == "alarm" else "drill_note", priority=priority, source="fleet"
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
