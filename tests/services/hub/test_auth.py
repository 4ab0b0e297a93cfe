"""CURVE + ZAP: unknown keys, revoked keys, a stopped authenticator, and identity claims."""

from __future__ import annotations

import pytest

from services.protocol.agent_messages import Error, Heartbeat, Hello
from tests.services.hub.fake_agent import FakeAgent, enroll_accepted


def test_unknown_key_is_refused_at_connect(hub, agents):
    stranger = agents(hub.agent_endpoint, hub.public_key)
    stranger.send(Hello, school="S200", agent_version="x")
    assert stranger.recv(timeout=1.0) is None  # the handshake never completes: no reply ever


@pytest.mark.expect_log(r"unauthorized")
def test_revoked_key_is_cut_mid_session(hub, agents):
    agent = enroll_accepted(hub, agents, "S201")
    agent.hello("S201")
    agent.send(Heartbeat)
    assert agent.recv(timeout=0.3) is None  # heartbeats are not answered
    hub.decide_enrollment(agent.keypair.public, "revoke", operator="admin")
    agent.send(Heartbeat)
    reply = agent.recv_type(Error)
    assert reply.code == "unauthorized"
    # And a new connection with that key is refused outright.
    again = agents(hub.agent_endpoint, hub.public_key, agent.keypair)
    again.send(Hello, school="S201", agent_version="x")
    assert again.recv(timeout=0.5) is None
    assert hub.stats()["sessions"] == 0


@pytest.mark.expect_log(r"unauthorized")
def test_agent_claiming_another_school_is_refused(hub, agents):
    a = enroll_accepted(hub, agents, "S202")
    enroll_accepted(hub, agents, "S203")
    a.send(Hello, school="S203", agent_version="x")
    reply = a.recv_type(Error)
    assert reply.code == "unauthorized" and "S202" in reply.message
    assert hub.stats()["sessions"] == 0
    assert a.hello("S202").epoch == hub.epoch


def test_stopped_authenticator_means_new_connections_are_refused(hub, agents):
    agent = enroll_accepted(hub, agents, "S204")
    agent.hello("S204")
    hub.stop_authenticator()
    # The enrolled key, on a new connection: no ZAP handler, ZAP_ENFORCE_DOMAIN -> refused.
    late = FakeAgent(hub.agent_endpoint, hub.public_key, agent.keypair)
    stranger = FakeAgent(hub.enroll_endpoint, hub.public_key)
    try:
        late.send(Hello, school="S204", agent_version="x")
        stranger.send(Hello, school="S204", agent_version="x")
        assert late.recv(timeout=1.0) is None
        assert stranger.recv(timeout=0.2) is None
    finally:
        late.close()
        stranger.close()
