"""One-key alarm buttons and other contact inputs, read from a GPIO value file.

Alarm boxes at school gates close a dry contact; on the agent's board it appears as a GPIO whose
value file (e.g. /sys/class/gpio/gpio17/value) reads "1" or "0". The adapter polls it and raises
an alarm event on each transition to the active level, debounced.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from hardware.adapters.base import DeviceAdapter, DeviceEvent, no_more, take
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
    ) -> None:
        super().__init__(device_id)
        self.value_file = value_file
        self.active_level = active_level
        self.poll_s = poll_s
        self.debounce_s = debounce_s
        self.event_kind = event_kind

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> AlarmInputAdapter:
        path = Path(take(options, "value_file", str, required=True))
        active = take(options, "active_level", str, "1")
        poll = take(options, "poll_s", float, 0.05)
        debounce = take(options, "debounce_s", float, 0.2)
        kind = take(options, "event_kind", str, "alarm")
        no_more(options)
        return cls(device_id, path, active, poll, debounce, kind)

    def _read(self) -> str:
        return self.value_file.read_text().strip()

    async def start(self) -> None:
        self._read()  # fail the start (and get restarted) when the input is not there

    async def run(self) -> None:
        active = self._read() == self.active_level
        changed_at = 0.0
        while True:
            await asyncio.sleep(self.poll_s)
            now_active = self._read() == self.active_level
            if now_active and not active and time.monotonic() - changed_at >= self.debounce_s:
                self.emit(
                    DeviceEvent(
                        kind=self.event_kind,
                        priority="alarm" if self.event_kind == "alarm" else "normal",
                        details={"input": self.device_id},
                    )
                )
            if now_active != active:
                changed_at = time.monotonic()
            active = now_active

    async def health(self) -> DeviceStatus:
        try:
            self._read()
        except OSError as exc:
            return self.status("fault", f"cannot read {self.value_file}: {exc.strerror}")
        return self.status("ok")
