"""The alarm centre inside a real console: queue, sound, flashing map, fly-to, cameras on the
wall, transfer prompt, reports; the hub is a fake driven by the test."""

from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QMessageBox

from console.access.current_operator import CurrentOperator
from console.alarms.alarm_center import AlarmCenter
from console.alarms.sounds import AlarmSounds
from console.hub.bridge import HubReply
from tests.console.alarms.conftest import FakeHub, incident_dict

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture
def center(running_console, qtbot, tmp_path):
    console = running_console
    hub = FakeHub()
    operator = CurrentOperator()
    operator.set_from_login(
        {"username": "wang", "role": "operator", "permissions": ["view", "handle_alarms"]}
    )
    sounds = AlarmSounds(tmp_path / "sounds", probe=lambda: False)
    made = AlarmCenter(
        hub, operator, tmp_path, tmp_path / "settings.ini", sounds=sounds, parent=console.window
    )
    made.attach_map(console.map_page)
    made.attach_wall(console.wall_page, lambda: None)
    qtbot.waitUntil(lambda: console.wall_page.catalog() is not None, timeout=20_000)
    made.set_schools(console.map_page._city.schools)
    made.start()
    made.hub = hub
    made.operator = operator
    made.console = console
    yield made
    made.shutdown()
    made.dock.close()


def push(center, qtbot, incidents, complete=False):
    center.hub.incidentsChanged.emit(incidents, complete)
    qtbot.waitUntil(lambda: center.feed.pending == 0 and not center.feed.timer.isActive(), timeout=2000)


def test_new_incident_rings_flashes_and_stops_flashing_when_acknowledged(center, qtbot):
    school = center.console.map_page._city.schools[3]
    incident = incident_dict(incident_id="i1", school=school.code, alarm_type="fire", priority=1)
    push(center, qtbot, [incident])

    assert center.model.rowCount() == 1
    assert center.sounds.played == ["fire"]
    assert center.sounds.repeat_timer.isActive()  # an unacknowledged priority-1 incident
    assert center.console.map_page.map.flashing_ids() == {school.id}
    assert center.panel.incident().incident_id == "i1"  # the first new incident is shown at once

    acknowledged = dict(incident, state="acknowledged", acknowledged_by="li", acknowledged_at=time.time())
    push(center, qtbot, [dict(acknowledged, version=2)])
    assert center.console.map_page.map.flashing_ids() == set()
    assert not center.sounds.repeat_timer.isActive()
    assert center.panel.incident().state == "acknowledged"
    assert center.sounds.played == ["fire"]  # a change is not a new incident


def test_activating_an_incident_flies_the_map_to_its_school(center, qtbot):
    school = center.console.map_page._city.schools[5]
    push(center, qtbot, [incident_dict(incident_id="i2", school=school.code)])
    center.go_to_incident("i2")
    map_widget = center.console.map_page.map
    qtbot.waitUntil(lambda: map_widget.view_contains(school.id), timeout=3000)
    assert map_widget.marker_layer.highlight is not None


def test_open_cameras_puts_the_school_on_a_new_wall_page(center, qtbot):
    catalog = center.console.wall_page.catalog()
    school = next(s for d in catalog.districts for s in d.schools if s.cameras)
    push(center, qtbot, [incident_dict(incident_id="i3", school=school.code)])
    wall = center.console.wall_page.wall
    before = [c for c in wall.cameras() if c is not None]
    with qtbot.waitSignal(center.wallPageWanted):
        center.open_cameras("i3")
    slots = wall.cameras()
    shown = slots[wall.page() * wall.wall_layout().tile_count :]
    assert [c.camera_id for c in shown if c is not None] == [c.camera_id for c in school.cameras]
    assert [c for c in slots if c is not None][: len(before)] == before  # the operator's wall is kept
    assert school.id in wall._alarm_schools


def test_receiver_is_asked_to_accept_a_transfer(center, qtbot):
    push(
        center, qtbot, [incident_dict(incident_id="i4", state="acknowledged", owner="li", transfer_to="wang")]
    )
    prompt = center.transfer_prompt
    assert prompt is not None and prompt.isVisible()
    accept = next(b for b in prompt.buttons() if prompt.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    accept.click()
    qtbot.waitUntil(lambda: center.transfer_prompt is None, timeout=2000)
    assert ("incident_accept", {"incident_id": "i4"}) in center.hub.requester.sent


def test_report_from_the_panel_is_written(center, qtbot, tmp_path):
    t = time.time()
    incident = incident_dict(incident_id="i5", now=t)

    def answer(action, args):
        if action == "incident_timeline":
            return HubReply(1, action, True, {"incident": incident, "alarms": [], "entries": [
                {"at": t + 1, "by": "wang", "what": "acknowledged", "detail": ""}]})  # fmt: skip
        return HubReply(1, action, True, {})

    center.hub.requester.answer = answer
    push(center, qtbot, [incident])
    with qtbot.waitSignal(center.reports.written, timeout=30_000) as signal:
        center.write_report("i5")
    center.reports.wait()
    assert signal.args[0].startswith(str(tmp_path / "reports"))


def test_logout_empties_the_queue(center, qtbot):
    push(center, qtbot, [incident_dict(incident_id="i6")])
    center.operator.clear()
    assert center.model.rowCount() == 0
    assert center.panel.incident() is None
