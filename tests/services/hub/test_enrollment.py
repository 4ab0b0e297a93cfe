"""Enrollment: token -> pending -> accepted -> hello; rejected; token reuse; expiry; conflicts."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, select

from services.db.network_models import AgentEnrollment, EnrollmentToken
from services.hub.enrollment import hash_token
from services.hub.errors import HubRequestError
from services.protocol.agent_messages import EnrollReply, Error, Heartbeat
from tests.services.hub.fake_agent import enroll_accepted


def test_token_pending_accepted_then_hello_works(database_url, hub_factory, agents):
    hub = hub_factory(database_url)
    token = hub.create_enrollment_token("S100", operator="admin-a")
    enroller = agents(hub.enroll_endpoint, hub.public_key)
    reply = enroller.enroll("S100", token)
    assert reply.status == "pending"
    assert reply.hub_public_key == hub.public_key.decode()
    status = enroller.enroll_status("S100")
    assert isinstance(status, EnrollReply) and status.status == "pending"
    # Not accepted yet: the agent socket does not let this key in (no reply, ever).
    early = agents(hub.agent_endpoint, hub.public_key, enroller.keypair)
    early.send(Heartbeat)
    assert early.recv(timeout=0.5) is None

    hub.decide_enrollment(enroller.keypair.public, "accept", operator="admin-b")
    assert enroller.enroll_status("S100").status == "accepted"
    agent = agents(hub.agent_endpoint, hub.public_key, enroller.keypair)
    welcome = agent.hello("S100")
    assert welcome.epoch == hub.epoch

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(AgentEnrollment)).one()
            token_row = conn.execute(select(EnrollmentToken)).one()
    finally:
        engine.dispose()
    assert (row.school_code, row.status, row.decided_by) == ("S100", "accepted", "admin-b")
    # Only the hash of the token is stored, and it is spent.
    assert token_row.token_hash == hash_token(token) and token not in str(tuple(token_row))
    assert token_row.used_by_key == enroller.key and token_row.created_by == "admin-a"


def test_rejected_key_is_refused_at_connect(hub, agents):
    token = hub.create_enrollment_token("S101")
    enroller = agents(hub.enroll_endpoint, hub.public_key)
    assert enroller.enroll("S101", token).status == "pending"
    hub.decide_enrollment(enroller.keypair.public, "reject", operator="admin")
    assert enroller.enroll_status("S101").status == "rejected"
    agent = agents(hub.agent_endpoint, hub.public_key, enroller.keypair)
    agent.send(Heartbeat)
    assert agent.recv(timeout=0.5) is None
    with pytest.raises(HubRequestError, match="cannot accept"):
        hub.decide_enrollment(enroller.keypair.public, "accept", operator="admin")


@pytest.mark.expect_log(r"invalid token")
def test_token_is_one_time(hub, agents, caplog):
    token = hub.create_enrollment_token("S102")
    first = agents(hub.enroll_endpoint, hub.public_key)
    assert first.enroll("S102", token).status == "pending"
    # The same key asking again is told where it stands (its reply may have been lost).
    assert first.enroll("S102", token).status == "pending"
    second = agents(hub.enroll_endpoint, hub.public_key)
    reply = second.enroll("S102", token)
    assert (reply.status, reply.detail) == ("invalid_token", "token already used")
    assert "invalid token" in caplog.text


@pytest.mark.expect_log(r"invalid token")
def test_expired_unknown_and_wrong_school_tokens(hub, agents):
    short = hub.create_enrollment_token("S103", ttl_s=0.2)
    other = hub.create_enrollment_token("S104")
    time.sleep(0.3)
    agent = agents(hub.enroll_endpoint, hub.public_key)
    assert agent.enroll("S103", short).detail == "token expired"
    assert agent.enroll("S103", "no-such-token").detail == "unknown token"
    assert agent.enroll("S103", other).detail == "token is for another school"
    assert hub.list_agents() == []


def test_second_key_for_an_enrolled_school_is_a_conflict(hub, agents):
    enroll_accepted(hub, agents, "S105").hello("S105")
    token = hub.create_enrollment_token("S105")
    intruder = agents(hub.enroll_endpoint, hub.public_key)
    reply = intruder.enroll("S105", token)
    assert reply.status == "conflict" and "another key" in reply.detail
    pending = [a for a in hub.list_agents("pending") if a.public_key == intruder.key]
    assert pending and "another key" in pending[0].detail  # shown to administrators
    with pytest.raises(HubRequestError, match="already has an accepted key") as info:
        hub.decide_enrollment(intruder.keypair.public, "accept", operator="admin")
    assert info.value.code == "conflict"


@pytest.mark.expect_log(r"enroll socket: not_found")
def test_enroll_status_for_unknown_key_and_bad_school_code(hub, agents, caplog):
    stranger = agents(hub.enroll_endpoint, hub.public_key)
    reply = stranger.enroll_status("S199")
    assert isinstance(reply, Error) and reply.code == "not_found"
    assert "enroll socket: not_found" in caplog.text
    with pytest.raises(HubRequestError, match="not a school code"):
        hub.create_enrollment_token("bad code with spaces")
