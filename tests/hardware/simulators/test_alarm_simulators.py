"""Simulated alarm sources: the same alarm events as the real adapters, at seeded, configurable rates."""

import asyncio
import random

import pytest

from hardware.adapters.registry import make_adapter
from hardware.simulators.alarm_input_sim import SimulatedAlarmInput
from hardware.simulators.alarm_source import SimulatedAlarmSource
from hardware.simulators.camera_sim import SimulatedCamera
from hardware.simulators.fire_panel_sim import SimulatedFirePanel
from hardware.simulators.intrusion_panel_sim import SimulatedIntrusionPanel
from hardware.simulators.patrol_reader_sim import SimulatedPatrolReader


def _collect(adapter):
    events = []
    adapter.bind(lambda _a, e: events.append(e))
    return events


def _run_for(adapter, seconds):
    async def scenario():
        task = asyncio.create_task(adapter.run())
        await asyncio.sleep(seconds)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("type_name", "alarm_type"),
    [("intrusion_panel_sim", "intrusion"), ("fire_panel_sim", "fire"), ("alarm_input_sim", "one_key")],
)
def test_simulated_sources_raise_alarms_at_their_rate(type_name, alarm_type):
    source = make_adapter(type_name, "sim-1", {"rate_per_h": 3600 * 200, "seed": 7})
    events = _collect(source)
    _run_for(source, 0.2)
    assert 10 <= len(events) <= 80  # about 40 expected
    assert {(e.kind, e.priority, e.details["type"]) for e in events} == {("alarm", "alarm", alarm_type)}
    assert all(e.details["location"] for e in events)
    assert isinstance(source, SimulatedAlarmSource) and source.alarm_types == {alarm_type}


def test_a_seed_makes_a_run_repeatable():
    runs = []
    for _ in range(2):
        panel = SimulatedIntrusionPanel("intrusion-1", {"a": "东围墙", "b": "北门", "c": "操场"}, seed=42)
        events = _collect(panel)
        for _ in range(20):
            panel.trip()
        runs.append([e.details["zone"] for e in events])
    assert runs[0] == runs[1] and len(set(runs[0])) == 3
    other = SimulatedIntrusionPanel("intrusion-1", {"a": "东围墙", "b": "北门", "c": "操场"}, seed=43)
    events = _collect(other)
    for _ in range(20):
        other.trip()
    assert [e.details["zone"] for e in events] != runs[0]


def test_zone_panels_name_the_zone_and_its_location():
    fire = SimulatedFirePanel("fire-1", {"Z03": "教学楼三层"})
    events = _collect(fire)
    fire.trigger("fire")
    fire.trip("Z99")
    assert [e.details for e in events] == [
        {"type": "fire", "location": "教学楼三层", "zone": "Z03", "simulated": True},
        {"type": "fire", "location": "Z99", "zone": "Z99", "simulated": True},
    ]


def test_simulated_alarm_input_type_and_location_are_options():
    button = SimulatedAlarmInput.from_options("alarm-1", {"alarm_type": "intrusion", "location": "北门"})
    events = _collect(button)
    button.trigger("intrusion")
    assert events[0].details == {
        "type": "intrusion",
        "location": "北门",
        "input": "alarm-1",
        "simulated": True,
    }
    assert button.raised == 1


def test_simulated_camera_loss_after_n_faulty_polls_once_per_outage():
    camera = SimulatedCamera("cam-2", loss_after=2, rng=random.Random(1))
    events = _collect(camera)
    camera.forced_fault = "unplugged"
    states = [asyncio.run(camera.health()).state for _ in range(4)]
    camera.forced_fault = None
    states.append(asyncio.run(camera.health()).state)
    camera.forced_fault = "unplugged again"
    states += [asyncio.run(camera.health()).state for _ in range(2)]
    assert states == ["fault"] * 4 + ["ok"] + ["fault"] * 2
    assert [(e.details["type"], e.details["camera"], e.details["detail"]) for e in events] == [
        ("camera_loss", "cam-2", "unplugged"),
        ("camera_loss", "cam-2", "unplugged again"),
    ]


def test_simulated_camera_tampering_is_raised_at_once_and_not_again_while_it_lasts():
    camera = SimulatedCamera("cam-1", location="东门", tamper_duration_s=60)
    events = _collect(camera)
    camera.trigger("camera_tamper")
    assert [(e.details["type"], e.details["location"]) for e in events] == [("camera_tamper", "东门")]
    status = asyncio.run(camera.health())
    assert status.state == "degraded" and "tamper" in status.detail
    assert len(events) == 1
    camera.trigger("camera_loss")
    assert [e.details["type"] for e in events] == ["camera_tamper", "camera_loss"]
    assert asyncio.run(camera.health()).state == "fault"


def test_simulated_camera_tampers_at_its_rate():
    camera = SimulatedCamera("cam-1", tamper_rate_per_h=3.6e9, tamper_duration_s=1000, seed=5)
    events = _collect(camera)
    for _ in range(3):
        asyncio.run(camera.health())
    assert [e.details["type"] for e in events] == ["camera_tamper"]


def test_simulated_patrol_misses_are_patrol_missed_alarms():
    reader = SimulatedPatrolReader("patrol-1", checkpoints=["a", "b"], miss_fraction=1.0, seed=3)
    events = _collect(reader)
    reader.scan()
    reader.trigger("patrol_missed")
    assert [(e.kind, e.priority, e.details["type"], e.details["checkpoint"]) for e in events] == [
        ("alarm", "alarm", "patrol_missed", "a"),
        ("alarm", "alarm", "patrol_missed", "b"),
    ]
