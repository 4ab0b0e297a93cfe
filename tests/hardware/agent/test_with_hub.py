"""Enrollment and a session against the real hub (services.hub), in-process, real sockets."""

import asyncio
import os
import stat

import pytest
from sqlalchemy import text

from hardware.agent.agent import SchoolAgent
from hardware.agent.config import AgentConfig
from hardware.agent.enroll import enroll
from services.db.engine import open_database
from services.hub.config import HubConfig, Target
from services.hub.server import Hub
from services.protocol import keys
from tests.hardware.stand_in_hub import wait_for

pytestmark = pytest.mark.slow


def seed_schools(database_url, codes):
    """Minimal district and school rows (the hub expands targets over schools)."""
    engine = open_database(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO districts (id, adcode, name, name_en) VALUES (1, '370202', 'A', 'A')")
            )
            for i, code in enumerate(codes, start=1):
                conn.execute(
                    text(
                        "INSERT INTO schools (id, code, name, district_id, school_type, address, longitude,"
                        " latitude, student_count, staff_count, is_pilot, is_demo) VALUES (:id, :code, :name,"
                        " 1, 'primary', '', 120.3, 36.1, 0, 0, false, true)"
                    ),
                    {"id": i, "code": code, "name": f"school {code}"},
                )
    finally:
        engine.dispose()


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


def test_enroll_then_session_then_ping_through_the_ledger(hub, tmp_path):
    key_file = tmp_path / "agent" / "agent.key"
    token = hub.create_enrollment_token("QD-0001", operator="test")

    async def scenario():
        pending = await enroll(
            school="QD-0001",
            token=token,
            enroll_endpoint=hub.enroll_endpoint,
            hub_public_key=hub.public_key,
            key_file=key_file,
            poll_interval_s=0.1,
            wait_s=0.5,
        )
        assert pending.status == "pending"
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        public = keys.load(key_file).public
        assert pending.public_key == public
        await asyncio.to_thread(hub.decide_enrollment, public, "accept", "test-admin")
        accepted = await enroll(
            school="QD-0001",
            token=token,
            enroll_endpoint=hub.enroll_endpoint,
            hub_public_key=hub.public_key,
            key_file=key_file,
            poll_interval_s=0.1,
            wait_s=5,
        )
        assert accepted.status == "accepted"
        assert keys.load(key_file).public == public  # the same key pair, not a new one

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
        agent = SchoolAgent(config, adapters=[])
        task = asyncio.create_task(agent.run())
        try:
            await wait_for(lambda: agent.connected, what="welcome from the hub")
            event_id = agent.raise_event(
                "alarm", priority="alarm", source="btn-1", details={"type": "one_key", "location": "东门"}
            )
            await wait_for(lambda: agent.outbox.event_count() == 0, what="event acked by the hub")
            command_id = await asyncio.to_thread(
                hub.issue_command, Target.school("QD-0001"), "ping", {}, 30.0, "test-admin"
            )

            def state():
                status = hub.call(lambda ops, done: ops.command_status(command_id, done))
                return status["deliveries"][0]

            for _ in range(100):
                delivery = await asyncio.to_thread(state)
                if delivery["state"] == "done":
                    break
                await asyncio.sleep(0.05)
            assert delivery["state"] == "done" and delivery["result"] == {"pong": True}
            assert agent.connection.sessions == 1
            return event_id
        finally:
            agent.stop()
            await asyncio.wait_for(task, 5)

    asyncio.run(scenario())
