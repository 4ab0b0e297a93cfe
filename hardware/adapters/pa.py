"""The PA / broadcast amplifier: plays the school's clips and live voice through ALSA.

The school's amplifier takes its audio from the agent machine's sound card; `aplay` (alsa-utils)
reads raw school-format PCM on its stdin, one process per playback (ALSA's dmix mixes playbacks in
different zones). Health is a fault when the player is missing and, when an amplifier control
address is given, when it does not answer on TCP.

Commands and priorities: hardware/broadcast/engine.py (broadcast_start, broadcast_stop,
clip_put, clip_have); live voice frames arrive through `voice_frame`.

Options: `player` (list, default ["aplay", "-q"]; add e.g. "-D", "plughw:1,0" for a device),
`clip_dir` (folder for clips received from the hub, default "clips"), `zones` (list, default
["all"]), `amplifier` ("host:port", optional), `block_s` (seconds per block, default 0.1),
`jitter_target_s` (live voice's jitter buffer target, default 0.04; raise it for a school on a
jittery link).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hardware.adapters.base import AdapterOptionError, CommandSpec, DeviceAdapter, no_more, take
from hardware.broadcast.clip_store import ClipStore
from hardware.broadcast.engine import BroadcastEngine
from hardware.broadcast.jitter import MAX_S, TARGET_S
from hardware.broadcast.outputs import AlsaOutput
from services.protocol.agent_messages import DeviceStatus, VoiceFrame


class PaAdapter(DeviceAdapter):
    kind = "pa"

    def __init__(
        self,
        device_id: str,
        player: list[str],
        clip_dir: Path,
        zones: list[str],
        amplifier: tuple[str, int] | None = None,
        *,
        block_s: float = 0.1,
        jitter_target_s: float = TARGET_S,
    ) -> None:
        super().__init__(device_id)
        self.player = player
        self.zones = zones
        self.amplifier = amplifier
        self.output = AlsaOutput(player)
        self.clips = ClipStore(clip_dir)
        self.engine = BroadcastEngine(
            device_id, self.output, self.clips, zones, block_s=block_s, jitter_target_s=jitter_target_s
        )

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> PaAdapter:
        player = take(options, "player", list, ["aplay", "-q"])
        clip_dir = Path(take(options, "clip_dir", str, "clips"))
        zones = take(options, "zones", list, ["all"])
        amp = take(options, "amplifier", str, "")
        block_s = take(options, "block_s", float, 0.1)
        jitter_target_s = take(options, "jitter_target_s", float, TARGET_S)
        no_more(options)
        if not player:
            raise AdapterOptionError("option 'player' must name the aplay command")
        if not 0.01 <= block_s <= 1.0:
            raise AdapterOptionError(f"option 'block_s' must be 0.01-1.0 seconds, not {block_s}")
        if not 0.02 <= jitter_target_s <= MAX_S:
            raise AdapterOptionError(
                f"option 'jitter_target_s' must be 0.02-{MAX_S} seconds, not {jitter_target_s}"
            )
        amplifier = None
        if amp:
            host, _, port = amp.rpartition(":")
            if not host or not port.isdigit():
                raise AdapterOptionError(f"option 'amplifier' must be host:port, not {amp!r}")
            amplifier = (host, int(port))
        return cls(
            device_id, [str(p) for p in player], clip_dir, [str(z) for z in zones], amplifier,
            block_s=block_s,
            jitter_target_s=jitter_target_s,
        )

    async def health(self) -> DeviceStatus:
        fault = self.output.fault()
        if fault is not None:
            return self.status("fault", fault)
        if self.amplifier is not None:
            try:
                _r, writer = await asyncio.wait_for(asyncio.open_connection(*self.amplifier), 3.0)
            except (OSError, TimeoutError) as exc:
                return self.status("fault", f"amplifier {self.amplifier[0]}:{self.amplifier[1]}: {exc}")
            writer.close()
        playing = self.engine.playing()
        return self.status("ok", f"playing {', '.join(playing)}" if playing else "")

    def commands(self) -> Mapping[str, CommandSpec]:
        return self.engine.commands()

    def voice_frame(self, frame: VoiceFrame) -> None:
        self.engine.voice_frame(frame)

    async def stop(self) -> None:
        await self.engine.close()
