"""Guard patrol (guard tour) readers: checkpoint scans from the reader's spool file.

The reader's dock tool appends one line per scan to a spool file: `checkpoint,guard,unix_time`.
The adapter follows the file and reports each scan as a `patrol_checkpoint` event; a malformed line
is logged and skipped, never stops the reader.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from hardware.adapters.base import DeviceAdapter, DeviceEvent, no_more, take
from services.protocol.agent_messages import DeviceStatus

log = logging.getLogger(__name__)


class PatrolReaderAdapter(DeviceAdapter):
    kind = "patrol_reader"

    def __init__(self, device_id: str, spool_file: Path, poll_s: float = 1.0) -> None:
        super().__init__(device_id)
        self.spool_file = spool_file
        self.poll_s = poll_s
        self._offset = 0

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> PatrolReaderAdapter:
        spool = Path(take(options, "spool_file", str, required=True))
        poll = take(options, "poll_s", float, 1.0)
        no_more(options)
        return cls(device_id, spool, poll)

    async def start(self) -> None:
        # Start at the end: scans already in the file were reported by an earlier run.
        self._offset = self.spool_file.stat().st_size if self.spool_file.exists() else 0

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            self.read_new_lines()

    def read_new_lines(self) -> int:
        if not self.spool_file.exists():
            return 0
        with self.spool_file.open("rb") as handle:
            handle.seek(self._offset)
            data = handle.read()
        end = data.rfind(b"\n") + 1  # leave a half-written last line for the next poll
        self._offset += end
        count = 0
        for raw in data[:end].splitlines():
            parts = raw.decode(errors="replace").strip().split(",")
            if len(parts) != 3 or not parts[2].replace(".", "", 1).isdigit():
                log.warning("patrol reader %s: skipped malformed line %r", self.device_id, raw[:80])
                continue
            self.emit(
                DeviceEvent(
                    kind="patrol_checkpoint",
                    details={"checkpoint": parts[0], "guard": parts[1], "scanned_at": float(parts[2])},
                )
            )
            count += 1
        return count

    async def health(self) -> DeviceStatus:
        if not self.spool_file.parent.is_dir():
            return self.status("fault", f"spool folder {self.spool_file.parent} missing")
        return self.status("ok")
