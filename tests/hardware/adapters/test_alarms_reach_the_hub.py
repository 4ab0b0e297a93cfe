"""An alarm at the school reaches the hub as the `event` the spec describes: a real GPIO-style input
and simulated panels inside a running agent, over real sockets to a stand-in hub."""

import asyncio

from hardware.adapters.alarm_input import AlarmInputAdapter
from hardware.agent.agent import SchoolAgent
from hardware.simulators.camera_sim import SimulatedCamera
from hardware.simulators.fire_panel_sim import SimulatedFirePanel
from hardware.supervisor import SupervisorPolicy
from services.protocol import keys
from tests.hardware.agent.test_agent import _config
from tests.hardware.stand_in_hub import StandInHub, wait_for


def test_alarms_from_devices_arrive_at_the_hub_with_type_location_and_source(tmp_path):
    value = tmp_path / "gpio17"
    value.write_text("0")

    async def scenario():
        hub = StandInHub()
        await hub.start()
        button = AlarmInputAdapter("btn-gate", value, poll_s=0.01, debounce_s=0.0, location="东门")
        fire = SimulatedFirePanel("fire-1", {"Z03": "教学楼三层"})
        camera = SimulatedCamera("cam-3", loss_after=2)
        agent = SchoolAgent(
            _config(tmp_path, hub.endpoint, hub.server.public),
            adapters=[button, fire, camera],
            keys=keys.load_or_create(tmp_path / "agent.key"),
            supervisor_policy=SupervisorPolicy(poll_interval_s=0.05),
        )
        task = asyncio.create_task(agent.run())
        try:
            await wait_for(lambda: agent.connected, what="session")
            value.write_text("1")
            fire.trigger("fire")
            camera.forced_fault = "unplugged"
            alarms = lambda: [e for e in hub.events.values() if e.kind == "alarm"]  # noqa: E731
            await wait_for(lambda: len(alarms()) >= 3, what="three alarms at the hub")
            await asyncio.sleep(0.2)  # more polls of the unplugged camera raise nothing more
            return alarms()
        finally:
            agent.stop()
            await asyncio.wait_for(task, 5)
            await hub.stop()

    alarms = asyncio.run(scenario())
    by_source = {e.source: e for e in alarms}
    assert len(alarms) == 3 and set(by_source) == {"btn-gate", "fire-1", "cam-3"}
    assert all(e.priority == "alarm" and e.occurred_at > 0 for e in alarms)
    assert by_source["btn-gate"].details == {"type": "one_key", "location": "东门", "input": "btn-gate"}
    assert by_source["fire-1"].details["type"] == "fire"
    assert by_source["fire-1"].details["location"] == "教学楼三层"
    assert by_source["fire-1"].details["zone"] == "Z03"
    assert by_source["cam-3"].details["type"] == "camera_loss"
    assert by_source["cam-3"].details["camera"] == "cam-3"
