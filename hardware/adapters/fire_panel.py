"""A fire alarm control panel's event output, read as lines over TCP (a serial-to-Ethernet converter).

Fire panels print every state change on their serial "printer" port; a serial-to-TCP converter in
the school's network cabinet makes it a TCP server. The agent connects and reads one line per
change, UTF-8 (GB18030 accepted, as many domestic panels print it), keywords in any case:

    FIRE <zone> [location]     a detector or call point in <zone> is in alarm -> a "fire" alarm
    FAULT <zone> [text]        a panel fault (detector missing, loop open): status "degraded"
    CLEAR <zone>               <zone> is normal again (alarm and fault)
    RESET                      the panel was reset: every zone normal
    HEARTBEAT                  the panel is alive (ignored)

A zone in alarm raises one alarm, not one per repeated FIRE line, until it is cleared or reset.
The location is the line's text, else the `zones` table's entry, else the zone itself. A malformed
line is logged and skipped; a lost connection fails the device and the supervisor reconnects.

```toml
[[adapters]]
type = "fire_panel"
id = "fire-1"
address = "10.0.0.40:4001"
zones = { "Z03" = "教学楼三层", "Z07" = "食堂后厨" }
```
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from hardware.adapters.alarm_event import FIRE, alarm_event
from hardware.adapters.base import AdapterOptionError, DeviceAdapter, no_more, take
from services.protocol.agent_messages import DeviceStatus

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 1024


class FirePanelAdapter(DeviceAdapter):
    kind = "alarm_input"

    def __init__(
        self,
        device_id: str,
        host: str,
        port: int,
        zones: dict[str, str] | None = None,
        connect_timeout_s: float = 5.0,
    ) -> None:
        super().__init__(device_id)
        self.host = host
        self.port = port
        self.zones = dict(zones or {})
        self.connect_timeout_s = connect_timeout_s
        self.in_alarm: set[str] = set()
        self.faults: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> FirePanelAdapter:
        address = take(options, "address", str, required=True)
        zones = take(options, "zones", dict, {})
        timeout = take(options, "connect_timeout_s", float, 5.0)
        no_more(options)
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise AdapterOptionError(f"option 'address' must be host:port, not {address!r}")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in zones.items()):
            raise AdapterOptionError("option 'zones' must map zone names to locations (text)")
        return cls(device_id, host, int(port), zones, timeout)

    async def start(self) -> None:
        try:
            self._reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, limit=MAX_LINE_BYTES),
                self.connect_timeout_s,
            )
        except TimeoutError:
            raise ConnectionError(f"fire panel {self.host}:{self.port} did not answer") from None

    async def run(self) -> None:
        reader = self._reader
        if reader is None:
            raise ConnectionError("not connected")
        while True:
            try:
                raw = await reader.readline()
            except ValueError:
                # Longer than any panel line: garbage on the wire. The reader dropped it; go on.
                log.warning(
                    "fire panel %s: skipped a line longer than %d bytes", self.device_id, MAX_LINE_BYTES
                )
                continue
            if not raw:
                if self._writer is not None:
                    self._writer.close()  # health reports the loss until the supervisor reconnects
                raise ConnectionError(f"fire panel {self.host}:{self.port} closed the connection")
            self.handle_line(raw)

    def handle_line(self, raw: bytes) -> None:
        """Act on one line from the panel (public so a recorded panel log can be replayed)."""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        parts = text.strip().split(maxsplit=2)
        if not parts:
            return
        keyword = parts[0].upper()
        zone = parts[1] if len(parts) > 1 else ""
        rest = parts[2].strip() if len(parts) > 2 else ""
        if keyword == "FIRE" and zone:
            if zone not in self.in_alarm:
                self.in_alarm.add(zone)
                location = rest or self.zones.get(zone, zone)
                self.emit(alarm_event(FIRE, location, zone=zone))
        elif keyword == "FAULT" and zone:
            self.faults[zone] = rest or "fault"
        elif keyword == "CLEAR" and zone:
            self.in_alarm.discard(zone)
            self.faults.pop(zone, None)
        elif keyword == "RESET" and not zone:
            self.in_alarm.clear()
            self.faults.clear()
        elif keyword == "HEARTBEAT" and not zone:
            pass
        else:
            log.warning("fire panel %s: skipped malformed line %r", self.device_id, raw[:80])

    async def health(self) -> DeviceStatus:
        if self._writer is None or self._writer.is_closing():
            return self.status("fault", f"not connected to {self.host}:{self.port}")
        if self.faults:
            shown = "; ".join(f"{zone}: {text}" for zone, text in sorted(self.faults.items())[:5])
            return self.status("degraded", f"panel faults: {shown}")
        return self.status(
            "ok", f"zones in alarm: {', '.join(sorted(self.in_alarm))}" if self.in_alarm else ""
        )

    async def stop(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
