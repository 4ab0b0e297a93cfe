"""Where the school's audio goes: the real amplifier through ALSA, or the simulated amplifier.

The engine paces playback itself (one block per `block_s`, a little ahead by `lead_s`), so an
output only takes the next block of samples and reports, at close, how many samples were heard.
Each playback (a broadcast with its repeats, or one live voice stream) opens its own stream; on a
multi-zone amplifier the zone routing is the amplifier's, several streams mix in ALSA (dmix).
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import json
import logging
import re
import shutil
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hardware.broadcast.audio import BYTES_PER_SECOND, CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH

log = logging.getLogger(__name__)

Outcome = Literal["done", "interrupted", "stopped"]
PlayKind = Literal["broadcast", "voice"]


class OutputFault(Exception):
    """The output cannot play (player missing, device gone); the message says why."""


class OutputStream(abc.ABC):
    """One playback on an output: blocks in, then a close that says how it ended."""

    started_at: float | None = None  # agent wall clock when the first sample reached the output
    dropouts: int = 0  # live voice: frames lost and concealed (recorded by the simulated amplifier)
    voice: dict[str, float] | None = None  # live voice: the jitter buffer's figures, for the record

    @abc.abstractmethod
    async def write(self, pcm: bytes) -> None:
        """Hand over the next block, at (or `lead_s` before) the moment it should sound."""

    @abc.abstractmethod
    async def close(self, outcome: Outcome) -> int:
        """End the playback; returns the samples actually heard."""


class AudioOutput(abc.ABC):
    lead_s: float = 0.0  # how far ahead of real time the engine hands blocks over

    @abc.abstractmethod
    async def open(self, play_id: str, kind: PlayKind, zones: list[str]) -> OutputStream:
        """Start a playback; raises OutputFault when the output cannot play."""

    def fault(self) -> str | None:
        """Why the output cannot play now, or None when it can (checked by the adapter's health)."""
        return None


# --- the real amplifier: ALSA through aplay -------------------------------------------------


class AlsaOutput(AudioOutput):
    """Plays through `aplay` (alsa-utils) reading raw school-format PCM on its stdin.

    `player` is the aplay command (with options such as `-D plughw:1,0`); the raw-format options
    are added here. The engine stays a few blocks ahead so the sound card never runs dry.
    """

    lead_s = 0.3

    def __init__(self, player: list[str]) -> None:
        self.player = player

    def fault(self) -> str | None:
        if shutil.which(self.player[0]) is None:
            return f"player {self.player[0]!r} not found (install alsa-utils)"
        return None

    async def open(self, play_id: str, kind: PlayKind, zones: list[str]) -> OutputStream:
        problem = self.fault()
        if problem is not None:
            raise OutputFault(problem)
        args = [*self.player, "-t", "raw", "-f", "S16_LE", "-r", str(SAMPLE_RATE), "-c", str(CHANNELS), "-"]
        try:
            process = await asyncio.create_subprocess_exec(
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise OutputFault(f"cannot start {self.player[0]}: {exc}") from None
        return _AlsaStream(process)


class _AlsaStream(OutputStream):
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._written = 0
        self._opened = time.monotonic()

    async def write(self, pcm: bytes) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        if self.started_at is None:
            self.started_at = time.time()
            self._opened = time.monotonic()
        try:
            stdin.write(pcm)
            await stdin.drain()
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise OutputFault(f"player ended while playing: {await self._stderr()}") from exc
        self._written += len(pcm)

    async def close(self, outcome: Outcome) -> int:
        process = self._process
        if outcome == "done" and process.stdin is not None:
            # The blocks already handed over still sound; aplay ends when it has played them.
            process.stdin.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 5.0)
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 3.0)
            except TimeoutError:
                process.kill()
                await process.wait()
        if outcome == "done" and process.returncode not in (0, None):
            log.warning("player exited with code %s: %s", process.returncode, await self._stderr())
        heard = min(self._written, int((time.monotonic() - self._opened) * BYTES_PER_SECOND))
        return (self._written if outcome == "done" else heard) // SAMPLE_WIDTH

    async def _stderr(self) -> str:
        if self._process.stderr is None:
            return ""
        with contextlib.suppress(Exception):
            data = await asyncio.wait_for(self._process.stderr.read(500), 1.0)
            return data.decode("utf-8", "replace").strip()
        return ""


# --- the simulated amplifier ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlayRecord:
    """One line of the simulated amplifier's index: what one playback sounded like."""

    play_id: str
    kind: PlayKind
    zones: list[str]
    started_at: float
    ended_at: float
    samples: int
    outcome: Outcome
    wav: str  # file name in the record folder, "" when not recording audio
    dropouts: int = 0
    # Underruns: (samples played before the gap, seconds of silence) each time the output ran dry
    # before the next block came. Sample i sounded at started_at + i / rate + the gaps before it.
    gaps: tuple[tuple[int, float], ...] = ()
    voice: dict[str, float] | None = None

    def as_json(self) -> dict[str, object]:
        key = "broadcast_id" if self.kind == "broadcast" else "stream_id"
        return {
            key: self.play_id,
            "kind": self.kind,
            "zones": self.zones,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "samples": self.samples,
            "outcome": self.outcome,
            "wav": self.wav,
            "dropouts": self.dropouts,
            "gaps": [[at, round(seconds, 6)] for at, seconds in self.gaps],
            **({"voice": self.voice} if self.voice is not None else {}),
        }


class SimulatedAmplifier(AudioOutput):
    """Writes exactly what it played, sample for sample, at real-time pace.

    With a `folder`: one WAV per playback (`<id>-<start ms>.wav`) and a JSONL index
    (`index.jsonl`) line per playback. Without: only the in-memory records (cheap for a fleet of
    thousands). A playback cut short keeps only the samples heard up to the cut: a block is kept
    in hand while it "sounds" and written when the next one starts, or partly at the cut.

    It models a sound card's queue: a block handed over while the previous one still sounds plays
    right after it; a block handed over late plays when it comes, after a gap of silence that the
    record keeps (`gaps`), so the wall-clock moment of every recorded sample is known exactly,
    whatever the block size (20 ms for live voice, 100 ms for clips).
    """

    INDEX_NAME = "index.jsonl"

    def __init__(self, folder: Path | None = None, index: Path | None = None) -> None:
        self.folder = folder
        self.index = index if index is not None else (folder / self.INDEX_NAME if folder else None)
        self.records: list[PlayRecord] = []
        self.faulty: str | None = None  # set by tests and the fleet to simulate a dead amplifier

    def fault(self) -> str | None:
        return self.faulty

    async def open(self, play_id: str, kind: PlayKind, zones: list[str]) -> OutputStream:
        if self.faulty is not None:
            raise OutputFault(self.faulty)
        return _SimulatedStream(self, play_id, kind, zones)

    def _finished(self, record: PlayRecord) -> None:
        self.records.append(record)
        if self.index is not None:
            # One short line per playback into the page cache: cheap enough to do on the loop.
            self.index.parent.mkdir(parents=True, exist_ok=True)
            with self.index.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record.as_json(), ensure_ascii=False) + "\n")


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
MAX_GAPS_KEPT = 10_000  # underruns recorded per playback (a stalled machine costs bounded memory)


class _SimulatedStream(OutputStream):
    def __init__(self, amp: SimulatedAmplifier, play_id: str, kind: PlayKind, zones: list[str]) -> None:
        self._amp = amp
        self._play_id = play_id
        self._kind = kind
        self._zones = zones
        self._disk: _WavOnDisk | None = None
        self._wav_name = ""
        self._held = b""  # the block sounding now
        self._held_at = 0.0  # monotonic time it started sounding
        self._ends_at = 0.0  # monotonic time the audio handed over so far has all sounded
        self._samples = 0
        self._gaps: list[tuple[int, float]] = []

    async def write(self, pcm: bytes) -> None:
        now = time.monotonic()
        if self.started_at is None:
            # The WAV is created when the first block has sounded (see _emit): a whole city
            # starting at once in one simulator process must not queue its first blocks behind
            # thousands of file creations, which a real amplifier never waits for.
            self.started_at = time.time()
            self._ends_at = now
        starts = max(now, self._ends_at)
        if starts > self._ends_at and len(self._gaps) < MAX_GAPS_KEPT:
            # Ran dry: the listener heard silence until this block came.
            self._gaps.append((self._samples + len(self._held) // SAMPLE_WIDTH, starts - self._ends_at))
        self._emit(self._held)
        self._held, self._held_at = pcm, starts
        self._ends_at = starts + len(pcm) / BYTES_PER_SECOND

    async def close(self, outcome: Outcome) -> int:
        if outcome == "done":
            self._emit(self._held)
        else:
            heard = int((time.monotonic() - self._held_at) * SAMPLE_RATE) * SAMPLE_WIDTH
            self._emit(self._held[: max(0, min(len(self._held), heard))])
        self._held = b""
        if self.started_at is not None and self._disk is None:
            self._open_wav()  # nothing was heard: an empty WAV still says the playback began
        if self._disk is not None:
            await self._disk.close()  # the WAV is complete before the playback is reported over
        started = self.started_at if self.started_at is not None else time.time()
        self._amp._finished(
            PlayRecord(
                self._play_id, self._kind, self._zones, started, time.time(), self._samples, outcome,
                self._wav_name, self.dropouts, tuple(self._gaps), self.voice,
            )
        )
        return self._samples

    def _emit(self, pcm: bytes) -> None:
        if not pcm:
            return
        self._samples += len(pcm) // SAMPLE_WIDTH
        if self._disk is None:
            self._open_wav()
        if self._disk is not None:
            self._disk.append(pcm)

    def _open_wav(self) -> None:
        if self._amp.folder is None or self._wav_name:
            return
        assert self.started_at is not None
        self._wav_name = f"{_UNSAFE.sub('_', self._play_id)}-{int(self.started_at * 1000)}.wav"
        self._disk = _WavOnDisk(self._amp.folder / self._wav_name)


class _WavOnDisk:
    """One playback's WAV file, written by worker threads so the event loop never waits on the disk.

    A simulator process plays for thousands of schools on one loop; creating and writing their
    files there would hold up every other school's next block. Samples are gathered in memory and
    handed to a worker thread in chunks of FLUSH_BYTES, one job at a time per file so the order
    is kept; `close` waits for the last job, so the file is complete when the playback is over.
    """

    FLUSH_BYTES = 64 * 1024  # 2 s of audio: a few jobs per clip, little memory per school

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending = bytearray()
        self._writer: wave.Wave_write | None = None
        self._job: asyncio.Future[None] | None = None

    def append(self, pcm: bytes) -> None:
        self._pending += pcm
        if len(self._pending) >= self.FLUSH_BYTES and self._job is None:
            self._submit()

    def _submit(self) -> None:
        data, self._pending = bytes(self._pending), bytearray()
        job = asyncio.get_running_loop().run_in_executor(None, self._write, data)
        self._job = job
        job.add_done_callback(self._written)

    def _written(self, job: asyncio.Future[None]) -> None:
        self._job = None
        if not job.cancelled() and job.exception() is not None:
            log.error("simulated amplifier: cannot write %s: %s", self.path, job.exception())
        elif len(self._pending) >= self.FLUSH_BYTES:
            self._submit()

    def _write(self, data: bytes) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Open for the whole playback (chunks are appended as they sound); closed in close().
            writer = wave.open(str(self.path), "wb")  # noqa: SIM115
            writer.setnchannels(CHANNELS)
            writer.setsampwidth(SAMPLE_WIDTH)
            writer.setframerate(SAMPLE_RATE)
            self._writer = writer
        if data:
            self._writer.writeframesraw(data)

    def _finish(self, data: bytes) -> None:
        self._write(data)
        assert self._writer is not None
        self._writer.close()

    async def close(self) -> None:
        while (job := self._job) is not None:
            if not job.done():
                await asyncio.wait([job])
            # Yield so the job's done callback runs (it clears the job or submits the next one):
            # awaiting a finished future alone would never give it the chance.
            await asyncio.sleep(0)
        data, self._pending = bytes(self._pending), bytearray()
        try:
            await asyncio.get_running_loop().run_in_executor(None, self._finish, data)
        except OSError as exc:
            log.error("simulated amplifier: cannot write %s: %s", self.path, exc)
