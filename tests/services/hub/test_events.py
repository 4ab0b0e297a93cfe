"""Events: acknowledged after commit, stored exactly once, also across a SIGKILL of the hub."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from services.db.network_models import AgentEvent
from services.protocol.agent_messages import Error, Event, EventAck, Hello
from tests.services.hub.conftest import make_config
from tests.services.hub.fake_agent import FakeAgent, enroll_accepted

REPO = Path(__file__).resolve().parents[3]


def _stored(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(AgentEvent.school_code, AgentEvent.event_id, AgentEvent.kind)).all()
    finally:
        engine.dispose()


def test_duplicate_event_is_acked_again_and_stored_once(database_url, hub_factory, agents):
    hub = hub_factory(database_url)
    agent = enroll_accepted(hub, agents, "S500")
    agent.hello("S500")
    fields = {
        "kind": "alarm",
        "occurred_at": time.time(),
        "priority": "alarm",
        "source": "gate-1",
        "details": {"type": "intrusion", "zone": "gate"},
    }
    event_id = agent.send(Event, msg_id="evt-0001", **fields)
    assert agent.recv_type(EventAck).event_ids == [event_id]
    agent.send(Event, msg_id="evt-0001", **fields)  # the agent did not see the ack: resend
    assert agent.recv_type(EventAck).event_ids == [event_id]
    # Another school may use the same id: keyed by (school, id).
    other = enroll_accepted(hub, agents, "S501")
    other.hello("S501")
    other.send(Event, msg_id="evt-0001", **fields)
    assert other.recv_type(EventAck).event_ids == ["evt-0001"]
    assert sorted(_stored(database_url)) == [("S500", "evt-0001", "alarm"), ("S501", "evt-0001", "alarm")]
    assert hub.stats()["events_duplicate"] == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spawn_hub(database_url: str, key_dir: Path, ports: list[int]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.hub",
            "run",
            "--database",
            database_url,
            "--key-dir",
            str(key_dir),
            "--agent-endpoint",
            f"tcp://127.0.0.1:{ports[0]}",
            "--enroll-endpoint",
            f"tcp://127.0.0.1:{ports[1]}",
            "--console-endpoint",
            f"tcp://127.0.0.1:{ports[2]}",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    proc.stdout.close()  # the READY line is all we need
    assert line.startswith("HUB READY agent=tcp://127.0.0.1:"), line
    return proc


@pytest.mark.slow
def test_events_survive_sigkill_of_the_hub_exactly_once(tmp_path, sqlite_url, hub_factory):
    key_dir = tmp_path / "keys"
    # Enroll the agent with an in-process hub on the same database and keys, then let it go.
    setup_hub = hub_factory(sqlite_url)
    enroller = FakeAgent(setup_hub.enroll_endpoint, setup_hub.public_key)
    token = setup_hub.create_enrollment_token("S502")
    assert enroller.enroll("S502", token).status == "pending"
    setup_hub.decide_enrollment(enroller.keypair.public, "accept", "admin")
    enroller.close()
    setup_hub.stop()
    assert make_config(sqlite_url, key_dir).key_dir == key_dir

    ports = [_free_port() for _ in range(3)]
    hub = _spawn_hub(sqlite_url, key_dir, ports)
    agent = FakeAgent(
        f"tcp://127.0.0.1:{ports[0]}", (key_dir / "hub.pub").read_bytes().strip(), enroller.keypair
    )
    total = 400
    unacked: dict[str, float] = {}
    sent = 0
    killed = restarted = False
    killed_at = 0.0
    last_progress = time.monotonic()
    try:
        agent.send(Hello, school="S502", agent_version="fake")
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and (sent < total or unacked):
            if sent < total and len(unacked) < 50:
                event_id = f"e{sent:05d}"
                unacked[event_id] = time.time()
                agent.try_send(Event, msg_id=event_id, kind="alarm", occurred_at=time.time())
                sent += 1
            for msg in agent.drain(timeout=0.002):
                if isinstance(msg, EventAck):
                    for event_id in msg.event_ids:
                        unacked.pop(event_id, None)
                    last_progress = time.monotonic()
                elif isinstance(msg, Error) and msg.code == "out_of_state":
                    last_progress = 0.0  # the hub forgot us: hello and resend now
            if not killed and sent >= total // 3:
                os.kill(hub.pid, signal.SIGKILL)  # mid-stream, with events in flight
                hub.wait()
                killed = True
                killed_at = time.monotonic()
            elif killed and not restarted and time.monotonic() - killed_at > 0.5:
                hub = _spawn_hub(sqlite_url, key_dir, ports)
                restarted = True
            if unacked and time.monotonic() - last_progress > 1.0:
                # What a real agent's outbox does after a reconnect: hello, then resend every unacked.
                agent.try_send(Hello, school="S502", agent_version="fake")
                for event_id in sorted(unacked):
                    agent.try_send(Event, msg_id=event_id, kind="alarm", occurred_at=time.time())
                last_progress = time.monotonic()
        assert killed and restarted
        assert sent == total and not unacked, f"{len(unacked)} events never acked"
    finally:
        agent.close()
        hub.send_signal(signal.SIGTERM)
        hub.wait(20)
    rows = _stored(sqlite_url)
    ids = [event_id for _school, event_id, _kind in rows]
    assert len(ids) == total and set(ids) == {f"e{i:05d}" for i in range(total)}
