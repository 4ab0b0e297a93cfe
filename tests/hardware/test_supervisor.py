"""Adapter supervision: a crashing or hanging adapter is reported and restarted; the agent keeps going."""

import asyncio

import pytest

from hardware.adapters.base import DeviceAdapter
from hardware.agent.agent import SchoolAgent
from hardware.agent.config import AgentConfig
from hardware.supervisor import AdapterSupervisor, SupervisorPolicy
from services.protocol import keys
from tests.hardware.stand_in_hub import StandInHub, wait_for

FAST = SupervisorPolicy(
    poll_interval_s=0.05, health_timeout_s=0.2, backoff_initial_s=0.01, backoff_max_s=0.05, max_restarts=100
)


class CrashingCamera(DeviceAdapter):
    kind = "camera"

    def __init__(self, crashes):
        super().__init__("cam-crash")
        self.crashes = crashes
        self.starts = 0

    async def start(self):
        self.starts += 1

    async def run(self):
        if self.starts <= self.crashes:
            await asyncio.sleep(0.01)
            raise RuntimeError("decoder segfault (simulated)")
        await asyncio.Event().wait()

    async def health(self):
        return self.status("ok")


class HangingCamera(DeviceAdapter):
    kind = "camera"

    def __init__(self):
        super().__init__("cam-hang")
        self.starts = 0

    async def start(self):
        self.starts += 1

    async def health(self):
        if self.starts == 1:
            await asyncio.Event().wait()  # never answers
        return self.status("ok")


@pytest.mark.expect_log(r"device cam-crash \(camera\) failed: RuntimeError")
def test_a_crashing_adapter_is_reported_and_restarted_while_the_agent_heartbeats(tmp_path):
    async def scenario():
        hub = StandInHub(heartbeat_interval_s=0.05)
        await hub.start()
        camera = CrashingCamera(crashes=3)
        config = AgentConfig(
            school="QD-0002",
            agent_endpoint=hub.endpoint,
            enroll_endpoint=hub.endpoint,
            hub_public_key=hub.server.public,
            key_file=tmp_path / "k",
            outbox=tmp_path / "o.db",
            outbox_sync="normal",
        )
        agent = SchoolAgent(config, adapters=[camera], keys=keys.generate(), supervisor_policy=FAST)
        task = asyncio.create_task(agent.run())
        try:
            await wait_for(lambda: agent.connected, what="session")
            beats_before = 0
            await wait_for(lambda: camera.starts >= 4, what="restarts")
            beats_before = hub.agents["QD-0002"].heartbeats
            kinds = [e.kind for e in hub.events.values()]
            await wait_for(
                lambda: "device_recovered" in [e.kind for e in hub.events.values()], what="recovery"
            )
            kinds = [e.kind for e in hub.events.values()]
            assert kinds.count("device_fault") == 1  # once per outage, not per restart
            states = [d.state for s in hub.agents["QD-0002"].statuses for d in s.devices]
            assert "restarting" in states and states[-1] == "ok"
            await wait_for(
                lambda: hub.agents["QD-0002"].heartbeats > beats_before + 2, what="still heartbeating"
            )
            assert not task.done()
        finally:
            agent.stop()
            await asyncio.wait_for(task, 5)
            await hub.stop()

    asyncio.run(scenario())


@pytest.mark.expect_log(r"device cam-hang \(camera\) failed: health check hung")
def test_a_hanging_health_check_counts_as_a_fault():
    async def scenario():
        camera = HangingCamera()
        statuses, events = [], []
        sup = AdapterSupervisor(camera, statuses.append, lambda a, e: events.append(e.kind), FAST)
        task = asyncio.create_task(sup.run())
        await wait_for(lambda: "device_recovered" in events and camera.starts == 2, what="restart")
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return statuses, events

    statuses, events = asyncio.run(scenario())
    assert statuses[0].state == "restarting" and "hung" in statuses[0].detail
    assert events == ["device_fault", "device_recovered"]


@pytest.mark.expect_log(r"failed: RuntimeError", r"giving up for")
def test_restart_limit_gives_up_and_reports_fault():
    async def scenario():
        camera = CrashingCamera(crashes=1000)
        statuses = []
        policy = SupervisorPolicy(
            poll_interval_s=0.05, backoff_initial_s=0.01, backoff_max_s=0.02, max_restarts=3, give_up_s=60
        )
        sup = AdapterSupervisor(camera, statuses.append, lambda a, e: None, policy)
        task = asyncio.create_task(sup.run())
        await wait_for(lambda: statuses and statuses[-1].state == "fault", what="give up")
        starts = camera.starts
        await asyncio.sleep(0.3)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return statuses, starts, camera.starts

    statuses, starts, later = asyncio.run(scenario())
    assert "gave up after 3 restarts" in statuses[-1].detail
    assert starts == later == 4  # first start + 3 restarts, then nothing during the pause
