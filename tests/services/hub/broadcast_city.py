"""A small city for the broadcast and live voice tests: an in-process hub, real school agents with
simulated PAs (recording WAVs) on their own asyncio thread, and consoles, all over real sockets."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from hardware.agent.agent import SchoolAgent
from hardware.agent.config import AgentConfig
from hardware.agent.enroll import enroll
from hardware.broadcast.audio import pcm_from_wav
from hardware.broadcast.clip_store import bundled_clips
from hardware.simulators.pa_sim import SimulatedPa
from services.hub.server import Hub
from services.hub_client import HubClient
from services.protocol import keys

CHIME = "chime_routine"  # 2.0 s
EMERGENCY = "alert_emergency"  # 4.0 s


def bundled_sha(clip_id: str) -> str:
    return next(sha for sha, c in bundled_clips().items() if c.clip_id == clip_id)


def bundled_pcm(clip_id: str) -> bytes:
    return pcm_from_wav(bundled_clips()[bundled_sha(clip_id)].path.read_bytes())


class Schools:
    """School agents on one asyncio loop in a thread of their own (joined by close())."""

    def __init__(self, hub: Hub, folder: Path) -> None:
        self.hub = hub
        self.folder = folder
        self.pas: dict[str, SimulatedPa] = {}
        self.agents: dict[str, SchoolAgent] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="test-schools", daemon=True)
        self._thread.start()

    def _run(self, coro: Any, timeout: float = 30.0) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout)

    def enroll(self, school: str) -> None:
        self._run(self._enroll(school))

    async def _enroll(self, school: str) -> None:
        key_file = self.folder / school / "agent.key"
        token = await asyncio.to_thread(self.hub.create_enrollment_token, school, operator="test")
        common: dict[str, Any] = {
            "school": school,
            "token": token,
            "enroll_endpoint": self.hub.enroll_endpoint,
            "hub_public_key": self.hub.public_key,
            "key_file": key_file,
            "poll_interval_s": 0.1,
        }
        await enroll(**common, wait_s=0.5)
        await asyncio.to_thread(self.hub.decide_enrollment, keys.load(key_file).public, "accept", "test")
        assert (await enroll(**common, wait_s=5)).status == "accepted"

    def start(self, school: str) -> SimulatedPa:
        pa = self.pas.get(school) or SimulatedPa(
            "pa-1", record_dir=self.folder / school / "wav", zones=["all"], block_s=0.05
        )
        self.pas[school] = pa
        config = AgentConfig(
            school=school,
            agent_endpoint=self.hub.agent_endpoint,
            enroll_endpoint=self.hub.enroll_endpoint,
            hub_public_key=self.hub.public_key,
            key_file=self.folder / school / "agent.key",
            outbox=self.folder / school / "outbox.db",
            hello_timeout_s=2,
            backoff_initial_s=0.1,
            backoff_max_s=0.5,
            outbox_sync="normal",
        )

        async def launch() -> None:
            agent = SchoolAgent(config, adapters=[pa])
            self.agents[school] = agent
            self._tasks[school] = asyncio.create_task(agent.run())

        self._run(launch())
        self.wait(lambda: self.agents[school].connected, f"{school} connected")
        return pa

    def stop(self, school: str) -> None:
        agent = self.agents.pop(school)
        task = self._tasks.pop(school)

        async def halt() -> None:
            agent.stop()
            await asyncio.wait_for(task, 10)

        self._run(halt())

    @staticmethod
    def wait(predicate: Callable[[], Any], what: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.02)

    def heard(self, school: str, expect: int = 1, wait_s: float = 5.0) -> list[tuple[str, str, bytes]]:
        """(id, outcome, samples) of every finished playback at *school*, oldest first.

        The amplifier closes a stopped or interrupted recording on its writer thread, a moment
        after the agent has answered: wait (up to *wait_s*) for *expect* finished playbacks."""
        from tests.hardware.broadcast.helpers import read_wav

        pa = self.pas[school]
        deadline = time.monotonic() + wait_s
        while len(pa.played) < expect and time.monotonic() < deadline:
            time.sleep(0.02)
        folder = self.folder / school / "wav"
        return [(r.play_id, r.outcome, read_wav(folder / r.wav) if r.wav else b"") for r in pa.played]

    def close(self) -> None:
        for school in list(self.agents):
            self.stop(school)
        for pa in self.pas.values():
            self._run(pa.stop())
        self._run(_cancel_the_rest())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


async def _cancel_the_rest() -> None:
    """Cancel what the agents left running, so nothing is destroyed pending with the loop."""
    current = asyncio.current_task()
    rest = [t for t in asyncio.all_tasks() if t is not current]
    for task in rest:
        task.cancel()
    await asyncio.gather(*rest, return_exceptions=True)


def local_console(hub: Hub, key_dir: Path) -> HubClient:
    client = HubClient(
        hub.console_endpoint, hub.public_key, keys.load(key_dir / "cli.key"), "test console", "tester"
    )
    client.connect()
    return client


def wait_status(
    client: HubClient, broadcast_id: str, done: Callable[[dict[str, Any]], bool], timeout: float = 20.0
) -> list[dict[str, Any]]:
    """broadcast_status answers until *done* says so; every answer kept (the states seen)."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        status = client.request("broadcast_status", {"broadcast_id": broadcast_id})
        seen.append(status)
        if done(status):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"broadcast {broadcast_id} never got there: {status}")
        time.sleep(0.03)


def states(status: dict[str, Any]) -> dict[str, str]:
    return {d["school"]: d["state"] for d in status["deliveries"]}
