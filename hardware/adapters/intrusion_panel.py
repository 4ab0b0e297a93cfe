"""An intrusion alarm panel's zone outputs: one contact per zone, read from GPIO value files.

Panels (e.g. perimeter beams, door and window detectors) give each zone a relay output wired to the
agent's board; a zone going active while the panel is armed is an intrusion alarm at that zone.
`armed_file`, when given, is the panel's "armed" output: while it reads inactive (school hours,
disarmed) zone activity is normal traffic and raises nothing.

```toml
[[adapters]]
type = "intrusion_panel"
id = "intrusion-1"
armed_file = "/sys/class/gpio/gpio20/value"       # optional: always armed without it
zones = [
  { id = "z1", value_file = "/sys/class/gpio/gpio21/value", location = "东围墙" },
  { id = "z2", value_file = "/sys/class/gpio/gpio22/value", location = "北门", active_level = "0" },
]
```
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hardware.adapters.alarm_event import INTRUSION, alarm_event
from hardware.adapters.base import AdapterOptionError, DeviceAdapter, no_more, take
from hardware.adapters.contact import ContactInput
from services.protocol.agent_messages import DeviceStatus


@dataclass(frozen=True, slots=True)
class Zone:
    zone_id: str
    location: str
    contact: ContactInput


class IntrusionPanelAdapter(DeviceAdapter):
    kind = "alarm_input"

    def __init__(
        self,
        device_id: str,
        zones: list[Zone],
        armed: ContactInput | None = None,
        poll_s: float = 0.05,
    ) -> None:
        super().__init__(device_id)
        if not zones:
            raise AdapterOptionError("option 'zones': an intrusion panel needs at least one zone")
        self.zones = zones
        self.armed = armed
        self.poll_s = poll_s

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> IntrusionPanelAdapter:
        raw_zones = take(options, "zones", list, required=True)
        armed_file = take(options, "armed_file", str, "")
        armed_level = take(options, "armed_level", str, "1")
        poll = take(options, "poll_s", float, 0.05)
        debounce = take(options, "debounce_s", float, 0.2)
        no_more(options)
        zones: list[Zone] = []
        seen: set[str] = set()
        for index, raw in enumerate(raw_zones, start=1):
            if not isinstance(raw, dict):
                raise AdapterOptionError(f"zone #{index}: expected a table {{id, value_file, location}}")
            zone = dict(raw)
            try:
                zone_id = take(zone, "id", str, required=True)
                value_file = Path(take(zone, "value_file", str, required=True))
                location = take(zone, "location", str, "")
                level = take(zone, "active_level", str, "1")
                no_more(zone)
            except AdapterOptionError as exc:
                raise AdapterOptionError(f"zone #{index}: {exc}") from None
            if zone_id in seen:
                raise AdapterOptionError(f"zone #{index}: duplicate zone id {zone_id!r}")
            seen.add(zone_id)
            zones.append(Zone(zone_id, location or zone_id, ContactInput(value_file, level, debounce)))
        armed = ContactInput(Path(armed_file), armed_level, 0.0) if armed_file else None
        return cls(device_id, zones, armed, poll)

    def is_armed(self) -> bool:
        return self.armed is None or self.armed.read() == self.armed.active_level

    async def start(self) -> None:
        # Fail the start (and get restarted) when an input is not there.
        for zone in self.zones:
            zone.contact.read()
        if self.armed is not None:
            self.armed.read()

    async def run(self) -> None:
        for zone in self.zones:
            zone.contact.prime()
        while True:
            await asyncio.sleep(self.poll_s)
            armed = self.is_armed()
            for zone in self.zones:
                # Every zone is read even while disarmed, so arming with a zone already open is
                # not an alarm (the panel itself refuses or bypasses such a zone).
                if zone.contact.poll() and armed:
                    self.emit(alarm_event(INTRUSION, zone.location, zone=zone.zone_id))

    async def health(self) -> DeviceStatus:
        missing = []
        for zone in self.zones:
            try:
                zone.contact.read()
            except OSError:
                missing.append(zone.zone_id)
        if missing:
            return self.status("fault", f"zone input(s) unreadable: {', '.join(missing)}")
        try:
            armed = self.is_armed()
        except OSError as exc:
            return self.status("fault", f"cannot read the armed input: {exc.strerror}")
        return self.status("ok", "armed" if armed else "disarmed")
