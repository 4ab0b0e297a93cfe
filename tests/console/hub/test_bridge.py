"""The hub bridge: a worker thread owns the HubClient; the GUI gets queued signals."""

from __future__ import annotations

import threading

import pytest

from console.hub.bridge import WORKER_THREAD_NAME, HubBridge, HubLink, HubReply, LinkState
from services.hub.config import HubConfig
from services.hub.server import Hub
from services.protocol.console_messages import Snapshot
from tests.console.hub.conftest import DEMO_ADMIN, DEMO_ADMIN_PASSWORD, FAST_HUB
from tests.services.hub.fake_agent import enroll_accepted, enroll_pending

pytestmark = pytest.mark.gui


def link_to(hub: Hub, console_keys, operator: str = "李娜") -> HubLink:
    return HubLink(hub.console_endpoint, hub.public_key, console_keys, "test console", operator)


def start_logged_in(qtbot, bridge: HubBridge, link: HubLink) -> Snapshot:
    """Start the bridge, log the demo administrator in and return the first snapshot."""
    with qtbot.waitSignal(bridge.connectionChanged, timeout=10_000, check_params_cb=lambda up, _d: up):
        bridge.start(link)
    with qtbot.waitSignal(bridge.snapshot, timeout=10_000) as got:
        bridge.login(DEMO_ADMIN, DEMO_ADMIN_PASSWORD)
    assert bridge.operator == DEMO_ADMIN
    return got.args[0]


@pytest.fixture
def bridge(qtbot):
    made = HubBridge()
    yield made
    made.shutdown()
    assert not [t for t in threading.enumerate() if t.name == WORKER_THREAD_NAME]


def test_connects_and_gets_the_snapshot_off_the_gui_thread(
    qtbot, hub, bridge, console_keys, fake_agents, city_codes
):
    agent = enroll_accepted(hub, fake_agents, city_codes[0])
    agent.hello(city_codes[0])
    states: list[tuple[bool, str]] = []
    bridge.connectionChanged.connect(lambda up, detail: states.append((up, detail)))
    snapshot = start_logged_in(qtbot, bridge, link_to(hub, console_keys))
    assert states == [(False, LinkState.CONNECTING.value), (True, LinkState.CONNECTED.value)]
    assert bridge.is_connected
    assert isinstance(snapshot, Snapshot)
    assert [(p.school, p.presence) for p in snapshot.presence] == [(city_codes[0], "online")]
    assert [a.status for a in snapshot.agents] == ["accepted"]


def test_presence_updates_arrive_batched(qtbot, hub, bridge, console_keys, fake_agents, city_codes):
    agents = [enroll_accepted(hub, fake_agents, code) for code in city_codes[:3]]
    start_logged_in(qtbot, bridge, link_to(hub, console_keys))
    seen: dict[str, str] = {}
    batches: list[int] = []

    def collect(entries):
        batches.append(len(entries))
        seen.update({e.school: e.presence for e in entries})

    bridge.presenceChanged.connect(collect)
    for agent, code in zip(agents, city_codes, strict=False):
        agent.hello(code)
    qtbot.waitUntil(lambda: all(seen.get(c) == "online" for c in city_codes[:3]), timeout=5000)
    assert sum(batches) >= 3
    # Silence: late, then offline (short hub timings).
    qtbot.waitUntil(lambda: all(seen.get(c) == "offline" for c in city_codes[:3]), timeout=10_000)


def test_no_snapshot_before_login_and_requests_act_as_the_logged_in_operator(
    qtbot, hub, bridge, console_keys, fake_agents, city_codes
):
    snapshots: list[Snapshot] = []
    bridge.snapshot.connect(snapshots.append)
    with qtbot.waitSignal(bridge.connectionChanged, timeout=10_000, check_params_cb=lambda up, _d: up):
        bridge.start(link_to(hub, console_keys, operator="李娜"))
    with qtbot.waitSignal(bridge.replyReceived, timeout=5000) as refused:
        bridge.request("list_agents", {})
    assert refused.args[0].error_code == "unauthorized" and snapshots == []
    with qtbot.waitSignal(bridge.replyReceived, timeout=5000) as wrong:
        bridge.login(DEMO_ADMIN, "not-the-password")
    assert wrong.args[0].error_code == "unauthorized" and bridge.operator == ""
    with qtbot.waitSignal(bridge.loggedIn, timeout=5000) as logged:
        bridge.login(DEMO_ADMIN, DEMO_ADMIN_PASSWORD)
    assert logged.args[0]["role"] == "administrator" and "password" not in logged.args[0]
    qtbot.waitUntil(lambda: len(snapshots) == 1, timeout=5000)
    enroller = enroll_pending(hub, fake_agents, city_codes[1])
    statuses: dict[str, str] = {}
    bridge.agentsChanged.connect(lambda agents: statuses.update({a.public_key: a.status for a in agents}))
    replies: list[HubReply] = []
    bridge.request("decide_enrollment", {"public_key": enroller.key, "decision": "accept"}, replies.append)
    qtbot.waitUntil(lambda: len(replies) == 1, timeout=5000)
    assert replies[0].ok, replies[0]
    assert replies[0].result["agent"]["decided_by"] == DEMO_ADMIN
    qtbot.waitUntil(lambda: statuses.get(enroller.key) == "accepted", timeout=5000)


def test_a_refused_request_is_a_failed_reply(qtbot, hub, bridge, console_keys):
    start_logged_in(qtbot, bridge, link_to(hub, console_keys))
    with qtbot.waitSignal(bridge.replyReceived, timeout=5000) as got:
        bridge.request("command_status", {"command_id": "no-such-command"})
    reply = got.args[0]
    assert not reply.ok and reply.error_code == "not_found"


def test_a_request_without_a_link_fails_at_once(qtbot, bridge):
    with qtbot.waitSignal(bridge.replyReceived, timeout=1000) as got:
        bridge.request("list_agents", {})
    assert got.args[0].error_code == "not_connected"


@pytest.mark.expect_log(r"lost the connection to the hub")
def test_a_lost_hub_is_reported_and_a_restarted_hub_catches_up(
    qtbot, hub, bridge, console_keys, fake_agents, city_codes, caplog, tmp_path, city_url
):
    agent = enroll_accepted(hub, fake_agents, city_codes[0])
    start_logged_in(qtbot, bridge, link_to(hub, console_keys))
    endpoint = hub.console_endpoint
    with qtbot.waitSignal(bridge.connectionChanged, timeout=10_000) as lost:
        hub.stop()
    assert lost.args == [False, LinkState.DISCONNECTED.value]
    assert not bridge.is_connected
    assert "lost the connection to the hub" in caplog.text
    # The same hub comes back on the same port: the bridge says hello again, resumes the operator's
    # session with its token (no password asked again) and resubscribes.
    again = Hub(
        HubConfig(
            database_url=city_url,
            key_dir=tmp_path / "hub",
            agent_endpoint="tcp://127.0.0.1:0",
            enroll_endpoint="tcp://127.0.0.1:0",
            console_endpoint=endpoint,
            console_public_keys=(console_keys.public,),
            **FAST_HUB,  # type: ignore[arg-type]
        )
    )
    try:
        with qtbot.waitSignal(bridge.snapshot, timeout=15_000) as fresh:
            again.start()
        assert bridge.is_connected and bridge.operator == DEMO_ADMIN
        assert [a.public_key for a in fresh.args[0].agents] == [agent.key]
    finally:
        again.stop()
