"""Guard patrol (guard tour) readers: checkpoint scans from the reader's spool file, and missed rounds.

The reader's dock tool appends one line per scan to a spool file: `checkpoint,guard,unix_time`.
The adapter follows the file and reports each scan as a `patrol_checkpoint` event; a malformed line
is logged and skipped, never stops the reader.

With a schedule (`rounds`, `checkpoints`; see hardware/adapters/patrol_schedule.py) a checkpoint
not scanned within a round's window raises a "patrol_missed" alarm at that checkpoint:

```toml
[[adapters]]
type = "patrol_reader"
id = "patrol-1"
spool_file = "/var/spool/guardtour/scans.csv"
rounds = ["07:30", "12:00", "17:30", "21:00", "02:00"]
checkpoints = ["gate", "dorm-1", "canteen"]
locations = { "gate" = "东门岗亭", "dorm-1" = "一号宿舍楼" }
window_min = 30
grace_min = 10                      # wands upload when docked
```
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from hardware.adapters.alarm_event import PATROL_MISSED, alarm_event
from hardware.adapters.base import AdapterOptionError, DeviceAdapter, DeviceEvent, no_more, take
from hardware.adapters.patrol_schedule import PatrolSchedule
from services.protocol.agent_messages import DeviceStatus

log = logging.getLogger(__name__)

# At start, scans already in the file are not reported again, but the schedule needs those of the
# current rounds: the file's tail holds well over a day of scans at any school.
SEED_TAIL_BYTES = 256 * 1024


class PatrolReaderAdapter(DeviceAdapter):
    kind = "patrol_reader"

    def __init__(
        self,
        device_id: str,
        spool_file: Path,
        poll_s: float = 1.0,
        schedule: PatrolSchedule | None = None,
        locations: dict[str, str] | None = None,
    ) -> None:
        super().__init__(device_id)
        self.spool_file = spool_file
        self.poll_s = poll_s
        self.schedule = schedule
        self.locations = dict(locations or {})
        self._offset = 0

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> PatrolReaderAdapter:
        spool = Path(take(options, "spool_file", str, required=True))
        poll = take(options, "poll_s", float, 1.0)
        rounds = take(options, "rounds", list, [])
        checkpoints = take(options, "checkpoints", list, [])
        window_min = take(options, "window_min", float, 30.0)
        grace_min = take(options, "grace_min", float, 5.0)
        locations = take(options, "locations", dict, {})
        no_more(options)
        if not all(isinstance(r, str) for r in rounds) or not all(isinstance(c, str) for c in checkpoints):
            raise AdapterOptionError("options 'rounds' and 'checkpoints' must be lists of text")
        if not all(isinstance(v, str) for v in locations.values()):
            raise AdapterOptionError("option 'locations' must map checkpoints to text")
        schedule = None
        if rounds or checkpoints:
            schedule = PatrolSchedule(rounds, checkpoints, window_min * 60.0, grace_min * 60.0)
        return cls(device_id, spool, poll, schedule, locations)

    async def start(self) -> None:
        # Start at the end: scans already in the file were reported by an earlier run.
        size = self.spool_file.stat().st_size if self.spool_file.exists() else 0
        if self.schedule is not None and size:
            with self.spool_file.open("rb") as handle:
                handle.seek(max(0, size - SEED_TAIL_BYTES))
                tail = handle.read(size)
            for raw in tail[: tail.rfind(b"\n") + 1].splitlines():
                scan = _parse(raw)
                if scan is not None:
                    self.schedule.record(scan[0], scan[2])
            size = size - len(tail) + tail.rfind(b"\n") + 1
        self._offset = size
        if self.schedule is not None:
            self.schedule.start(time.time())

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            self.read_new_lines()
            self.check_schedule(time.time())

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
            scan = _parse(raw)
            if scan is None:
                log.warning("patrol reader %s: skipped malformed line %r", self.device_id, raw[:80])
                continue
            checkpoint, guard, scanned_at = scan
            if self.schedule is not None:
                self.schedule.record(checkpoint, scanned_at)
            self.emit(
                DeviceEvent(
                    kind="patrol_checkpoint",
                    details={"checkpoint": checkpoint, "guard": guard, "scanned_at": scanned_at},
                )
            )
            count += 1
        return count

    def check_schedule(self, now: float) -> int:
        """Raise a patrol_missed alarm for every checkpoint missed in rounds judged by *now*."""
        if self.schedule is None:
            return 0
        missed = self.schedule.due(now)
        for miss in missed:
            self.emit(
                alarm_event(
                    PATROL_MISSED,
                    self.locations.get(miss.checkpoint, miss.checkpoint),
                    checkpoint=miss.checkpoint,
                    round=miss.round,
                    window_end=miss.window_end,
                )
            )
        return len(missed)

    async def health(self) -> DeviceStatus:
        if not self.spool_file.parent.is_dir():
            return self.status("fault", f"spool folder {self.spool_file.parent} missing")
        return self.status("ok")


def _parse(raw: bytes) -> tuple[str, str, float] | None:
    parts = raw.decode(errors="replace").strip().split(",")
    if len(parts) != 3 or not parts[0] or not parts[2].replace(".", "", 1).isdigit():
        return None
    return parts[0], parts[1], float(parts[2])
