"""A simulated PA amplifier that writes what it "played" to a log (JSON lines), for the ledger check."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hardware.adapters.base import CommandFailed, CommandSpec, DeviceAdapter, Result, no_more, take
from services.protocol.agent_messages import ArgValue, DeviceStatus


class SimulatedPa(DeviceAdapter):
    kind = "pa"

    def __init__(
        self,
        device_id: str,
        play_log: Path | None = None,
        clip_seconds: float = 1.0,
        zones: list[str] | None = None,
    ) -> None:
        super().__init__(device_id)
        self.play_log = play_log
        self.clip_seconds = clip_seconds
        self.zones = zones or ["all"]
        self.played: list[dict[str, ArgValue]] = []  # in memory too, for tests and the fleet
        self.playing: str | None = None

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> SimulatedPa:
        log_path = take(options, "play_log", str, "")
        seconds = take(options, "clip_seconds", float, 1.0)
        zones = take(options, "zones", list, ["all"])
        no_more(options)
        return cls(device_id, Path(log_path) if log_path else None, seconds, [str(z) for z in zones])

    async def health(self) -> DeviceStatus:
        return self.status("ok", f"playing {self.playing}" if self.playing else "")

    def commands(self) -> Mapping[str, CommandSpec]:
        return {
            "broadcast_start": CommandSpec(self._start, activity="broadcast", role="start"),
            "broadcast_stop": CommandSpec(self._stop, activity="broadcast", role="stop"),
        }

    def _record(self, what: str, **fields: ArgValue) -> None:
        entry: dict[str, ArgValue] = {"at": time.time(), "device": self.device_id, "what": what, **fields}
        self.played.append(entry)
        if self.play_log is not None:
            self.play_log.parent.mkdir(parents=True, exist_ok=True)
            with self.play_log.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    async def _start(self, args: Mapping[str, ArgValue]) -> Result:
        clip = args.get("clip")
        if not isinstance(clip, str) or not clip:
            raise CommandFailed("broadcast_start needs 'clip'")
        seconds = args.get("seconds", self.clip_seconds)
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise CommandFailed("'seconds' must be a non-negative number")
        self.playing = clip
        self._record("play", clip=clip)
        try:
            await asyncio.sleep(float(seconds))
        except asyncio.CancelledError:
            self._record("interrupted", clip=clip)
            raise
        finally:
            self.playing = None
        self._record("finished", clip=clip)
        return {"played": clip}

    async def _stop(self, _args: Mapping[str, ArgValue]) -> Result:
        self._record("stop")
        return {"stopped": True}
