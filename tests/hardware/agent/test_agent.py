"""The agent against a stand-in hub on real sockets (127.0.0.1, random ports)."""

import asyncio
import socket
import sys

import pytest

from hardware.agent.agent import SchoolAgent
from hardware.agent.config import AgentConfig
from hardware.agent.outbox import Outbox
from hardware.simulators.camera_sim import SimulatedCamera
from hardware.supervisor import SupervisorPolicy
from services.protocol import keys
from tests.hardware.stand_in_hub import StandInHub, wait_for


def _config(tmp_path, endpoint, server_key, school="QD-0001"):
    return AgentConfig(
        school=school,
        agent_endpoint=endpoint,
        enroll_endpoint=endpoint,
        hub_public_key=server_key,
        key_file=tmp_path / "agent.key",
        outbox=tmp_path / "outbox.db",
        hello_timeout_s=1.0,
        backoff_initial_s=0.1,
        backoff_max_s=0.3,
        outbox_sync="normal",
    )


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _run(agent):
    task = asyncio.create_task(agent.run())
    return task


async def _stop(agent, task):
    agent.stop()
    await asyncio.wait_for(task, 5)


def test_hello_heartbeats_and_command_ack_chain(tmp_path):
    async def scenario():
        hub = StandInHub(heartbeat_interval_s=0.1)
        await hub.start()
        camera = SimulatedCamera("cam-1")
        agent = SchoolAgent(
            _config(tmp_path, hub.endpoint, hub.server.public),
            adapters=[camera],
            keys=keys.load_or_create(tmp_path / "agent.key"),
            supervisor_policy=SupervisorPolicy(poll_interval_s=0.1),
        )
        task = await _run(agent)
        try:
            await wait_for(lambda: "QD-0001" in hub.agents, what="hello")
            first = hub.received[0]
            assert type(first).__name__ == "Hello" and first.school == "QD-0001"
            await wait_for(lambda: hub.agents["QD-0001"].heartbeats >= 3, what="heartbeats")
            command_id = hub.send_command("QD-0001", "ping")
            await wait_for(lambda: "done" in hub.acks_for("QD-0001", command_id), what="ping done")
            quick = ["done"] if sys.version_info >= (3, 12) else ["received", "done"]
            assert hub.acks_for("QD-0001", command_id) == quick
            sleep_id = hub.send_command("QD-0001", "sleep", {"seconds": 0.3})
            await wait_for(lambda: "done" in hub.acks_for("QD-0001", sleep_id), what="sleep done")
            assert hub.acks_for("QD-0001", sleep_id) == ["received", "executing", "done"]
            done = next(a for a in hub.agents["QD-0001"].acks if a.state == "done")
            assert done.result == {"pong": True}
            # A resend of the same id is answered from storage, not run again.
            hub.send_command("QD-0001", "ping", command_id=command_id)
            await wait_for(
                lambda: len(hub.acks_for("QD-0001", command_id)) == len(quick) + 1, what="stored answer"
            )
            assert hub.acks_for("QD-0001", command_id)[-1] == "done"
            # The camera's status reached the hub (in hello or a status message).
            await wait_for(
                lambda: any(s.devices for s in hub.agents["QD-0001"].statuses) or first.devices,
                what="device status",
            )
        finally:
            await _stop(agent, task)
            await hub.stop()

    asyncio.run(scenario())


def test_events_are_acked_and_removed_from_the_outbox(tmp_path):
    async def scenario():
        hub = StandInHub()
        await hub.start()
        agent = SchoolAgent(
            _config(tmp_path, hub.endpoint, hub.server.public),
            adapters=[],
            keys=keys.load_or_create(tmp_path / "agent.key"),
        )
        task = await _run(agent)
        try:
            await wait_for(lambda: agent.connected, what="session")
            ids = [agent.raise_event("alarm", priority="alarm", source="btn") for _ in range(5)]
            await wait_for(lambda: set(ids) <= set(hub.events), what="events at the hub")
            await wait_for(lambda: agent.outbox.event_count() == 0, what="outbox emptied by acks")
        finally:
            await _stop(agent, task)
            await hub.stop()

    asyncio.run(scenario())


@pytest.mark.expect_log(r"hub connection lost")
def test_hub_unreachable_events_kept_then_delivered_after_reconnect(tmp_path, open_db):
    port = _free_port()

    async def scenario():
        hub = StandInHub(port=port)
        await hub.start()
        config = _config(tmp_path, hub.endpoint, hub.server.public)
        agent = SchoolAgent(config, adapters=[], keys=keys.load_or_create(tmp_path / "agent.key"))
        task = await _run(agent)
        try:
            await wait_for(lambda: agent.connected, what="first session")
            server = hub.server
            await hub.stop()  # the hub goes away
            await wait_for(lambda: not agent.connected, what="session lost")
            normal = agent.raise_event("patrol_missed")
            alarm = agent.raise_event("alarm", priority="alarm")
            await asyncio.sleep(0.5)
            assert agent.outbox.event_count() == 2  # kept while the hub is unreachable

            hub2 = StandInHub(port=port)
            hub2.server = server  # same hub identity after its restart
            await hub2.start()
            try:
                await wait_for(lambda: {normal, alarm} <= set(hub2.events), timeout=15, what="replay")
                order = [m.id for m in hub2.received if type(m).__name__ == "Event"]
                assert order.index(alarm) < order.index(normal)  # alarms first
                await wait_for(lambda: agent.outbox.event_count() == 0, what="acks")
                assert hub2.agents["QD-0001"].hellos == 1
            finally:
                await _stop(agent, task)
                await hub2.stop()
        finally:
            if not task.done():
                await _stop(agent, task)

    asyncio.run(scenario())
    assert Outbox(open_db(tmp_path / "outbox.db")).event_count() == 0


def test_an_agent_killed_before_acks_replays_its_outbox_on_the_next_start(tmp_path):
    async def scenario():
        hub = StandInHub(ack_events=False)
        await hub.start()
        config = _config(tmp_path, hub.endpoint, hub.server.public)
        pair = keys.load_or_create(tmp_path / "agent.key")
        agent = SchoolAgent(config, adapters=[], keys=pair)
        task = await _run(agent)
        await wait_for(lambda: agent.connected, what="session")
        event_id = agent.raise_event("alarm", priority="alarm")
        await wait_for(lambda: event_id in hub.events, what="event sent")
        await _stop(agent, task)

        hub.ack_events = True
        agent2 = SchoolAgent(config, adapters=[], keys=pair)
        task2 = await _run(agent2)
        try:
            await wait_for(
                lambda: agent2.connected and agent2.outbox.event_count() == 0, what="replayed and acked"
            )
            assert hub.event_receipts == 2 and len(hub.events) == 1
        finally:
            await _stop(agent2, task2)
            await hub.stop()

    asyncio.run(scenario())
