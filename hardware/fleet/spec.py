"""What a fleet worker is told to run: its agents, the hub, and the simulated behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec

from hardware.adapters.alarm_event import ALARM_TYPES, INTRUSION, MANUAL


class Flood(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An alarm flood: `alarms` alarms spread evenly over `over_s` seconds from the listed schools.

    1,500 alarms in 20 minutes from 50 schools: Flood(alarms=1500, over_s=1200, schools=<50 codes>).
    Alarm i comes from schools[i % K], of type types[(i // K) % len(types)], so each school sends
    its share in a steady stream (hardware/fleet/flood.py). It starts `start_after_s` after the
    agents do; schools not in the fleet are skipped.
    """

    alarms: int
    over_s: float
    schools: list[str]
    types: list[str] = msgspec.field(default_factory=lambda: [INTRUSION])
    start_after_s: float = 0.0

    def __post_init__(self) -> None:
        if self.alarms < 1 or self.over_s <= 0 or self.start_after_s < 0:
            raise ValueError("a flood needs alarms >= 1, over_s > 0 and start_after_s >= 0")
        if not self.schools or len(set(self.schools)) != len(self.schools):
            raise ValueError("a flood needs a list of distinct schools")
        unknown = [t for t in self.types if t not in ALARM_TYPES or t == MANUAL]
        if not self.types or unknown:
            raise ValueError(f"flood alarm types must be school alarm types, not {unknown or self.types}")


class Behaviour(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Realistic background activity of every simulated school."""

    # Simulated alarms per school (cameras: per camera) per hour, by type. Camera loss alarms
    # follow from camera faults that outlast camera_loss_after_polls health polls.
    alarm_rate_per_h: float = 0.0  # one-key alarms at the gate
    intrusion_rate_per_h: float = 0.0
    fire_rate_per_h: float = 0.0
    camera_tamper_rate_per_h: float = 0.0
    patrol_missed_rate_per_h: float = 0.0  # missed checkpoints; patrols run every patrol_scan_s
    camera_loss_after_polls: int = 3
    flood: Flood | None = None
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
    # Record every playback as a WAV, sample for sample, with an index.jsonl, in <agent folder>/pa-wav/,
    # so what each school heard can be compared with what was sent (bench.broadcast, bench.voice).
    pa_record: bool = False
    # "shared": the agents of one worker process share one store file with one commit per loop
    # iteration (hardware/agent/group_commit.py); "own": every agent its own file, as in production.
    store: Literal["shared", "own"] = "shared"


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
    store_file: str = ""  # the store shared by this worker's agents; "" gives each agent its own file


def agent_folder(fleet_folder: Path, school: str) -> Path:
    # Two-level layout keeps directory listings small with 10,000 agents.
    return fleet_folder / "agents" / school[-2:] / school
