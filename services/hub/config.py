"""Hub configuration and command targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.protocol.states import HEARTBEAT_INTERVAL_S, LATE_AFTER_S, OFFLINE_AFTER_S

HUB_VERSION = "0.1.0"


@dataclass(frozen=True)
class HubConfig:
    database_url: str
    key_dir: Path  # the hub's server key pair lives here (hub.key / hub.pub), 0600
    agent_endpoint: str = "tcp://127.0.0.1:7701"  # port 0 -> a random free port
    enroll_endpoint: str = "tcp://127.0.0.1:7702"
    console_endpoint: str = "tcp://127.0.0.1:7703"
    heartbeat_interval_s: float = HEARTBEAT_INTERVAL_S
    late_after_s: float = LATE_AFTER_S
    offline_after_s: float = OFFLINE_AFTER_S
    console_public_keys: tuple[bytes, ...] = ()  # besides those stored in the database
    # How often coalesced updates go to consoles, and how often the ledger and last-seen times are
    # written: batching is what lets one socket thread serve thousands of agents.
    console_update_interval_s: float = 0.15
    # The ledger in memory is the truth while the hub runs; a delivery state not yet written when
    # the hub dies is safe (the command is resent and the agent answers it from its own record),
    # so a second's batching costs nothing and lets "sent" and "done" of a round share one write.
    ledger_flush_interval_s: float = 1.0
    last_seen_flush_interval_s: float = 30.0
    io_threads: int = 1
    # A console locks after this long without input; the operator unlocks with their password.
    idle_lock_s: float = 600.0
    # Alarm types, priorities, time limits and procedures (None: resources/alarms/alarm_types.json).
    alarm_types_path: Path | None = None
    # How often the hub looks for incidents past their acknowledgement or processing limit.
    incident_check_interval_s: float = 0.5


@dataclass(frozen=True)
class Target:
    """Which schools a command goes to: named schools, whole districts (adcodes), or the city."""

    schools: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    all_schools: bool = False

    @classmethod
    def school(cls, code: str) -> Target:
        return cls(schools=(code,))

    @classmethod
    def school_list(cls, codes: list[str] | tuple[str, ...]) -> Target:
        return cls(schools=tuple(codes))

    @classmethod
    def district(cls, adcode: str) -> Target:
        return cls(districts=(adcode,))

    @classmethod
    def city(cls) -> Target:
        return cls(all_schools=True)

    def is_empty(self) -> bool:
        return not (self.schools or self.districts or self.all_schools)

    def to_json(self) -> dict[str, Any]:
        return {"schools": list(self.schools), "districts": list(self.districts), "all": self.all_schools}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        return cls(
            schools=tuple(data.get("schools", ())),
            districts=tuple(data.get("districts", ())),
            all_schools=bool(data.get("all", False)),
        )


@dataclass(frozen=True)
class IssuedCommand:
    """What issuing a command produced: the per-school deliveries and who could not be reached."""

    command_id: str
    schools: tuple[str, ...]
    no_agent: tuple[str, ...] = field(default=())
