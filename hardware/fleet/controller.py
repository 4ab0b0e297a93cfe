"""The fleet controller: starts the worker processes, enrolls the agents, and drives them.

`Fleet` runs in the caller's process (the fleet CLI, the benchmark, the console's demo mode) and
talks to its workers over a loopback control channel: `request_all(op, ...)` sends one request to
every worker and returns their answers, so a benchmark can say "raise K events now" and collect
per-agent results.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
import zmq

from hardware.fleet.admin import HubAdmin
from hardware.fleet.limits import raise_fd_limit
from hardware.fleet.spec import AgentSlot, Behaviour, WorkerSpec, agent_folder

log = logging.getLogger(__name__)

_json = msgspec.json.Encoder()
_decode = msgspec.json.Decoder(dict[str, Any])


class FleetError(RuntimeError):
    pass


class Fleet:
    def __init__(
        self,
        folder: Path,
        schools: list[str],
        *,
        agent_endpoint: str,
        enroll_endpoint: str,
        hub_public_key: bytes,
        processes: int = 2,
        behaviour: Behaviour | None = None,
        seed: int = 0,
    ) -> None:
        if not schools:
            raise FleetError("a fleet needs at least one school")
        self.folder = folder
        self.schools = schools
        self.agent_endpoint = agent_endpoint
        self.enroll_endpoint = enroll_endpoint
        self.hub_public_key = hub_public_key
        self.processes = max(1, min(processes, len(schools)))
        self.behaviour = behaviour or Behaviour()
        self.seed = seed
        self._ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context()
        self._control: zmq.Socket[bytes] = self._ctx.socket(zmq.ROUTER)
        self._control.linger = 0
        port = self._control.bind_to_random_port("tcp://127.0.0.1")
        self._control_endpoint = f"tcp://127.0.0.1:{port}"
        self._workers: dict[int, bytes] = {}  # worker index -> routing id
        self._procs: list[subprocess.Popen[bytes]] = []
        self._req = 0

    # --- processes ----------------------------------------------------------------------

    def slices(self) -> list[list[str]]:
        return [self.schools[i :: self.processes] for i in range(self.processes)]

    def store_file(self, index: int) -> Path:
        """Worker *index*'s shared agent store. Named by the slicing too: with another process count
        a school belongs to another worker, and must not find another school's rows."""
        return self.folder / "stores" / f"worker-{index}-of-{self.processes}.db"

    def spawn(self, timeout_s: float = 60.0) -> None:
        """Start the worker processes (agents are not started yet) and wait until they report."""
        raise_fd_limit()
        self.folder.mkdir(parents=True, exist_ok=True)
        for index, schools in enumerate(self.slices()):
            spec = WorkerSpec(
                index=index,
                control_endpoint=self._control_endpoint,
                agent_endpoint=self.agent_endpoint,
                enroll_endpoint=self.enroll_endpoint,
                hub_public_key=self.hub_public_key.decode(),
                agents=[AgentSlot(school=s, folder=str(agent_folder(self.folder, s))) for s in schools],
                behaviour=self.behaviour,
                seed=self.seed,
                store_file=str(self.store_file(index)) if self.behaviour.store == "shared" else "",
            )
            spec_path = self.folder / f"worker-{index}.json"
            spec_path.write_bytes(msgspec.json.encode(spec))
            self._procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "hardware.fleet.worker", str(spec_path)],
                    cwd=str(Path(__file__).resolve().parents[2]),
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
            )
        deadline = time.monotonic() + timeout_s
        while len(self._workers) < self.processes:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._control.poll(int(remaining * 1000)):
                raise FleetError(f"only {len(self._workers)} of {self.processes} fleet workers started")
            routing_id, frame = self._control.recv_multipart()
            message = _decode.decode(frame)
            if message.get("op") == "ready":
                self._workers[int(message["worker"])] = routing_id

    def request_all(self, op: str, timeout_s: float = 120.0, **args: Any) -> list[dict[str, Any]]:
        """Send one request to every worker; return their answers (ordered by worker index)."""
        self._req += 1
        req = self._req
        for routing_id in self._workers.values():
            self._control.send_multipart([routing_id, _json.encode({"op": op, "req": req, **args})])
        answers: dict[int, dict[str, Any]] = {}
        deadline = time.monotonic() + timeout_s
        while len(answers) < len(self._workers):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._control.poll(int(remaining * 1000)):
                raise FleetError(f"{op}: {len(answers)} of {len(self._workers)} workers answered in time")
            _rid, frame = self._control.recv_multipart()
            message = _decode.decode(frame)
            if message.get("req") != req:
                continue  # a late answer to an earlier, timed-out request
            if "error" in message:
                raise FleetError(f"worker {message['worker']}: {op} failed: {message['error']}")
            answers[int(message["worker"])] = message
        return [answers[i] for i in sorted(answers)]

    # --- enrollment ---------------------------------------------------------------------

    def enrolled_file(self) -> Path:
        return self.folder / "enrolled.json"

    def enroll(self, admin: HubAdmin, concurrency: int = 48) -> int:
        """Enroll every agent not yet enrolled: tokens from the hub, the real enroll flow, accept.

        Returns how many agents were newly enrolled. Enrolled schools are remembered in the folder
        (their keys stay there), so a second run starts at once.
        """
        done: dict[str, str] = {}
        if self.enrolled_file().exists():
            done = json.loads(self.enrolled_file().read_text())
        todo = [
            s
            for s in self.schools
            if s not in done or not (agent_folder(self.folder, s) / "agent.key").exists()
        ]
        if not todo:
            return 0
        tokens = admin.create_tokens(todo)
        answers = self.request_all(
            # The hub answers "busy" past 64 enrollments in flight: stay under it in total.
            "enroll",
            timeout_s=1800.0,
            tokens=tokens,
            concurrency=max(1, concurrency // self.processes),
        )
        results: dict[str, dict[str, Any]] = {}
        for answer in answers:
            results.update(answer["results"])
        bad = {s: r for s, r in results.items() if r["status"] not in ("pending", "accepted")}
        if bad:
            sample = dict(list(bad.items())[:3])
            raise FleetError(f"{len(bad)} agents could not enroll, e.g. {sample}")
        admin.accept([r["key"] for r in results.values() if r["status"] == "pending"])
        done.update({s: r["key"] for s, r in results.items()})
        self.enrolled_file().write_text(json.dumps(done))
        return len(results)

    # --- running ------------------------------------------------------------------------

    def start_agents(self) -> int:
        return sum(int(a["started"]) for a in self.request_all("start", timeout_s=600.0))

    def status(self) -> dict[str, Any]:
        answers = self.request_all("status", timeout_s=60.0)
        total: dict[str, Any] = {"agents": 0, "connected": 0, "sessions": 0, "backlog": 0, "events_raised": 0}
        for answer in answers:
            for key in total:
                total[key] += int(answer[key])
        return total

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop the agents (clean bye-less exit), then the processes: TERM, then KILL."""
        if self._workers:
            try:
                self.request_all("stop", timeout_s=timeout_s)
            except FleetError as exc:
                log.warning("fleet stop: %s", exc)
        for proc in self._procs:
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._procs.clear()
        self._workers.clear()
        self._control.close(linger=0)
        self._ctx.term()

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
