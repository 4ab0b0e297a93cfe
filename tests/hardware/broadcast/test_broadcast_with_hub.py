"""A broadcast through the real hub (services.hub) to an agent with a simulated PA, real sockets."""

from __future__ import annotations

import asyncio

import pytest

from hardware.agent.agent import SchoolAgent
from hardware.agent.config import AgentConfig
from hardware.agent.enroll import enroll
from hardware.broadcast.audio import pcm_from_wav
from hardware.broadcast.clip_store import bundled_clips
from hardware.simulators.pa_sim import SimulatedPa
from services.hub.config import HubConfig, Target
from services.hub.server import Hub
from services.protocol import keys
from tests.hardware.agent.test_with_hub import seed_schools
from tests.hardware.broadcast.helpers import read_wav
from tests.hardware.stand_in_hub import wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def hub(database_url, tmp_path):
    seed_schools(database_url, ["QD-0001"])
    hub = Hub(
        HubConfig(
            database_url=database_url,
            key_dir=tmp_path / "hub",
            agent_endpoint="tcp://127.0.0.1:0",
            enroll_endpoint="tcp://127.0.0.1:0",
            console_endpoint="tcp://127.0.0.1:0",
            heartbeat_interval_s=0.2,
        )
    )
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


def test_broadcast_start_plays_at_the_school_and_the_ledger_sees_playing_then_done(hub, tmp_path):
    chime_sha = next(sha for sha, c in bundled_clips().items() if c.clip_id == "chime_routine")
    pa = SimulatedPa("pa-1", tmp_path / "pa.jsonl", record_dir=tmp_path / "wav")
    key_file = tmp_path / "agent" / "agent.key"

    async def scenario():
        token = await asyncio.to_thread(hub.create_enrollment_token, "QD-0001", operator="test")
        common = {
            "school": "QD-0001",
            "token": token,
            "enroll_endpoint": hub.enroll_endpoint,
            "hub_public_key": hub.public_key,
            "key_file": key_file,
            "poll_interval_s": 0.1,
        }
        await enroll(**common, wait_s=0.5)
        await asyncio.to_thread(hub.decide_enrollment, keys.load(key_file).public, "accept", "test-admin")
        assert (await enroll(**common, wait_s=5)).status == "accepted"
        config = AgentConfig(
            school="QD-0001",
            agent_endpoint=hub.agent_endpoint,
            enroll_endpoint=hub.enroll_endpoint,
            hub_public_key=hub.public_key,
            key_file=key_file,
            outbox=tmp_path / "agent" / "outbox.db",
            hello_timeout_s=2,
            backoff_initial_s=0.1,
            backoff_max_s=0.5,
            outbox_sync="normal",
        )
        agent = SchoolAgent(config, adapters=[pa])
        task = asyncio.create_task(agent.run())
        try:
            await wait_for(lambda: agent.connected, what="welcome from the hub")
            args = {
                "broadcast_id": "B-1",
                "clip": chime_sha,
                "priority": "routine",
                "zones": [],
                "drill": False,
            }
            command_id = await asyncio.to_thread(
                hub.issue_command, Target.school("QD-0001"), "broadcast_start", args, 30.0, "test-admin"
            )
            seen = []
            for _ in range(200):
                delivery = (await asyncio.to_thread(hub.command_status, command_id))["deliveries"][0]
                seen.append((delivery["state"], delivery.get("result")))
                if delivery["state"] in ("done", "failed"):
                    break
                await asyncio.sleep(0.05)
            return seen
        finally:
            agent.stop()
            await asyncio.wait_for(task, 5)

    seen = asyncio.run(scenario())
    executing = [result for state, result in seen if state == "playing"]
    assert executing and executing[0]["phase"] == "playing"
    assert seen[-1] == ("done", {"played_s": 2.0, "repeats": 1})
    [record] = pa.played
    assert record.started_at == pytest.approx(executing[0]["started_at"])
    assert read_wav(tmp_path / "wav" / record.wav) == pcm_from_wav(
        bundled_clips()[chime_sha].path.read_bytes()
    )
