"""Consoles: authentication, snapshot + sequenced updates, late consoles, requests with operators."""

from __future__ import annotations

import time

import pytest
import zmq
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from services.access import accounts
from services.access.roles import Role
from services.db.engine import open_database
from services.db.network_models import CommandRecord
from services.hub_client import HubClient, HubClientError, Resync
from services.protocol.agent_messages import Command, CommandAck, Event
from services.protocol.codec import header_fields
from services.protocol.console_messages import Snapshot, Update
from services.protocol.keys import generate
from tests.services.hub.fake_agent import enroll_accepted

CONSOLE = generate()
PASSWORD = "console-Pass-2026"
OPERATORS = {
    "admin-chen": Role.ADMINISTRATOR,
    "dispatcher-li": Role.DISPATCHER,
    "operator-wang": Role.OPERATOR,
    "operator-zhao": Role.OPERATOR,
}


@pytest.fixture
def console_hub(hub_factory, sqlite_url):
    engine = open_database(sqlite_url)
    try:
        with Session(engine) as session, session.begin():
            for username, role in OPERATORS.items():
                accounts.create_operator(session, username, username, role, PASSWORD)
    finally:
        engine.dispose()
    return hub_factory(sqlite_url, console_public_keys=(CONSOLE.public,))


@pytest.fixture
def clients():
    made: list[HubClient] = []

    def make(hub, operator="operator-wang", keypair=CONSOLE):
        client = HubClient(
            hub.console_endpoint, hub.public_key, keypair, "test console", operator, heartbeat_interval_s=1.0
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def _collect(client, until, timeout=3.0):
    """Poll until *until(events)* holds; returns everything received."""
    events = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events.extend(client.poll(0.05))
        if until(events):
            return events
    raise AssertionError(f"condition not met; received {events}")


def _presence(events):
    state = {}
    for event in events:
        if isinstance(event, Snapshot | Update):
            for p in event.presence:
                state[p.school] = p.presence
    return state


def test_snapshot_then_sequenced_updates_and_a_late_console(console_hub, clients, agents):
    hub = console_hub
    agent = enroll_accepted(hub, agents, "S600")
    first = clients(hub)
    assert first.connect().epoch == hub.epoch
    first.login("operator-wang", PASSWORD)
    first.subscribe()
    events = _collect(first, lambda ev: any(isinstance(e, Snapshot) for e in ev))
    snapshot = next(e for e in events if isinstance(e, Snapshot))
    assert [a.school for a in snapshot.agents] == ["S600"]
    assert {p.school: p.presence for p in snapshot.presence} == {"S600": "offline"}

    agent.hello("S600", pa_zones=["all", "outdoor", "teaching_building"])
    agent.send(
        Event, kind="alarm", occurred_at=time.time(), priority="alarm", details={"type": "one_key"}
    )
    events += _collect(
        first,
        lambda ev: (
            _presence(ev).get("S600") == "online" and any(isinstance(e, Update) and e.events for e in ev)
        ),
    )
    updates = [e for e in events if isinstance(e, Update)]
    seqs = [u.update_seq for u in updates]
    assert seqs == list(range(snapshot.update_seq + 1, snapshot.update_seq + 1 + len(seqs)))
    assert [e.kind for u in updates for e in u.events] == ["alarm"]
    # The zones the agent reported reach the consoles with its presence (broadcast targets).
    online = [p for u in updates for p in u.presence if p.presence == "online"]
    assert online and online[-1].pa_zones == ["all", "outdoor", "teaching_building"]

    # Presence goes late, then offline, when the agent falls silent (fast timings in tests).
    events += _collect(first, lambda ev: _presence(ev).get("S600") == "offline", timeout=8.0)

    # A console arriving now gets a snapshot that already says all of that.
    late = clients(hub, operator="operator-zhao")
    late.connect()
    late.login("operator-zhao", PASSWORD)
    late.subscribe()
    late_events = _collect(late, lambda ev: any(isinstance(e, Snapshot) for e in ev))
    late_snapshot = next(e for e in late_events if isinstance(e, Snapshot))
    assert {p.school: p.presence for p in late_snapshot.presence} == {"S600": "offline"}
    assert late_snapshot.update_seq >= max(seqs)


def test_requests_act_as_the_logged_in_operator_and_reach_the_ledger(
    console_hub, clients, agents, sqlite_url
):
    hub = console_hub
    admin = clients(hub)
    admin.connect()
    admin.login("admin-chen", PASSWORD)
    created = admin.request("create_token", {"school": "S601"})
    enroller = agents(hub.enroll_endpoint, hub.public_key)
    assert enroller.enroll("S601", created["token"]).status == "pending"
    pending = admin.request("list_agents", {"status": "pending"})["agents"]
    assert [a["public_key"] for a in pending] == [enroller.key]
    decided = admin.request("decide_enrollment", {"public_key": enroller.key, "decision": "accept"})
    assert decided["agent"]["decided_by"] == "admin-chen"
    agent = agents(hub.agent_endpoint, hub.public_key, enroller.keypair)
    agent.hello("S601")

    client = clients(hub)
    client.connect()
    client.login("dispatcher-li", PASSWORD)
    sent = client.request("send_command", {"target": {"schools": ["S601"]}, "action": "ping", "ttl_s": 30})
    command = agent.recv_type(Command)
    assert command.command_id == sent["command_id"] and sent["schools"] == ["S601"]
    agent.send(CommandAck, command_id=command.command_id, state="done", result={"pong": True})
    deadline = time.monotonic() + 3
    while True:
        status = client.request("command_status", {"command_id": command.command_id})
        if status["counts"] == {"done": 1} or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert status["operator"] == "dispatcher-li" and status["counts"] == {"done": 1}
    history = client.request("school_commands", {"school": "S601"})["commands"]
    assert [(c["command_id"], c["operator"]) for c in history] == [(command.command_id, "dispatcher-li")]
    school = client.request("school_agent", {"school": "S601"})
    assert school["connected"] is True and school["presence"]["presence"] == "online"
    engine = create_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(CommandRecord.operator)).scalars().all() == ["dispatcher-li"]
    finally:
        engine.dispose()


def test_bad_requests_get_clear_errors(console_hub, clients):
    client = clients(console_hub)
    client.connect()
    client.login("operator-wang", PASSWORD)
    with pytest.raises(HubClientError, match="operator") as info:
        client.request("list_agents", {}, operator=" ")
    assert info.value.code == "malformed"
    with pytest.raises(HubClientError) as info:
        client.request("format_disk", {})
    assert info.value.code == "unknown_type"
    with pytest.raises(HubClientError) as info:
        client.request("send_command", {"target": {"all": True}, "action": "ping", "bogus": 1})
    assert info.value.code == "malformed"
    with pytest.raises(HubClientError) as info:
        client.request("command_status", {"command_id": "nope"})
    assert info.value.code == "not_found"


def test_unknown_console_key_is_refused(console_hub, clients):
    stranger = clients(console_hub, keypair=generate())
    with pytest.raises(HubClientError, match="timeout"):
        stranger.connect(timeout=0.5)


def test_client_detects_a_gap_and_resubscribes():
    context = zmq.Context()
    try:
        client = HubClient("inproc://nowhere", generate().public, generate(), "c", "op", context=context)
        client._subscribed = True
        assert client._accept(Snapshot(update_seq=5, presence=[], agents=[], **header_fields(1)))
        assert client._accept(Update(update_seq=5, **header_fields(2))) == []  # already in the snapshot
        assert client._accept(Update(update_seq=6, **header_fields(3)))
        gap = client._accept(Update(update_seq=8, **header_fields(4)))
        assert gap == [Resync(expected=7, received=8)]
        assert client._accept(Update(update_seq=9, **header_fields(5))) == []  # waits for a snapshot
        client.close()
    finally:
        context.term()
