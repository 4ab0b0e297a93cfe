"""Alarm floods and alarm rates in the fleet's behaviour spec, and a worker raising them for real."""

import asyncio
import collections

import msgspec
import pytest

from hardware.fleet.flood import flood_plan
from hardware.fleet.spec import AgentSlot, Behaviour, Flood, WorkerSpec
from hardware.fleet.worker import FleetWorker
from services.protocol import keys
from tests.hardware.stand_in_hub import StandInHub, wait_for

SCHOOLS_50 = [f"QD-{i:04d}" for i in range(1, 51)]


def test_1500_alarms_in_20_minutes_from_50_schools_is_expressible_and_planned_evenly():
    behaviour = Behaviour(
        flood=Flood(alarms=1500, over_s=1200, schools=SCHOOLS_50, types=["intrusion", "fire"])
    )
    # It survives the trip to a worker process (the spec is JSON).
    flood = msgspec.json.decode(msgspec.json.encode(behaviour), type=Behaviour).flood
    plan = flood_plan(flood)
    assert len(plan) == 1500
    per_school = collections.Counter(p.school for p in plan)
    assert set(per_school) == set(SCHOOLS_50) and set(per_school.values()) == {30}
    offsets = [p.offset_s for p in plan]
    assert offsets == sorted(offsets) and offsets[0] == 0 and offsets[-1] < 1200
    assert offsets[1] - offsets[0] == pytest.approx(0.8)  # 1,500 over 1,200 s: one every 0.8 s
    assert collections.Counter(p.alarm_type for p in plan) == {"intrusion": 750, "fire": 750}
    first_school = [p.alarm_type for p in plan if p.school == SCHOOLS_50[0]]
    assert first_school[:3] == ["intrusion", "fire", "intrusion"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"alarms": 0, "over_s": 10, "schools": ["A"]}, r"alarms >= 1"),
        ({"alarms": 5, "over_s": 0, "schools": ["A"]}, r"over_s > 0"),
        ({"alarms": 5, "over_s": 10, "schools": []}, r"distinct schools"),
        ({"alarms": 5, "over_s": 10, "schools": ["A", "A"]}, r"distinct schools"),
        ({"alarms": 5, "over_s": 10, "schools": ["A"], "types": ["smoke"]}, r"school alarm types"),
        ({"alarms": 5, "over_s": 10, "schools": ["A"], "types": ["manual"]}, r"school alarm types"),
    ],
)
def test_a_bad_flood_is_refused_when_the_spec_is_read(fields, message):
    with pytest.raises(msgspec.ValidationError, match=message):
        msgspec.json.decode(msgspec.json.encode({"flood": fields}), type=Behaviour)


def test_alarm_rates_per_type_are_behaviour_fields():
    behaviour = msgspec.json.decode(
        b'{"alarm_rate_per_h": 0.1, "intrusion_rate_per_h": 0.2, "fire_rate_per_h": 0.01,'
        b' "camera_tamper_rate_per_h": 0.05, "patrol_missed_rate_per_h": 0.3}',
        type=Behaviour,
    )
    assert (behaviour.intrusion_rate_per_h, behaviour.patrol_missed_rate_per_h) == (0.2, 0.3)
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.json.decode(b'{"smoke_rate_per_h": 1}', type=Behaviour)


def test_a_worker_raises_its_share_of_a_flood_and_alarms_on_request(tmp_path):
    schools = ["QD-0001", "QD-0002", "QD-0003"]

    async def scenario():
        hub = StandInHub()
        await hub.start()
        slots = []
        for school in schools:
            folder = tmp_path / school
            keys.load_or_create(folder / "agent.key")
            slots.append(AgentSlot(school=school, folder=str(folder)))
        flood = Flood(
            alarms=12, over_s=0.6, schools=["QD-0001", "QD-0003", "QD-9999"], types=["intrusion", "fire"]
        )
        spec = WorkerSpec(
            index=0,
            control_endpoint="tcp://127.0.0.1:1",  # unused: the test drives the worker directly
            agent_endpoint=hub.endpoint,
            enroll_endpoint=hub.endpoint,
            hub_public_key=hub.server.public.decode(),
            agents=slots,
            behaviour=Behaviour(flood=flood, cameras_per_school=2, backoff_initial_s=0.1, backoff_max_s=0.5),
            seed=1,
        )
        worker = FleetWorker(spec)
        try:
            assert await worker.start_agents() == 3
            await wait_for(lambda: all(a.connected for a in worker.agents.values()), what="agents connected")
            raised = worker.raise_alarms(
                [
                    ["QD-0002", "one_key"],
                    ["QD-0002", "camera_tamper"],
                    ["QD-0002", "patrol_missed"],
                    ["QD-7777", "fire"],
                ]
            )
            alarms = lambda: [(e.source, e.details) for e in hub.events.values() if e.kind == "alarm"]  # noqa: E731
            # The flood's 12 planned alarms include 4 for a school not in this fleet: 8 are raised.
            await wait_for(lambda: len(alarms()) >= 11, timeout=15, what="flood and requested alarms")
            await asyncio.sleep(0.3)
            return raised, alarms(), worker.flood_raised, worker.status(False)
        finally:
            await worker.stop_agents()
            worker.ctx.destroy(linger=0)
            await hub.stop()

    raised, alarms, flood_raised, status = asyncio.run(scenario())
    assert [r[:2] for r in raised] == [
        ["QD-0002", "one_key"],
        ["QD-0002", "camera_tamper"],
        ["QD-0002", "patrol_missed"],
    ]
    assert flood_raised == 8 and status["flood_raised"] == 8
    assert len(alarms) == 11
    types = collections.Counter((e[0], e[1]["type"]) for e in alarms)
    assert types == {
        ("intrusion-1", "intrusion"): 4,
        ("fire-1", "fire"): 4,
        ("alarm-1", "one_key"): 1,
        ("cam-1", "camera_tamper"): 1,
        ("patrol-1", "patrol_missed"): 1,
    }
