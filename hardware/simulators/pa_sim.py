"""A simulated PA amplifier: the real broadcast engine, with an amplifier that records what it played.

It plays at real-time pace like the real one (sleeping between 100 ms blocks: thousands share one
event loop cheaply) and records each playback: always in memory (`played`), as a JSONL index line
when `play_log` is given, and as a WAV file, sample for sample, when `record_dir` is given, so
tests and benchmarks compare what each school heard with what was sent.

Options: `play_log` (JSONL index path), `record_dir` (WAV folder), `clip_dir` (received clips;
default: kept in memory), `zones` (list, default ["all"]), `block_s` (default 0.1),
`jitter_target_s` (live voice's jitter buffer target, default 0.04).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hardware.adapters.base import AdapterOptionError, CommandSpec, DeviceAdapter, no_more, take
from hardware.broadcast.clip_store import ClipStore
from hardware.broadcast.engine import BroadcastEngine
from hardware.broadcast.jitter import MAX_S, TARGET_S
from hardware.broadcast.outputs import PlayRecord, SimulatedAmplifier
from services.protocol.agent_messages import DeviceStatus, VoiceFrame


class SimulatedPa(DeviceAdapter):
    kind = "pa"

    def __init__(
        self,
        device_id: str,
        play_log: Path | None = None,
        zones: list[str] | None = None,
        *,
        record_dir: Path | None = None,
        clip_dir: Path | None = None,
        block_s: float = 0.1,
        jitter_target_s: float = TARGET_S,
    ) -> None:
        super().__init__(device_id)
        self.zones = zones or ["all"]
        self.amplifier = SimulatedAmplifier(record_dir, index=play_log)
        self.clips = ClipStore(clip_dir)
        self.engine = BroadcastEngine(
            device_id, self.amplifier, self.clips, self.zones,
            block_s=block_s, jitter_target_s=jitter_target_s,
        )

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> SimulatedPa:
        log_path = take(options, "play_log", str, "")
        record_dir = take(options, "record_dir", str, "")
        clip_dir = take(options, "clip_dir", str, "")
        zones = take(options, "zones", list, ["all"])
        block_s = take(options, "block_s", float, 0.1)
        jitter_target_s = take(options, "jitter_target_s", float, TARGET_S)
        no_more(options)
        if not 0.01 <= block_s <= 1.0:
            raise AdapterOptionError(f"option 'block_s' must be 0.01-1.0 seconds, not {block_s}")
        if not 0.02 <= jitter_target_s <= MAX_S:
            raise AdapterOptionError(
                f"option 'jitter_target_s' must be 0.02-{MAX_S} seconds, not {jitter_target_s}"
            )
        return cls(
            device_id,
            Path(log_path) if log_path else None,
            [str(z) for z in zones],
            record_dir=Path(record_dir) if record_dir else None,
            clip_dir=Path(clip_dir) if clip_dir else None,
            block_s=block_s,
            jitter_target_s=jitter_target_s,
        )

    @property
    def played(self) -> list[PlayRecord]:
        """Every finished playback, oldest first."""
        return self.amplifier.records

    @property
    def playing(self) -> list[str]:
        return self.engine.playing()

    async def health(self) -> DeviceStatus:
        fault = self.amplifier.fault()
        if fault is not None:
            return self.status("fault", fault)
        playing = self.engine.playing()
        return self.status("ok", f"playing {', '.join(playing)}" if playing else "")

    def commands(self) -> Mapping[str, CommandSpec]:
        return self.engine.commands()

    def voice_frame(self, frame: VoiceFrame) -> None:
        self.engine.voice_frame(frame)

    async def stop(self) -> None:
        await self.engine.close()
