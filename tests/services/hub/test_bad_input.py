"""Garbage on the sockets: the right error code, one log line, the hub alive, memory bounded."""

from __future__ import annotations

import json
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.protocol.agent_messages import Error, Heartbeat, Welcome
from services.protocol.envelope import MAX_FRAME_BYTES
from tests.services.hub.fake_agent import enroll_accepted

BAD = r"agent socket: |enroll socket: |more bad messages"


def _frame(**fields: object) -> bytes:
    base: dict[str, object] = {"v": 1, "type": "heartbeat", "id": "m1", "seq": 99, "ts": 1.0}
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not None}).encode()


CASES = [
    ("not json", [b"\xff\x00 not json"], "malformed"),
    ("json array", [b"[1, 2, 3]"], "malformed"),
    ("oversized", [b"{" + b" " * (MAX_FRAME_BYTES + 1) + b"}"], "too_large"),
    ("two frames", [_frame(), _frame()], "too_large"),
    ("wrong version", [_frame(v=2)], "unsupported_version"),
    ("unknown type", [_frame(type="launch_missiles")], "unknown_type"),
    ("hub-only type", [_frame(type="welcome")], "unknown_type"),
    ("unknown field", [_frame(extra=1)], "malformed"),
    ("wrong field type", [_frame(outbox_backlog="many")], "malformed"),
    ("missing id", [_frame(id=None)], "malformed"),
    ("replayed seq", [_frame(seq=1)], "replayed"),
]


@pytest.mark.expect_log(BAD)
@pytest.mark.parametrize(("name", "frames", "code"), CASES, ids=[c[0] for c in CASES])
def test_bad_frame_gets_error_with_code_and_hub_stays_alive(hub, agents, caplog, name, frames, code):
    agent = enroll_accepted(hub, agents, "S300")
    agent.hello("S300")
    agent.seq.next()  # the hello had seq 1; "replayed seq" reuses it
    agent.send_raw(*frames)
    reply = agent.recv_type(Error)
    assert reply.code == code, (name, reply)
    assert f"agent socket: {code}" in caplog.text
    # Still serving this agent and others.
    agent.send(Heartbeat)
    assert agent.hello("S300").epoch == hub.epoch


@pytest.mark.expect_log(BAD)
def test_out_of_state_before_hello(hub, agents):
    agent = enroll_accepted(hub, agents, "S301")
    agent.send(Heartbeat)
    reply = agent.recv_type(Error)
    assert reply.code == "out_of_state" and "hello" in reply.message


@pytest.mark.expect_log(BAD)
def test_enroll_socket_accepts_only_enrollment_types(hub, agents):
    stranger = agents(hub.enroll_endpoint, hub.public_key)
    stranger.send(Heartbeat)
    assert stranger.recv_type(Error).code == "unknown_type"


@pytest.mark.expect_log(BAD)
def test_error_replies_are_rate_limited(hub, agents):
    agent = enroll_accepted(hub, agents, "S302")
    for _ in range(200):
        agent.send_raw(b"garbage")
    replies = agent.drain(timeout=0.5)
    assert 10 <= len(replies) <= 40  # a burst, then a trickle: no reply flood
    assert hub.stats()["bad_frames"] == 200


@pytest.mark.expect_log(BAD)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payload=st.one_of(
        st.binary(max_size=512),
        st.dictionaries(
            st.sampled_from(["v", "type", "id", "seq", "ts", "devices", "x"]) | st.text(max_size=8),
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False)
            | st.text(max_size=20)
            | st.lists(st.integers(), max_size=3),
            max_size=7,
        ).map(lambda d: json.dumps(d).encode()),
    )
)
def test_fuzzed_frames_never_hurt_the_hub(fuzz_env, payload):
    _hub, agent = fuzz_env
    agent.send_raw(payload)
    for reply in agent.drain(timeout=0.0):
        assert isinstance(reply, Error | Welcome)


@pytest.fixture
def fuzz_env(hub, agents):
    agent = enroll_accepted(hub, agents, "S303")
    yield hub, agent
    time.sleep(0.2)
    # Alive and correct afterwards.
    fresh = enroll_accepted(hub, agents, "S304")
    assert fresh.hello("S304").epoch == hub.epoch


@pytest.mark.expect_log(BAD)
def test_memory_stays_bounded_under_a_flood(hub, agents):
    agent = enroll_accepted(hub, agents, "S305")
    stranger = agents(hub.enroll_endpoint, hub.public_key)

    def flood(n: int) -> None:
        for i in range(n):
            agent.send_raw(b"x" * (i % 300))
            stranger.send_raw(_frame(type="nonsense", id=f"m{i}"))
            if i % 500 == 0:
                agent.drain(timeout=0.0)
                stranger.drain(timeout=0.0)
        deadline = time.monotonic() + 20
        while hub.stats()["bad_frames"] < target and time.monotonic() < deadline:
            time.sleep(0.05)

    target = 2000
    flood(1000)  # warm up caches, limiter tables, allocator pools
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        target = 2000 + 10_000
        flood(5000)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert hub.stats()["bad_frames"] == 12_000
    assert after - before < 512 * 1024, f"grew by {after - before} bytes over 10,000 bad frames"
    assert agent.hello("S305").epoch == hub.epoch
