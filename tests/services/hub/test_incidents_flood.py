"""An alarm flood (1,500 alarms from 50 schools) stays workable: grouped into a few hundred
incidents at most, every alarm counted once, the rate shown, and the hub still answers at once;
and incidents survive a hub restart."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest

from services.hub.server import Hub
from services.protocol.agent_messages import EventAck
from tests.services.hub.test_incidents import CONSOLE, City, connected_agent, raised, send_alarm

# The fixtures of the incident tests, shared by name.
from tests.services.hub.test_incidents import city as city
from tests.services.hub.test_incidents import consoles as consoles
from tests.services.hub.test_incidents import incident_hub as incident_hub

SCHOOLS = 50
ALARMS = 1500
FLOOD_TYPES = ("intrusion", "camera_tamper", "patrol_missed")


@pytest.mark.slow
def test_a_flood_is_grouped_counted_once_and_the_hub_stays_responsive(
    incident_hub: Hub, city: City, agents, consoles
):
    schools = (city.schools + city.others)[:SCHOOLS]
    fleet = [connected_agent(incident_hub, agents, school) for school in schools]
    watcher = consoles(incident_hub, "zhao")
    worker = consoles(incident_hub, "wang", subscribe=False)
    own = raised(worker, schools[0], "manual", "值班室")
    kinds = itertools.cycle(FLOOD_TYPES)
    latencies: list[float] = []
    sent: dict[int, set[str]] = {i: set() for i in range(SCHOOLS)}
    for n in range(ALARMS):
        index = n % SCHOOLS
        sent[index].add(send_alarm(fleet[index], next(kinds), f"防区-{n % 7}"))
        if n % 100 == 99:
            start = time.monotonic()
            worker.request("incident_note", incident_id=own, text=f"第 {n + 1} 条报警时仍在处理")
            latencies.append(time.monotonic() - start)
    assert max(latencies) < 0.2, latencies
    for index, agent in enumerate(fleet):
        acked: set[str] = set()
        while acked < sent[index]:
            acked.update(agent.recv_type(EventAck, timeout=10.0).event_ids)
    watcher.wait(lambda: sum(i.alarm_count for i in watcher.incidents.values()) == ALARMS + 1, timeout=15.0)
    flood = [i for i in watcher.incidents.values() if i.incident_id != own]
    # 50 schools x 3 types, each within its grouping window: one incident each.
    assert len(flood) == SCHOOLS * len(FLOOD_TYPES)
    assert max(u.alarm_rate_per_min for u in watcher.updates) >= ALARMS * 0.9
    stats = incident_hub.stats()
    assert stats["events_stored"] == ALARMS
    deadline = time.monotonic() + 10
    while incident_hub.stats()["incidents_unsaved"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert incident_hub.stats()["incidents_unsaved"] == 0
    history = worker.request("incident_history", limit=1000)["incidents"]
    assert sum(i["alarm_count"] for i in history) == ALARMS + 1


def test_incidents_survive_a_hub_restart(city: City, hub_factory: Callable[..., Hub], agents, consoles):
    hub = hub_factory(city.url, console_public_keys=(CONSOLE.public,))
    agent = connected_agent(hub, agents, city.schools[0])
    event_id = send_alarm(agent, "one_key", "南门")
    agent.recv_type(EventAck)
    wang = consoles(hub, "wang")
    wang.wait(lambda: len(wang.incidents) == 1)
    (incident_id,) = wang.incidents
    wang.request("incident_take", incident_id=incident_id)
    wang.request("incident_step", incident_id=incident_id, step="confirm_video", done=True)
    wang.request("incident_note", incident_id=incident_id, text="门卫称误按")
    before = wang.request("incident_timeline", incident_id=incident_id)
    hub.stop()

    again = hub_factory(city.url, console_public_keys=(CONSOLE.public,))
    zhao = consoles(again, "zhao")
    (restored,) = zhao.snapshot.incidents
    assert restored.incident_id == incident_id
    assert restored.owner == "wang" and restored.state == "acknowledged"
    assert restored.steps[0].state == "done" and [n.text for n in restored.notes] == ["门卫称误按"]
    assert restored.version == before["incident"]["version"]
    # The agent reconnects and resends the alarm it never saw acknowledged: not counted again;
    # a new alarm still joins the incident it belongs to.
    back = agents(again.agent_endpoint, again.public_key, agent.keypair)
    back.hello(city.schools[0])
    send_alarm(back, "one_key", "南门", event_id=event_id)
    send_alarm(back, "one_key", "南门")
    zhao.wait(lambda: zhao.shows(incident_id, alarm_count=2))
    zhao.pump(0.3)
    assert len(zhao.incidents) == 1 and zhao.incidents[incident_id].alarm_count == 2
    after = zhao.request("incident_timeline", incident_id=incident_id)
    assert after["entries"][: len(before["entries"])] == before["entries"]
    assert len(after["alarms"]) == 2
