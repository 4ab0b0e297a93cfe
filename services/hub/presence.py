"""Presence of school agents from their messages: online -> late -> offline.

Every message from an agent counts as a sign of life (heartbeats exist for when there is nothing
else to say). A timer calls `sweep`; changes are collected for the consoles' coalesced updates
and last-seen times for a periodic batch write (not one write per heartbeat).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from services.protocol.agent_messages import DeviceStatus
from services.protocol.console_messages import SchoolPresence
from services.protocol.states import Presence


@dataclass(slots=True)
class _Record:
    presence: Presence
    last_seen: float  # wall clock, for people and the database
    last_mono: float  # monotonic, for the timers
    agent_version: str = ""
    devices: list[DeviceStatus] = field(default_factory=list)
    pa_zones: list[str] = field(default_factory=list)


class PresenceTracker:
    def __init__(self, late_after_s: float, offline_after_s: float) -> None:
        self._late_after = late_after_s
        self._offline_after = offline_after_s
        self._records: dict[str, _Record] = {}
        self.changed: set[str] = set()  # schools whose view changed since the last console update
        self._seen: set[str] = set()  # schools seen since the last last-seen write

    def known(self, school: str, last_seen: float | None) -> None:
        """An enrolled school not (yet) connected: offline, last seen as stored."""
        if school not in self._records:
            self._records[school] = _Record(Presence.OFFLINE, last_seen or 0.0, float("-inf"))
            self.changed.add(school)

    def forget(self, school: str) -> None:
        if self._records.pop(school, None) is not None:
            self.changed.add(school)

    def touch(self, school: str, now_mono: float, now_wall: float) -> None:
        record = self._records.get(school)
        if record is None:
            record = _Record(Presence.ONLINE, now_wall, now_mono)
            self._records[school] = record
            self.changed.add(school)
        else:
            record.last_seen = now_wall
            record.last_mono = now_mono
            if record.presence is not Presence.ONLINE:
                record.presence = Presence.ONLINE
                self.changed.add(school)
        self._seen.add(school)

    def hello(
        self, school: str, agent_version: str, devices: list[DeviceStatus], pa_zones: list[str] | None = None
    ) -> None:
        record = self._records[school]
        record.agent_version = agent_version
        record.devices = list(devices)
        record.pa_zones = list(pa_zones or [])
        self.changed.add(school)

    def status(self, school: str, devices: list[DeviceStatus]) -> None:
        record = self._records.get(school)
        if record is not None and record.devices != devices:
            record.devices = list(devices)
            self.changed.add(school)

    def gone(self, school: str) -> None:
        """The agent said bye, or its key was revoked."""
        record = self._records.get(school)
        if record is not None and record.presence is not Presence.OFFLINE:
            record.presence = Presence.OFFLINE
            record.last_mono = float("-inf")
            self.changed.add(school)

    def sweep(self, now_mono: float | None = None) -> list[str]:
        """Mark late and offline agents; returns the schools that just went offline."""
        now_mono = time.monotonic() if now_mono is None else now_mono
        late_before = now_mono - self._late_after
        offline_before = now_mono - self._offline_after
        went_offline: list[str] = []
        for school, record in self._records.items():
            if record.presence is Presence.OFFLINE or record.last_mono > late_before:
                continue
            if record.last_mono <= offline_before:
                record.presence = Presence.OFFLINE
                went_offline.append(school)
                self.changed.add(school)
            elif record.presence is Presence.ONLINE:
                record.presence = Presence.LATE
                self.changed.add(school)
        return went_offline

    def presence_of(self, school: str) -> Presence | None:
        record = self._records.get(school)
        return record.presence if record is not None else None

    def view(self, school: str) -> SchoolPresence | None:
        record = self._records.get(school)
        if record is None:
            return None
        return SchoolPresence(
            school=school,
            presence=record.presence.value,
            last_seen=record.last_seen,
            agent_version=record.agent_version,
            devices=list(record.devices),
            pa_zones=list(record.pa_zones),
        )

    def all_views(self) -> list[SchoolPresence]:
        return [v for school in sorted(self._records) if (v := self.view(school)) is not None]

    def take_changed(self) -> list[SchoolPresence]:
        views = [v for school in sorted(self.changed) if (v := self.view(school)) is not None]
        self.changed.clear()
        return views

    def take_seen(self) -> dict[str, float]:
        """Last-seen times to write since the previous call."""
        seen = {s: self._records[s].last_seen for s in self._seen if s in self._records}
        self._seen.clear()
        return seen

    def counts(self) -> dict[str, int]:
        counts = {p.value: 0 for p in Presence}
        for record in self._records.values():
            counts[record.presence.value] += 1
        return counts
