"""What a fleet worker is told to run: its agents, the hub, and the simulated behaviour."""

from __future__ import annotations

from pathlib import Path

import msgspec


class Behaviour(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Realistic background activity of every simulated school."""

    alarm_rate_per_h: float = 0.0  # simulated one-key alarms per agent per hour
    camera_fault_rate_per_h: float = 0.0  # per camera per hour
    camera_fault_s: float = 60.0
    cameras_per_school: int = 1
    patrol_scan_s: float = 0.0  # 0: no simulated patrols
    drop_fraction: float = 0.0  # share of agents that drop off and return every drop_every_s
    drop_every_s: float = 60.0
    drop_for_s: float = 10.0
    health_poll_s: float = 30.0
    # Generous: under a reconnect storm an agent that gives up on a slow welcome only adds load.
    hello_timeout_s: float = 30.0
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 8.0
    zmq_heartbeat_s: float = 10.0
    pa_log: bool = False  # write what the simulated PAs play to <folder>/pa/<school>.jsonl


class AgentSlot(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    school: str
    folder: str  # key file and outbox live here


class WorkerSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    index: int
    control_endpoint: str
    agent_endpoint: str
    enroll_endpoint: str
    hub_public_key: str
    agents: list[AgentSlot]
    behaviour: Behaviour = msgspec.field(default_factory=Behaviour)
    seed: int = 0


def agent_folder(fleet_folder: Path, school: str) -> Path:
    # Two-level layout keeps directory listings small with 10,000 agents.
    return fleet_folder / "agents" / school[-2:] / school
