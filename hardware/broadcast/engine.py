"""The broadcast engine at the school: what plays, in which zones, and how each command is answered.

Commands (through the agent's command executor; see docs/protocol.md):
- `broadcast_start` {broadcast_id, clip (sha256), priority, zones, repeat = 1, drill}: admitted or
  refused at once by priority per zone (hardware/broadcast/arbitration.py); answered "executing"
  with {"phase": "playing", "started_at"} the moment the first sample reaches the output, then
  "done" with {"played_s", "repeats"}, or "failed" with the reason (refused, interrupted, stopped,
  clip missing, output fault).
- `broadcast_stop` {broadcast_id = ""}: stops that broadcast or live voice stream, or everything.
- `clip_put` {clip, offset, total, data (base64)} and `clip_have` {}: the clip store.
Live voice (`voice_frame` messages) plays through the same output under the same priority rules.

A drill (drill flag, drill priority or a clip the catalog marks "drill") plays the bundled drill
announcement ("现在进行的是演练") before every repetition, so even a listener who hears only one
repetition knows it is a drill; without that announcement a drill is refused, never played bare.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from hardware.adapters.base import CommandFailed, CommandSpec, Result
from hardware.agent.progress import current_progress
from hardware.broadcast.arbitration import PRIORITIES, Priority, arbitrate, interruption, refusal
from hardware.broadcast.audio import BYTES_PER_SECOND, SAMPLE_WIDTH, bytes_for
from hardware.broadcast.clip_store import DRILL_ANNOUNCEMENT_ID, ClipError, ClipStore, is_clip_name
from hardware.broadcast.jitter import TARGET_S, JitterBuffer
from hardware.broadcast.outputs import AudioOutput, Outcome, OutputFault, OutputStream, PlayKind
from hardware.broadcast.voice import FRAME_S, OpusDecoder, VoiceDecodeError, VoiceStream
from services.protocol.agent_messages import ArgValue, VoiceFrame

log = logging.getLogger(__name__)

MAX_REPEAT = 20
MAX_ID_LENGTH = 64
ENDED_STREAMS_KEPT = 256  # ids of ended or refused voice streams whose stray frames are ignored
_BROADCAST_ARGS = frozenset({"broadcast_id", "clip", "priority", "zones", "repeat", "drill"})


@dataclass(eq=False, slots=True)
class _Playback:
    """One thing sounding (or about to) in some zones: a broadcast or a live voice stream."""

    play_id: str
    kind: PlayKind
    priority: Priority
    zones: frozenset[str]
    finished: asyncio.Future[Result] | None = None  # broadcasts: what the command answers
    task: asyncio.Task[None] | None = None
    ended: bool = False
    outcome: Outcome = "done"
    reason: str = ""
    repeats: int = 1
    on_started: Callable[[float], None] | None = None
    voice: VoiceStream | None = None
    drill: bool = False

    @property
    def label(self) -> str:
        return "broadcast" if self.kind == "broadcast" else "live voice"


@dataclass(frozen=True, slots=True)
class _BroadcastRequest:
    broadcast_id: str
    clip: str
    priority: Priority
    zones: list[str]
    repeat: int
    drill: bool


@dataclass(slots=True)
class VoiceStats:
    """Counters over every live voice stream this engine played (for the fleet and benchmarks)."""

    streams: int = 0
    refused: int = 0
    frames: int = 0
    dropouts: int = 0
    bad_frames: int = 0
    late: int = 0
    per_stream: dict[str, int] = field(default_factory=dict)  # dropouts by stream id


class BroadcastEngine:
    def __init__(
        self,
        device_id: str,
        output: AudioOutput,
        clips: ClipStore,
        zones: list[str],
        *,
        block_s: float = 0.1,
        jitter_target_s: float = TARGET_S,
    ) -> None:
        self.device_id = device_id
        self.jitter_target_s = jitter_target_s
        self.output = output
        self.clips = clips
        self.zones = list(zones) or ["all"]
        self.block_s = block_s
        self._active: dict[str, _Playback] = {}
        self._ended_streams: collections.OrderedDict[str, None] = collections.OrderedDict()
        self.voice_stats = VoiceStats()

    # --- what the adapter exposes ---------------------------------------------------------

    def commands(self) -> Mapping[str, CommandSpec]:
        return {
            "broadcast_start": CommandSpec(self._broadcast_start, activity="broadcast", role="start"),
            "broadcast_stop": CommandSpec(self._broadcast_stop, activity="broadcast", role="stop"),
            "clip_put": CommandSpec(self._clip_put),
            "clip_have": CommandSpec(self._clip_have),
        }

    def playing(self) -> list[str]:
        return sorted(self._active)

    async def close(self) -> None:
        """Stop everything (adapter stop, agent shutdown) and wait until the outputs are closed."""
        tasks = [pb.task for pb in self._active.values() if pb.task is not None]
        for pb in list(self._active.values()):
            self._end(pb, "stopped", "stopped: the PA adapter is shutting down")
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # --- broadcasts -----------------------------------------------------------------------

    async def _broadcast_start(self, args: Mapping[str, ArgValue]) -> Result:
        progress = current_progress()
        if progress is not None:
            progress.own()  # "executing" is sent when audio starts, not on a timer
        request = _parse_broadcast(args)
        zones = self._resolve_zones(request.zones)
        if not self.clips.has(request.clip):
            raise CommandFailed(f"clip missing: {request.clip} is not at the school")
        drill = request.drill or request.priority == "drill" or self.clips.kind(request.clip) == "drill"
        announcement = self.clips.bundled_by_id(DRILL_ANNOUNCEMENT_ID) if drill else None
        if drill and announcement is None:
            raise CommandFailed("refused: the drill announcement is missing, a drill never plays without it")
        if request.broadcast_id in self._active:
            raise CommandFailed(f"refused: broadcast {request.broadcast_id} is already playing")
        loop = asyncio.get_running_loop()
        playback = _Playback(
            request.broadcast_id, "broadcast", request.priority, zones,
            finished=loop.create_future(), repeats=request.repeat, drill=drill,
        )
        if progress is not None:
            playback.on_started = lambda at: progress.report({"phase": "playing", "started_at": at})
        # Admission is decided now, before any await: commands are judged in the order they came.
        self._admit(playback)
        try:
            clip = await self.clips.pcm(request.clip)
            prefix = await self.clips.pcm(announcement) if announcement is not None else b""
        except ClipError as exc:
            self._end(playback, "stopped", str(exc))
            raise CommandFailed(str(exc)) from None
        if playback.ended:  # interrupted or stopped while the clip was loading
            raise CommandFailed(playback.reason)
        segments = [part for _ in range(request.repeat) for part in (prefix, clip) if part]
        playback.task = asyncio.create_task(
            self._run_broadcast(playback, segments), name=f"broadcast-{request.broadcast_id}"
        )
        assert playback.finished is not None
        try:
            return await playback.finished
        except asyncio.CancelledError as exc:
            # Stopped through the executor (a later stop, the generic stop, shutdown).
            self._end(playback, "stopped", str(exc.args[0]) if exc.args else "stopped")
            raise

    async def _run_broadcast(self, playback: _Playback, segments: list[bytes]) -> None:
        samples = 0
        try:
            stream = await self.output.open(playback.play_id, "broadcast", sorted(playback.zones))
        except OutputFault as exc:
            self._settle(playback, "interrupted", f"PA output fault: {exc}", 0)
            return
        outcome: Outcome = "done"
        reason = ""
        try:
            await self._pace(stream, segments, playback)
        except asyncio.CancelledError:
            outcome, reason = playback.outcome, playback.reason
            if not playback.ended:  # cancelled from outside the engine: the loop is shutting down
                outcome, reason = "stopped", "stopped: the agent is shutting down"
        except OutputFault as exc:
            outcome, reason = "interrupted", f"PA output fault: {exc}"
        finally:
            samples = await _close(stream, outcome)
        self._settle(playback, outcome, reason, samples)

    async def _pace(self, stream: OutputStream, segments: list[bytes], playback: _Playback) -> None:
        """Hand the audio over in blocks at real-time pace (sleeping between blocks costs no CPU)."""
        loop = asyncio.get_running_loop()
        block = bytes_for(self.block_s)
        lead = self.output.lead_s
        t0 = loop.time()
        sent = 0
        for segment in segments:
            view = memoryview(segment)
            for start in range(0, len(segment), block):
                delay = t0 + sent / BYTES_PER_SECOND - lead - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                chunk = bytes(view[start : start + block])
                await stream.write(chunk)
                if sent == 0:
                    self._started(playback, stream)
                sent += len(chunk)
        # The last block is still sounding: the playback ends when it has been heard.
        await asyncio.sleep(max(0.0, t0 + sent / BYTES_PER_SECOND - loop.time()))

    def _started(self, playback: _Playback, stream: OutputStream) -> None:
        if playback.on_started is not None and stream.started_at is not None:
            playback.on_started(stream.started_at)

    def _settle(self, playback: _Playback, outcome: Outcome, reason: str, samples: int) -> None:
        """The playback is over: free its zones and answer its command."""
        if self._active.get(playback.play_id) is playback:
            del self._active[playback.play_id]
        playback.ended = True
        future = playback.finished
        if future is None or future.done():
            return  # live voice, or the command was already answered (cancelled)
        if outcome == "done":
            future.set_result({"played_s": round(samples / (BYTES_PER_SECOND / SAMPLE_WIDTH), 3),
                               "repeats": playback.repeats})
        else:
            future.set_exception(CommandFailed(reason or outcome))

    async def _broadcast_stop(self, args: Mapping[str, ArgValue]) -> Result:
        unknown = set(args) - {"broadcast_id"}
        if unknown:
            raise CommandFailed(f"broadcast_stop: unknown argument(s) {', '.join(sorted(unknown))}")
        target = args.get("broadcast_id", "")
        if not isinstance(target, str):
            raise CommandFailed("'broadcast_id' must be a string")
        stopped = [pb for pb in self._active.values() if not target or pb.play_id == target]
        for playback in stopped:
            self._end(playback, "stopped", "stopped by broadcast_stop")
        return {"stopped": [pb.play_id for pb in stopped]}

    # --- arbitration ----------------------------------------------------------------------

    def _admit(self, playback: _Playback) -> None:
        blocker, losers = arbitrate(playback.priority, playback.zones, self._active.values())
        if blocker is not None:
            raise CommandFailed(refusal(blocker))
        for loser in losers:
            log.info(
                "%s %s interrupted by %s %s", loser.label, loser.play_id, playback.priority, playback.play_id
            )
            self._end(loser, "interrupted", interruption(playback))
        self._active[playback.play_id] = playback

    def _end(self, playback: _Playback, outcome: Outcome, reason: str) -> None:
        """Stop a playback now; its task closes the output and answers with *reason*."""
        if playback.ended:
            return
        playback.ended = True
        playback.outcome, playback.reason = outcome, reason
        if self._active.get(playback.play_id) is playback:
            del self._active[playback.play_id]  # the zones are free for the newcomer at once
        if playback.kind == "voice":
            self._forget_stream(playback.play_id)
        # A task not yet created (the clip is loading): the handler sees `ended` when it resumes.
        if playback.task is not None and not playback.task.done():
            playback.task.cancel()

    def _resolve_zones(self, requested: list[str]) -> frozenset[str]:
        """The PA zones a request covers; a PA without zoning plays everything on "all"."""
        if not requested or "all" in requested or self.zones == ["all"]:
            return frozenset(self.zones)
        known = frozenset(requested) & frozenset(self.zones)
        if not known:
            raise CommandFailed(
                f"no such zone here: {', '.join(requested)} (this school has: {', '.join(self.zones)})"
            )
        return known

    # --- clips ----------------------------------------------------------------------------

    async def _clip_put(self, args: Mapping[str, ArgValue]) -> Result:
        unknown = set(args) - {"clip", "offset", "total", "data"}
        if unknown:
            raise CommandFailed(f"clip_put: unknown argument(s) {', '.join(sorted(unknown))}")
        clip, offset, total, data = args.get("clip"), args.get("offset"), args.get("total"), args.get("data")
        if (
            not isinstance(clip, str)
            or not isinstance(offset, int)
            or not isinstance(total, int)
            or isinstance(offset, bool)
            or isinstance(total, bool)
            or not isinstance(data, str)
        ):
            raise CommandFailed("clip_put needs clip (sha256), offset (int), total (int), data (base64)")
        try:
            chunk = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise CommandFailed("'data' is not valid base64") from None
        try:
            received, complete = self.clips.put_chunk(clip, offset, total, chunk)
        except ClipError as exc:
            raise CommandFailed(str(exc)) from None
        return {"clip": clip, "received": received, "total": total, "complete": complete}

    async def _clip_have(self, args: Mapping[str, ArgValue]) -> Result:
        if args:
            raise CommandFailed(f"clip_have takes no arguments, got {', '.join(sorted(args))}")
        clips: list[str | int | float | bool | None] = list(self.clips.have())
        return {"clips": clips}

    # --- live voice -----------------------------------------------------------------------

    def voice_frame(self, frame: VoiceFrame) -> None:
        """Take one live voice frame from the hub (never blocks; playout runs as its own task)."""
        playback = self._active.get(frame.stream_id)
        if playback is None or playback.voice is None:
            if frame.stream_id in self._ended_streams or playback is not None or frame.end:
                return  # a stray frame of a stream that ended, was refused or clashes with a broadcast id
            playback = self._open_stream(frame)
            if playback is None:
                return
        try:
            payload = base64.b64decode(frame.opus, validate=True)
        except (binascii.Error, ValueError):
            self.voice_stats.bad_frames += 1
            log.warning("live voice %s: frame %d is not base64; dropped", frame.stream_id, frame.frame_seq)
            return
        assert playback.voice is not None
        self.voice_stats.frames += 1
        if payload or frame.end:
            playback.voice.push(frame.frame_seq, payload, frame.end)

    def _open_stream(self, frame: VoiceFrame) -> _Playback | None:
        try:
            zones = self._resolve_zones(frame.zones)
        except CommandFailed as exc:
            log.warning("live voice %s refused: %s", frame.stream_id, exc)
            self._forget_stream(frame.stream_id)
            return None
        drill = frame.drill or frame.priority == "drill"
        playback = _Playback(frame.stream_id, "voice", frame.priority, zones, drill=drill)
        try:
            self._admit(playback)
            jitter = JitterBuffer(FRAME_S, self.jitter_target_s)
            playback.voice = VoiceStream(frame.stream_id, OpusDecoder(), jitter)
        except (CommandFailed, VoiceDecodeError) as exc:
            self._active.pop(frame.stream_id, None)
            self.voice_stats.refused += 1
            log.info("live voice %s not played: %s", frame.stream_id, exc)
            self._forget_stream(frame.stream_id)
            return None
        self.voice_stats.streams += 1
        playback.task = asyncio.get_running_loop().create_task(
            self._run_voice(playback), name=f"voice-{frame.stream_id}"
        )
        return playback

    async def _run_voice(self, playback: _Playback) -> None:
        voice = playback.voice
        assert voice is not None
        try:
            stream = await self.output.open(playback.play_id, "voice", sorted(playback.zones))
        except OutputFault as exc:
            log.warning("live voice %s not played: PA output fault: %s", playback.play_id, exc)
            self._release(playback)
            return
        outcome: Outcome = "done"
        try:
            if playback.drill:
                # The drill announcement first; the voice that arrived meanwhile is played after it.
                announcement = self.clips.bundled_by_id(DRILL_ANNOUNCEMENT_ID)
                if announcement is None:
                    raise ClipError("the drill announcement is missing")
                await self._pace(stream, [await self.clips.pcm(announcement)], playback)
            await voice.play(stream, lambda: None, self.output.lead_s)
        except asyncio.CancelledError:
            outcome = playback.outcome if playback.ended else "stopped"
        except ClipError as exc:
            log.warning("live voice %s drill not played: %s", playback.play_id, exc)
            outcome = "stopped"
        finally:
            stream.dropouts = voice.dropouts
            stream.voice = voice.figures()
            await _close(stream, outcome)
            self.voice_stats.dropouts += voice.dropouts
            self.voice_stats.late += voice.jitter.late
            self.voice_stats.per_stream[playback.play_id] = voice.dropouts
            self._release(playback)
        log.info(
            "live voice %s ended (%s): %d frames, %d dropouts",
            playback.play_id, outcome, voice.frames_played, voice.dropouts,
        )

    def _release(self, playback: _Playback) -> None:
        """A live voice stream ended by itself: free its zones, ignore its stray frames."""
        playback.ended = True
        if self._active.get(playback.play_id) is playback:
            del self._active[playback.play_id]
        self._forget_stream(playback.play_id)

    def _forget_stream(self, stream_id: str) -> None:
        self._ended_streams[stream_id] = None
        while len(self._ended_streams) > ENDED_STREAMS_KEPT:
            self._ended_streams.popitem(last=False)


async def _close(stream: OutputStream, outcome: Outcome) -> int:
    """Close an output, reporting (not raising) a failure to close: the answer must still go out."""
    try:
        return await stream.close(outcome)
    except Exception:
        log.exception("closing the PA output failed")
        return 0


def _parse_broadcast(args: Mapping[str, ArgValue]) -> _BroadcastRequest:
    """Strict reading of broadcast_start's arguments; a clear reason for anything wrong."""
    unknown = set(args) - _BROADCAST_ARGS
    if unknown:
        raise CommandFailed(f"broadcast_start: unknown argument(s) {', '.join(sorted(unknown))}")
    broadcast_id = args.get("broadcast_id")
    if not isinstance(broadcast_id, str) or not 0 < len(broadcast_id) <= MAX_ID_LENGTH:
        raise CommandFailed("broadcast_start needs 'broadcast_id': a string of 1-64 characters")
    clip = args.get("clip")
    if not is_clip_name(clip):
        raise CommandFailed("broadcast_start needs 'clip': the clip's sha256 (64 lowercase hex digits)")
    assert isinstance(clip, str)
    priority = args.get("priority")
    if priority not in PRIORITIES:
        raise CommandFailed(f"'priority' must be one of {', '.join(PRIORITIES)}, not {priority!r}")
    zones = args.get("zones", [])
    if not isinstance(zones, list) or not all(isinstance(z, str) for z in zones):
        raise CommandFailed("'zones' must be a list of zone names (empty: all)")
    repeat = args.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat <= MAX_REPEAT:
        raise CommandFailed(f"'repeat' must be a whole number 1-{MAX_REPEAT}, not {repeat!r}")
    drill = args.get("drill", False)
    if not isinstance(drill, bool):
        raise CommandFailed("'drill' must be true or false")
    zone_names = [str(z) for z in zones]
    return _BroadcastRequest(broadcast_id, clip, priority, zone_names, repeat, drill)
