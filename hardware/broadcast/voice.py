"""Live voice at the school: Opus frames from the hub decoded, de-jittered and played in real time.

Each `voice_frame` carries one 20 ms Opus frame (16 kHz mono). Frames go into a jitter buffer by
sequence number; a playout loop takes one per 20 ms tick, decodes it with PyAV (libopus ships in
its wheel) and hands it to the PA output. A lost frame is concealed (the previous frame once at
half level, then silence) and counted as a dropout. The stream ends cleanly on a frame marked
`end`, or after 1 s without any frame.

The playout loop hands the output one 20 ms block per tick, as a sound card with a 20 ms period
takes it. When the loop wakes more than half a frame late (a busy machine) it does not rush to
catch up: it keeps its new pace and the frames that piled up wait in the jitter buffer, whose
step-down then removes the excess, so the delay at the loudspeaker follows the buffer's target.
"""

from __future__ import annotations

import array
import asyncio
import sys
import time
from collections.abc import Callable
from typing import Any

from hardware.broadcast.audio import SAMPLE_RATE, bytes_for
from hardware.broadcast.jitter import JitterBuffer
from hardware.broadcast.outputs import OutputStream

FRAME_S = 0.02
SILENCE_END_S = 1.0  # no frame for this long ends the stream
MAX_ARRIVALS_KEPT = 30_000  # arrival spreads kept for the jitter figure (10 minutes of speech)


class VoiceDecodeError(Exception):
    """A frame libopus could not decode, or PyAV is missing."""


class OpusDecoder:
    """One stream's Opus decoder (stateful: frames must come in order) with resampling to 16 kHz.

    libopus decodes at 48 kHz whatever the encoder used; the resampler brings it to the school
    format. PyAV is imported here only, so an agent without it still plays clips.
    """

    def __init__(self) -> None:
        try:
            import av
        except ImportError as exc:  # pragma: no cover - av is a core dependency
            raise VoiceDecodeError(f"live voice needs PyAV (pip install av): {exc}") from None
        self._av: Any = av
        codec = av.CodecContext.create("libopus", "r")
        codec.sample_rate = 48_000
        codec.layout = "mono"
        codec.open()
        self._codec: Any = codec
        self._resampler: Any = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)

    def decode(self, packet: bytes) -> bytes:
        try:
            frames = self._codec.decode(self._av.Packet(packet))
            out = bytearray()
            for frame in frames:
                for resampled in self._resampler.resample(frame):
                    out += bytes(resampled.planes[0])[: resampled.samples * 2]
        except self._av.error.FFmpegError as exc:
            raise VoiceDecodeError(f"Opus frame not decodable: {exc}") from None
        return bytes(out)


def _quieter(pcm: bytes) -> bytes:
    samples = array.array("h", pcm)
    if sys.byteorder != "little":  # pragma: no cover - the school format is little-endian
        samples.byteswap()
    halved = array.array("h", (s // 2 for s in samples))
    if sys.byteorder != "little":  # pragma: no cover
        halved.byteswap()
    return halved.tobytes()


class VoiceStream:
    """One live voice stream at one school: its jitter buffer, decoder and playout loop."""

    def __init__(self, stream_id: str, decoder: OpusDecoder, jitter: JitterBuffer | None = None) -> None:
        self.stream_id = stream_id
        self.jitter = jitter or JitterBuffer(FRAME_S)
        self._decoder = decoder
        self._arrived = asyncio.Event()
        self._last_arrival = time.monotonic()
        # Arrival time minus the frame's place in the stream (seq x 20 ms), on the agent's monotonic
        # clock: its spread is the jitter the buffer has to absorb, whatever the sender's clock.
        self._arrival_offsets: list[float] = []
        self._last_pcm = b""
        self._concealed_once = False
        self.dropouts = 0
        self.decode_errors = 0
        self.frames_played = 0

    def push(self, seq: int, payload: bytes, end: bool) -> None:
        self._last_arrival = time.monotonic()
        if len(self._arrival_offsets) < MAX_ARRIVALS_KEPT:
            self._arrival_offsets.append(self._last_arrival - seq * FRAME_S)
        self.jitter.push(seq, payload, end)
        self._arrived.set()

    def figures(self) -> dict[str, float]:
        """The stream's jitter figures for the amplifier's record (milliseconds and counts)."""
        offsets = sorted(self._arrival_offsets)
        spread = [1000 * (o - offsets[0]) for o in offsets] if offsets else [0.0]
        jb = self.jitter
        return {
            "arrival_jitter_ms_p50": round(spread[len(spread) // 2], 2),
            "arrival_jitter_ms_p99": round(spread[min(len(spread) - 1, int(len(spread) * 0.99))], 2),
            "arrival_jitter_ms_max": round(spread[-1], 2),
            "target_ms": round(jb.target_frames * FRAME_S * 1000),
            "peak_target_ms": round(jb.peak_frames * FRAME_S * 1000),
            "late": jb.late,
            "shrunk": jb.shrunk,
            "skipped": jb.skipped,
        }

    async def play(self, stream: OutputStream, on_first: Callable[[], None], lead_s: float = 0.0) -> None:
        """Play until the end frame or 1 s of silence; returns normally then (outcome "done")."""
        loop = asyncio.get_running_loop()
        started_waiting = loop.time()
        while not self.jitter.ready():
            # Start once the target delay is buffered, or after the maximum delay at the latest.
            remaining = self.jitter.max_frames * FRAME_S - (loop.time() - started_waiting)
            if remaining <= 0:
                break
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                break
        silence = b"\x00" * bytes_for(FRAME_S)
        t0 = loop.time()
        tick = 0
        while True:
            kind, payload = self.jitter.pop()
            if kind == "end":
                return
            if kind == "frame":
                pcm = self._decode(payload, silence)
                self._concealed_once = False
                self.frames_played += 1
            elif kind == "lost":
                self.dropouts += 1
                pcm = self._conceal(silence)
            else:  # "hold" (delay grows) or "empty" (nothing buffered: wait, in silence)
                if kind == "empty" and time.monotonic() - self._last_arrival >= SILENCE_END_S:
                    return
                pcm = silence
            await stream.write(pcm)
            if tick == 0:
                on_first()
            tick += 1
            delay = t0 + tick * FRAME_S - lead_s - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -FRAME_S / 2:
                t0 -= delay  # woke late: keep the new pace rather than rush blocks out (see above)

    def _decode(self, payload: bytes, silence: bytes) -> bytes:
        try:
            pcm = self._decoder.decode(payload)
        except VoiceDecodeError:
            self.decode_errors += 1
            self.dropouts += 1
            return self._conceal(silence)
        self._last_pcm = pcm
        return pcm

    def _conceal(self, silence: bytes) -> bytes:
        if self._last_pcm and not self._concealed_once:
            self._concealed_once = True
            return _quieter(self._last_pcm)
        return silence
