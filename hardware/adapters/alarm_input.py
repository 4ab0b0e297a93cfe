"""One-key alarm buttons and other contact inputs, read from a GPIO value file.

Alarm boxes at school gates (一键报警) close a dry contact; the adapter polls its value file and raises
an alarm on each debounced transition to the active level: type `alarm_type` ("one_key" by default;
"fire" for a fire panel's alarm relay, "intrusion" for a single detector) at `location` (free text
such as "东门"; the device id when not given).

`event_kind` other than "alarm" turns the input into a plain (normal priority) event source, e.g. a
door contact.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from hardware.adapters.alarm_event import ONE_KEY, alarm_event, checked_alarm_type
from hardware.adapters.base import DeviceAdapter, DeviceEvent, no_more, take
from hardware.adapters.contact import ContactInput
from services.protocol.agent_messages import DeviceStatus


class AlarmInputAdapter(DeviceAdapter):
    kind = "alarm_input"

    def __init__(
        self,
        device_id: str,
        value_file: Path,
        active_level: str = "1",
        poll_s: float = 0.05,
        debounce_s: float = 0.2,
        event_kind: str = "alarm",
        alarm_type: str = ONE_KEY,
        location: str = "",
    ) -> None:
        super().__init__(device_id)
        self.contact = ContactInput(value_file, active_level, debounce_s)
        self.value_file = value_file
        self.poll_s = poll_s
        self.event_kind = event_kind
        self.alarm_type = checked_alarm_type(alarm_type)
        self.location = location or device_id

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> AlarmInputAdapter:
        path = Path(take(options, "value_file", str, required=True))
        active = take(options, "active_level", str, "1")
        poll = take(options, "poll_s", float, 0.05)
        debounce = take(options, "debounce_s", float, 0.2)
        kind = take(options, "event_kind", str, "alarm")
        alarm_type = take(options, "alarm_type", str, ONE_KEY)
        location = take(options, "location", str, "")
        no_more(options)
        return cls(device_id, path, active, poll, debounce, kind, alarm_type, location)

    def _event(self) -> DeviceEvent:
        if self.event_kind == "alarm":
            return alarm_event(self.alarm_type, self.location, input=self.device_id)
        return DeviceEvent(kind=self.event_kind, details={"input": self.device_id, "location": self.location})

    async def start(self) -> None:
        self.contact.read()  # fail the start (and get restarted) when the input is not there

    async def run(self) -> None:
        self.contact.prime()
        while True:
            await asyncio.sleep(self.poll_s)
            if self.contact.poll():
                self.emit(self._event())

    async def health(self) -> DeviceStatus:
        try:
            self.contact.read()
        except OSError as exc:
            return self.status("fault", f"cannot read {self.value_file}: {exc.strerror}")
        return self.status("ok")
