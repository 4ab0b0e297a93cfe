"""The fleet: 50 real agents in 2 processes, enrolled through the hub's admin path, answer a command."""

import time

import pytest

from hardware.fleet.admin import HubAdmin
from hardware.fleet.controller import Fleet
from hardware.fleet.spec import Behaviour
from services.hub.config import HubConfig, Target
from services.hub.server import Hub
from tests.hardware.agent.test_with_hub import seed_schools

pytestmark = pytest.mark.slow

SCHOOLS = [f"QD-{i:04d}" for i in range(1, 51)]


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_fleet_of_50_in_2_processes_connects_and_answers_a_command(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'hub.db'}"
    seed_schools(database_url, SCHOOLS)
    hub = Hub(
        HubConfig(
            database_url=database_url,
            key_dir=tmp_path / "hub",
            agent_endpoint="tcp://127.0.0.1:0",
            enroll_endpoint="tcp://127.0.0.1:0",
            console_endpoint="tcp://127.0.0.1:0",
            heartbeat_interval_s=1.0,
        )
    )
    hub.start()
    try:
        fleet = Fleet(
            tmp_path / "fleet",
            SCHOOLS,
            agent_endpoint=hub.agent_endpoint,
            enroll_endpoint=hub.enroll_endpoint,
            hub_public_key=hub.public_key,
            processes=2,
            behaviour=Behaviour(camera_fault_rate_per_h=0.0),
        )
        with fleet:
            fleet.spawn()
            admin = HubAdmin(tmp_path / "hub", console_endpoint=hub.console_endpoint)
            try:
                assert fleet.enroll(admin) == 50
            finally:
                admin.close()
            assert fleet.start_agents() == 50
            _wait(lambda: fleet.status()["connected"] == 50, 30, "all 50 agents connected")

            # Each simulated school reports its PA zones in its hello; the hub passes them on.
            views = hub.call(lambda ops, done: done(ops._core.presence.all_views(), None))
            assert sorted(v.school for v in views) == SCHOOLS
            assert all({"all", "教学楼", "操场"} <= set(v.pa_zones) for v in views)

            command_id = hub.issue_command(Target.school_list(SCHOOLS), "ping", {}, 60.0, "test")

            def all_done():
                status = hub.call(lambda ops, done: ops.command_status(command_id, done))
                states = [d["state"] for d in status["deliveries"]]
                return len(states) == 50 and all(s == "done" for s in states)

            _wait(all_done, 30, "all 50 pings done")

            # "Raise K events now" reaches every agent and comes back per agent.
            raised = {}
            for answer in fleet.request_all("raise", per_agent=2, priority="alarm"):
                raised.update(answer["events"])
            assert sorted(raised) == SCHOOLS and all(len(ids) == 2 for ids in raised.values())
            _wait(lambda: fleet.status()["backlog"] == 0, 30, "every event acknowledged")
    finally:
        hub.stop()
