"""The console on its embedded hub, driven by fake agents over real sockets: the map, the status
bar, the school agents page and the school panel follow the school network."""

from __future__ import annotations

import pytest

from services.hub.config import Target
from services.protocol.agent_messages import Command, CommandAck, EnrollReply, Heartbeat, Welcome
from services.school_state import SchoolState
from tests.console.hub.conftest import DEMO_ADMIN
from tests.services.hub.fake_agent import enroll_accepted, enroll_pending

pytestmark = pytest.mark.gui


def school_of(console, code: str):
    return next(s for s in console.map_page._schools_by_id.values() if s.code == code)


def embedded_hub(console):
    hub = console.network.embedded.hub
    assert hub is not None
    return hub


def test_status_bar_shows_the_embedded_hub_link(live_console):
    text = live_console.window.status.hub_label.text()
    assert text.startswith("Hub: connected (embedded, 127.0.0.1:")


def test_an_agents_hello_turns_its_school_online_and_silence_late_then_offline(
    live_console, qtbot, fake_agents
):
    hub = embedded_hub(live_console)
    codes = sorted(s.code for s in live_console.map_page._schools_by_id.values())
    school = school_of(live_console, codes[3])
    other = school_of(live_console, codes[4])
    agent = enroll_accepted(hub, fake_agents, school.code)
    map_widget = live_console.map_page.map
    assert map_widget.state_of(school.id) in (SchoolState.UNKNOWN, SchoolState.OFFLINE)
    agent.hello(school.code)
    qtbot.waitUntil(lambda: map_widget.state_of(school.id) == SchoolState.ONLINE, timeout=5000)
    assert map_widget.state_of(other.id) == SchoolState.UNKNOWN  # no agent there
    assert map_widget.state_counts()[SchoolState.ONLINE] == 1
    # Heartbeats keep it online past the "late" time; silence then makes it late, then offline.
    for _ in range(3):
        qtbot.wait(400)
        agent.send(Heartbeat)
    assert map_widget.state_of(school.id) == SchoolState.ONLINE
    qtbot.waitUntil(lambda: map_widget.state_of(school.id) == SchoolState.LATE, timeout=5000)
    qtbot.waitUntil(lambda: map_widget.state_of(school.id) == SchoolState.OFFLINE, timeout=5000)


@pytest.mark.expect_log(r"lost the connection to the hub")
def test_a_lost_hub_shows_disconnected(live_console, qtbot, caplog):
    status = live_console.window.status
    live_console.network.embedded.stop()
    qtbot.waitUntil(lambda: "disconnected" in status.hub_label.text(), timeout=10_000)
    assert status.hub_label.text().startswith("Hub: not connected (disconnected since ")
    assert "lost the connection to the hub" in caplog.text


def test_agents_page_lists_a_pending_request_and_accept_lets_the_agent_in(live_console, qtbot, fake_agents):
    hub = embedded_hub(live_console)
    page = live_console.agents_page
    window = live_console.window
    code = sorted(s.code for s in live_console.map_page._schools_by_id.values())[0]
    enroller = enroll_pending(hub, fake_agents, code)
    qtbot.waitUntil(lambda: page.model.agent_by_key(enroller.key) is not None, timeout=5000)
    assert page.model.agent_by_key(enroller.key).status == "pending"
    assert page.pending_count() == 1
    assert window.navigation.item(window.page_keys().index("agents")).text() == "School agents (1 pending)"
    page.status_filter.setCurrentIndex(page.status_filter.findData("pending"))
    assert page.proxy.rowCount() == 1
    assert page.select_agent(enroller.key)
    assert page.accept_button.isEnabled() and page.reject_button.isEnabled()

    asked: list[str] = []
    page.confirm = lambda title, text: asked.append(f"{title}|{text}") is None and False
    assert not page.decide_selected("accept")  # the operator said no: nothing is sent
    page.confirm = lambda title, text: asked.append(title) is None
    assert page.decide_selected("accept")
    qtbot.waitUntil(lambda: page.model.agent_by_key(enroller.key).status == "accepted", timeout=5000)
    accepted = page.model.agent_by_key(enroller.key)
    assert accepted.decided_by == DEMO_ADMIN
    assert page.message_label.text() == f"School {code}: the agent is now Accepted."
    assert page.pending_count() == 0
    assert window.navigation.item(window.page_keys().index("agents")).text() == "School agents"
    assert asked[0].startswith("Accept this agent?|School: " + code)
    # The hub's allow-list now lets this key in on the agent socket.
    agent = fake_agents(hub.agent_endpoint, hub.public_key, enroller.keypair)
    assert isinstance(agent.hello(code), Welcome)


def test_create_token_shows_a_token_that_enrolls_an_agent(live_console, qtbot, fake_agents):
    hub = embedded_hub(live_console)
    page = live_console.agents_page
    code = sorted(s.code for s in live_console.map_page._schools_by_id.values())[5]
    index = page.token_school.findData(code)
    assert index >= 0
    page.token_school.setCurrentIndex(index)
    assert page.token_school_code() == code
    page.token_button.click()
    qtbot.waitUntil(lambda: page.token_dialog is not None, timeout=5000)
    dialog = page.token_dialog
    token = dialog.token
    assert len(token) >= 16
    assert "Valid until 20" in dialog.expiry_label.text()
    dialog.copy_token()
    assert live_console.window.window().isVisible()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == token
    dialog.close()
    enroller = fake_agents(hub.enroll_endpoint, hub.public_key)
    reply = enroller.enroll(code, token)
    assert isinstance(reply, EnrollReply) and reply.status == "pending"
    qtbot.waitUntil(lambda: page.model.agent_by_key(enroller.key) is not None, timeout=5000)


def test_school_panel_shows_the_agents_version_and_a_commands_delivery(live_console, qtbot, fake_agents):
    hub = embedded_hub(live_console)
    page = live_console.map_page
    school = school_of(live_console, sorted(s.code for s in page._schools_by_id.values())[2])
    agent = enroll_accepted(hub, fake_agents, school.code)
    agent.hello(school.code)
    qtbot.waitUntil(lambda: page.map.state_of(school.id) == SchoolState.ONLINE, timeout=5000)
    page.open_school(school.id)
    section = page.panel.agent_section
    qtbot.waitUntil(lambda: section.version_value.text() == "fake-1", timeout=5000)
    assert section.presence_value.text() == "Online"
    assert section.enrollment_value.text() == "Accepted"

    command_id = hub.issue_command(Target.school(school.code), "ping", {}, 60, operator="王伟")
    command = agent.recv_type(Command, command_id=command_id)
    qtbot.waitUntil(lambda: section.command_state(command_id) == "sent", timeout=5000)
    row = next(r for r in range(section.commands_table.rowCount()) if section.commands_table.item(r, 0))
    assert section.commands_table.item(row, 0).text() == "ping"
    assert section.commands_table.item(row, 2).text() == "王伟"
    agent.send(CommandAck, command_id=command.command_id, state="done", result={"pong": True})
    qtbot.waitUntil(lambda: section.command_state(command_id) == "done", timeout=5000)
    assert section.commands_table.item(row, 3).text() == "Done"
