import asyncio
import random

from hardware.simulators.alarm_input_sim import SimulatedAlarmInput
from hardware.simulators.camera_sim import SimulatedCamera
from hardware.simulators.patrol_reader_sim import SimulatedPatrolReader


def test_simulated_camera_faults_at_its_rate_and_when_forced():
    always = SimulatedCamera("cam-1", fault_rate_per_h=3.6e9, rng=random.Random(1))
    assert asyncio.run(always.health()).state == "fault"
    never = SimulatedCamera("cam-2")
    assert asyncio.run(never.health()).state == "ok"
    never.forced_fault = "unplugged"
    assert asyncio.run(never.health()).detail == "unplugged"


def test_simulated_alarm_inputs_raise_alarms_at_the_configured_rate():
    alarm = SimulatedAlarmInput("alarm-1", rate_per_h=3600 * 200, rng=random.Random(2))
    kinds = []
    alarm.bind(lambda a, e: kinds.append((e.kind, e.priority)))

    async def scenario():
        task = asyncio.create_task(alarm.run())
        await asyncio.sleep(0.2)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())
    assert 10 <= len(kinds) <= 80  # about 40 expected
    assert set(kinds) == {("alarm", "alarm")}


def test_simulated_patrol_reader_walks_its_checkpoints():
    reader = SimulatedPatrolReader("patrol-1", checkpoints=["a", "b"], rng=random.Random(3))
    seen = []
    reader.bind(lambda _a, e: seen.append(e.details["checkpoint"]))
    for _ in range(3):
        reader.scan()
    assert seen == ["a", "b", "a"]
