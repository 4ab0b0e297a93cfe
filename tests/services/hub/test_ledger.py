"""The command ledger: offline delivery before expiry and never after, acks, supersession,
persistence and resend after a hub restart, and expansion of district targets."""

from __future__ import annotations

import time

from sqlalchemy import create_engine, select

from services.db.models import District, School, SchoolType
from services.db.network_models import CommandDelivery, CommandRecord
from services.hub.config import Target
from services.protocol.agent_messages import Command, CommandAck
from tests.services.hub.fake_agent import enroll_accepted


def _wait_state(hub, command_id, school, state, timeout=3.0):
    deadline = time.monotonic() + timeout
    while True:
        deliveries = {d["school"]: d for d in hub.command_status(command_id)["deliveries"]}
        if deliveries[school]["state"] == state or time.monotonic() > deadline:
            return deliveries[school]
        time.sleep(0.02)


def _db_rows(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            commands = conn.execute(select(CommandRecord)).all()
            deliveries = conn.execute(select(CommandDelivery)).all()
    finally:
        engine.dispose()
    return commands, deliveries


def test_offline_agent_gets_command_on_reconnect_and_acks_move_the_ledger(database_url, hub_factory, agents):
    hub = hub_factory(database_url)
    agent = enroll_accepted(hub, agents, "S400")
    issued = hub.issue(Target.school("S400"), "ping", {}, 60, "operator-li")
    assert issued.schools == ("S400",)
    assert _wait_state(hub, issued.command_id, "S400", "not_connected")["state"] == "not_connected"
    agent.hello("S400")
    command = agent.recv_type(Command)
    assert (command.command_id, command.action, command.epoch) == (issued.command_id, "ping", hub.epoch)
    assert command.expires_at > time.time()
    assert _wait_state(hub, issued.command_id, "S400", "sent")["state"] == "sent"
    agent.send(CommandAck, command_id=issued.command_id, state="received")
    assert _wait_state(hub, issued.command_id, "S400", "received")["state"] == "received"
    agent.send(CommandAck, command_id=issued.command_id, state="done", result={"pong": True})
    done = _wait_state(hub, issued.command_id, "S400", "done")
    assert done["result"] == {"pong": True}
    # Repeats and stale answers change nothing.
    agent.send(CommandAck, command_id=issued.command_id, state="received")
    agent.send(CommandAck, command_id=issued.command_id, state="done", result={"pong": True})
    agent.send(CommandAck, command_id="no-such-command", state="done")
    time.sleep(0.2)
    assert _wait_state(hub, issued.command_id, "S400", "done")["state"] == "done"
    hub.stop()
    commands, deliveries = _db_rows(database_url)
    assert [(c.command_id, c.operator, c.action) for c in commands] == [
        (issued.command_id, "operator-li", "ping")
    ]
    assert [(d.school_code, d.state, d.result, d.send_count) for d in deliveries] == [
        ("S400", "done", {"pong": True}, 1)
    ]


def test_command_never_sent_after_expiry(hub, agents):
    agent = enroll_accepted(hub, agents, "S401")
    issued = hub.issue(Target.school("S401"), "ping", {}, 0.5, "op")
    time.sleep(1.6)  # past expiry, and past one expiry sweep
    agent.hello("S401")
    assert [m for m in agent.drain(0.5) if isinstance(m, Command)] == []
    delivery = _wait_state(hub, issued.command_id, "S401", "expired")
    assert (delivery["state"], delivery["reason"]) == ("expired", "not delivered before expiry")


def test_connected_agent_gets_command_at_once_and_unenrolled_schools_are_reported(hub, agents):
    agent = enroll_accepted(hub, agents, "S402")
    agent.hello("S402")
    issued = hub.issue(Target.school_list(["S402", "S499"]), "device_check", {"deep": True}, 30, "op")
    assert issued.schools == ("S402",) and issued.no_agent == ("S499",)
    command = agent.recv_type(Command)
    assert command.args == {"deep": True}


def test_stop_supersedes_an_earlier_unsent_command(hub, agents):
    agent = enroll_accepted(hub, agents, "S403")
    start = hub.issue_command(Target.school("S403"), "sleep", {"seconds": 5}, 60, "op")
    stop = hub.issue_command(Target.school("S403"), "stop", {}, 60, "op")
    superseded = _wait_state(hub, start, "S403", "expired")
    assert superseded["reason"] == f"superseded by {stop}"
    agent.hello("S403")
    sent = [m.command_id for m in agent.drain(0.5) if isinstance(m, Command)]
    assert sent == [stop]


def test_open_commands_are_resent_after_a_hub_restart(database_url, hub_factory, agents):
    hub = hub_factory(database_url)
    agent = enroll_accepted(hub, agents, "S404")
    agent.hello("S404")
    command_id = hub.issue_command(Target.school("S404"), "ping", {}, 60, "op")
    agent.recv_type(Command)
    agent.send(CommandAck, command_id=command_id, state="received")
    _wait_state(hub, command_id, "S404", "received")
    time.sleep(0.2)
    hub.stop()
    restarted = hub_factory(database_url)
    assert restarted.epoch == hub.epoch + 1
    again = agents(restarted.agent_endpoint, restarted.public_key, agent.keypair)
    again.hello("S404")
    resent = again.recv_type(Command)
    assert (resent.command_id, resent.epoch) == (command_id, hub.epoch)  # the epoch it was issued in


def test_district_and_city_targets(hub, agents, sqlite_url):
    engine = create_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                District.__table__.insert(),
                [{"id": 1, "adcode": "370202", "name": "市南区", "name_en": "Shinan"}],
            )
            conn.execute(
                School.__table__.insert(),
                [
                    {
                        "code": code,
                        "name": code,
                        "district_id": 1,
                        "school_type": SchoolType.PRIMARY,
                        "address": "",
                        "longitude": 120.3,
                        "latitude": 36.07,
                        "student_count": 1,
                        "staff_count": 1,
                        "is_pilot": False,
                        "is_demo": True,
                    }
                    for code in ("S405", "S406")
                ],
            )
    finally:
        engine.dispose()
    enroll_accepted(hub, agents, "S405")
    enroll_accepted(hub, agents, "S407")
    district = hub.issue(Target.district("370202"), "ping", {}, 30, "op")
    assert (district.schools, district.no_agent) == (("S405",), ("S406",))
    city = hub.issue(Target.city(), "ping", {}, 30, "op")
    assert city.schools == ("S405", "S407")
