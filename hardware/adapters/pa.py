"""The PA / broadcast amplifier: plays a clip through a configured player command.

A school's IP amplifier is driven by a local player (e.g. `aplay`, `ffplay -nodisp -autoexit`)
whose audio output feeds the amplifier; health checks the player exists and, when an amplifier
control address is given, that it answers on TCP.

Commands: `broadcast_start` {clip, zones?, activity_id?} plays the clip; `broadcast_stop`
{activity_id?} stops it. A later stop beats an earlier start (see the executor).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hardware.adapters.base import (
    AdapterOptionError,
    CommandFailed,
    CommandSpec,
    DeviceAdapter,
    Result,
    no_more,
    take,
)
from services.protocol.agent_messages import ArgValue, DeviceStatus


class PaAdapter(DeviceAdapter):
    kind = "pa"

    def __init__(
        self,
        device_id: str,
        player: list[str],
        clip_dir: Path,
        zones: list[str],
        amplifier: tuple[str, int] | None = None,
    ) -> None:
        super().__init__(device_id)
        self.player = player
        self.clip_dir = clip_dir
        self.zones = zones
        self.amplifier = amplifier
        self._playing: asyncio.subprocess.Process | None = None

    @classmethod
    def from_options(cls, device_id: str, options: dict[str, Any]) -> PaAdapter:
        player = take(options, "player", list, ["aplay", "-q"])
        clip_dir = Path(take(options, "clip_dir", str, "."))
        zones = take(options, "zones", list, ["all"])
        amp = take(options, "amplifier", str, "")
        no_more(options)
        amplifier = None
        if amp:
            host, _, port = amp.rpartition(":")
            if not host or not port.isdigit():
                raise AdapterOptionError(f"option 'amplifier' must be host:port, not {amp!r}")
            amplifier = (host, int(port))
        return cls(device_id, [str(p) for p in player], clip_dir, [str(z) for z in zones], amplifier)

    async def health(self) -> DeviceStatus:
        if shutil.which(self.player[0]) is None:
            return self.status("fault", f"player {self.player[0]!r} not found")
        if self.amplifier is not None:
            try:
                _r, writer = await asyncio.wait_for(asyncio.open_connection(*self.amplifier), 3.0)
            except (OSError, TimeoutError) as exc:
                return self.status("fault", f"amplifier {self.amplifier[0]}:{self.amplifier[1]}: {exc}")
            writer.close()
        return self.status("ok", "playing" if self._playing is not None else "")

    def commands(self) -> Mapping[str, CommandSpec]:
        return {
            "broadcast_start": CommandSpec(self._start, activity="broadcast", role="start"),
            "broadcast_stop": CommandSpec(self._stop, activity="broadcast", role="stop"),
        }

    async def _start(self, args: Mapping[str, ArgValue]) -> Result:
        clip = args.get("clip")
        if not isinstance(clip, str) or not clip or "/" in clip or clip.startswith("."):
            raise CommandFailed("broadcast_start needs 'clip': a file name in the clip folder")
        path = self.clip_dir / clip
        if not path.is_file():
            raise CommandFailed(f"clip {clip!r} not found at the school")
        await self._stop_playing()
        self._playing = await asyncio.create_subprocess_exec(
            *self.player, str(path), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        process = self._playing
        try:
            code = await process.wait()
        finally:
            if self._playing is process:
                self._playing = None
                if process.returncode is None:
                    process.kill()
        if code != 0:
            raise CommandFailed(f"player exited with code {code}")
        return {"played": clip}

    async def _stop(self, _args: Mapping[str, ArgValue]) -> Result:
        stopped = await self._stop_playing()
        return {"stopped": stopped}

    async def _stop_playing(self) -> bool:
        process, self._playing = self._playing, None
        if process is None or process.returncode is not None:
            return False
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 3.0)
        except TimeoutError:
            process.kill()
            with contextlib.suppress(ProcessLookupError):
                await process.wait()
        return True

    async def stop(self) -> None:
        await self._stop_playing()
