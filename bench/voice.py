"""bench.voice: live voice from a microphone-like source through the hub to simulated school speakers.

    python -m bench.voice [--agents 4] [--seconds 60] [--processes 1]

Starts everything itself: a temporary SQLite city, the hub as a subprocess, a fleet of 2-10 real
agents whose simulated amplifiers record what they play (WAV + index), and a console with the
hub's local-admin CLI key. The source is a 16 kHz PCM signal (a quiet 220 Hz hum, as a room
behind a speaker) with a marker every 500 ms: 40 ms of a loud 1 kHz tone. It is cut into 20 ms
frames at real-time pace, each Opus-encoded with PyAV (libopus) and sent as the console message
`voice_frame` to all the agents' schools; the hub relays every frame to the agents.

At each school the marker onsets are found in the recorded WAV (the first sample above a level the
hum never reaches, at least 300 ms after the previous onset). Heard at = the index's started_at
(the agent's wall clock, time.time(), when the first sample reached the amplifier) + sample
offset / 16,000 + the underruns (gaps of silence) the amplifier recorded before that sample: the
wall-clock moment that sample sounded. Spoken at = the source's capture clock: wall0 (time.time()
when speaking began) + the frame's place in the stream x 20 ms, the moment the marker's first
sample entered the "microphone"; the frame is sent when complete, 20 ms later, or later still if
the sender is slow, and that delay counts. Both ends use the same machine's wall clock (loopback),
so no clock offset enters. JSON: agents, seconds, latency_ms_p50, latency_ms_p95 (over every
marker at every school), dropouts (frames the agents concealed, summed), markers_sent,
markers_heard (per school, summed), markers_missing, plus the max, the hub's CPU and, from the
agents' jitter buffers, arrival_jitter_ms_p99 (the worst school's 99th percentile of frame
arrival spread), late_frames, shrunk_frames, peak_target_ms and underrun_ms (summed gaps).
"""

from __future__ import annotations

import argparse
import array
import json
import math
import shutil
import sys
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av

from bench._util import emit_result, percentile, progress
from bench.fleet import ConsoleView, prepare_city
from hardware.fleet.admin import HubAdmin
from hardware.fleet.controller import Fleet
from hardware.fleet.spec import Behaviour, agent_folder

RATE = 16000
FRAME = 320  # 20 ms
MARKER_EVERY = 25  # frames: 500 ms
MARKER_FRAMES = 2  # 40 ms
MARKER_LEVEL = 12000
HUM_LEVEL = 1200
ONSET_LEVEL = 5000
REFRACTORY_S = 0.3


def source_frame(k: int) -> bytes:
    """The k-th 20 ms of the source: hum, plus the marker tone in the first frames of each 500 ms."""
    marker = k % MARKER_EVERY < MARKER_FRAMES
    out = array.array("h", bytes(FRAME * 2))
    for i in range(FRAME):
        n = k * FRAME + i
        value = HUM_LEVEL * math.sin(2 * math.pi * 220 * n / RATE)
        if marker:
            value += MARKER_LEVEL * math.sin(2 * math.pi * 1000 * n / RATE)
        out[i] = int(value)
    return out.tobytes()


class OpusEncoder:
    """20 ms frames of s16 mono 16 kHz in, Opus packets out (PyAV's libopus)."""

    def __init__(self) -> None:
        self._codec = av.CodecContext.create("libopus", "w")
        self._codec.sample_rate = RATE
        self._codec.layout = "mono"
        self._codec.format = "s16"
        self._codec.bit_rate = 32000
        self._codec.options = {"application": "voip", "frame_duration": "20"}
        self._codec.open()
        self._pts = 0

    def encode(self, pcm: bytes) -> list[bytes]:
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME)
        frame.planes[0].update(pcm)
        frame.sample_rate = RATE
        frame.pts = self._pts
        self._pts += FRAME
        return [bytes(p) for p in self._codec.encode(frame)]


def speak(view: ConsoleView, schools: list[str], seconds: float) -> list[float]:
    """Send the source in real time; returns the capture time of each marker's first sample."""
    client = view.client
    encoder = OpusEncoder()
    frames = int(seconds * 50)
    markers: list[float] = []
    sent = 0
    start = time.monotonic() + 0.1
    wall0 = time.time() + 0.1
    for k in range(frames):
        due = start + (k + 1) * 0.02  # frame k is complete 20 ms after its first sample
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        captured = wall0 + (k + 1) * 0.02
        if k % MARKER_EVERY == 0:
            markers.append(captured - 0.02)
        for packet in encoder.encode(source_frame(k)):
            client.send_voice_frame(
                "bench-voice",
                sent,
                time.time(),
                packet,
                target={"schools": schools},
                priority="emergency",
                end=False,
            )
            sent += 1
        if k % 50 == 0:
            view.pump(0.0)
    # The end rides on a frame of silence (the encoder may hold it back a frame or two).
    last: list[bytes] = []
    while not last:
        last = encoder.encode(bytes(FRAME * 2))
    client.send_voice_frame(
        "bench-voice", sent, time.time(), last[0], target={"schools": schools}, priority="emergency", end=True
    )
    return markers


def onsets(samples: array.array[int], clock: Callable[[int], float]) -> list[float]:
    found: list[float] = []
    last = -1e9
    for i, value in enumerate(samples):
        if abs(value) >= ONSET_LEVEL:
            at = clock(i)
            if at - last >= REFRACTORY_S:
                found.append(at)
            last = at if at - last >= REFRACTORY_S else last
    return found


def sounded_at(started_at: float, gaps: list[list[float]]) -> Callable[[int], float]:
    """Wall-clock moment sample i sounded: its place in the stream plus the underruns before it."""
    marks = sorted((int(at), float(seconds)) for at, seconds in gaps)

    def at(i: int) -> float:
        return started_at + i / RATE + sum(seconds for where, seconds in marks if where <= i)

    return at


def heard(folder: Path) -> tuple[list[float], int, dict[str, Any]] | None:
    index = folder / "pa-wav" / "index.jsonl"
    if not index.exists():
        return None
    entries = [json.loads(line) for line in index.read_text().splitlines() if line.strip()]
    entries = [e for e in entries if e.get("stream_id") == "bench-voice"]
    if not entries:
        return None
    entry = entries[-1]
    with wave.open(str(folder / "pa-wav" / str(entry["wav"])), "rb") as reader:
        samples = array.array("h", reader.readframes(reader.getnframes()))
    clock = sounded_at(float(entry["started_at"]), list(entry.get("gaps", [])))
    extra = {**dict(entry.get("voice") or {}), "underrun_s": sum(g[1] for g in entry.get("gaps", []))}
    return onsets(samples, clock), int(entry.get("dropouts", 0)), extra


def latencies(markers: list[float], heard_at: list[float]) -> list[float]:
    """Each onset matched to the latest marker spoken before it (latency below 500 ms)."""
    out = []
    for at in heard_at:
        spoken = [m for m in markers if m <= at]
        if spoken and at - spoken[-1] < MARKER_EVERY * 0.02:
            out.append((at - spoken[-1]) * 1000)
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    n = args.agents
    workdir, _url, schools, hub = prepare_city(n, "voice")
    key_dir = workdir / "hub"
    fleet: Fleet | None = None
    view: ConsoleView | None = None
    result: dict[str, Any] = {"agents": n, "seconds": args.seconds}
    try:
        hub.start()
        fleet = Fleet(
            workdir / "fleet",
            schools,
            agent_endpoint=hub.ready["agent"],
            enroll_endpoint=hub.ready["enroll"],
            hub_public_key=hub.ready["public_key"].encode(),
            processes=args.processes,
            behaviour=Behaviour(pa_record=True, camera_fault_rate_per_h=0.0, backoff_initial_s=0.2),
        )
        fleet.spawn()
        admin = HubAdmin(key_dir, console_endpoint=hub.ready["console"], operator="bench")
        try:
            fleet.enroll(admin)
        finally:
            admin.close()
        view = ConsoleView(key_dir, hub.ready["console"])
        fleet.start_agents()
        view.wait_online(n, args.timeout, fleet)
        time.sleep(1.0)
        progress(f"{n} schools online; speaking for {args.seconds:g} s")
        cpu0, wall0 = hub.cpu_seconds(), time.monotonic()
        markers = speak(view, schools, args.seconds)
        result["hub_cpu_cores"] = round((hub.cpu_seconds() - cpu0) / max(time.monotonic() - wall0, 1e-6), 3)
        time.sleep(2.5)  # the streams end (end frame, jitter buffer drained) and the WAVs are closed
        all_ms: list[float] = []
        dropouts = 0
        heard_total = 0
        figures: list[dict[str, Any]] = []
        for school in schools:
            found = heard(agent_folder(workdir / "fleet", school))
            if found is None:
                progress(f"  {school}: nothing recorded")
                continue
            heard_at, school_dropouts, extra = found
            figures.append(extra)
            ms = latencies(markers, heard_at)
            all_ms += ms
            heard_total += len(ms)
            dropouts += school_dropouts
        result["latency_ms_p50"] = _round(percentile(all_ms, 50))
        result["latency_ms_p95"] = _round(percentile(all_ms, 95))
        result["latency_ms_max"] = _round(max(all_ms) if all_ms else None)
        result["dropouts"] = dropouts
        result["markers_sent"] = len(markers) * n
        result["markers_heard"] = heard_total
        result["markers_missing"] = len(markers) * n - heard_total
        if figures:
            result["arrival_jitter_ms_p99"] = max(float(f.get("arrival_jitter_ms_p99", 0)) for f in figures)
            result["arrival_jitter_ms_max"] = max(float(f.get("arrival_jitter_ms_max", 0)) for f in figures)
            result["late_frames"] = sum(int(f.get("late", 0)) for f in figures)
            result["shrunk_frames"] = sum(int(f.get("shrunk", 0)) for f in figures)
            result["peak_target_ms"] = max(float(f.get("peak_target_ms", 0)) for f in figures)
            result["underrun_ms"] = round(1000 * sum(float(f["underrun_s"]) for f in figures), 1)
    finally:
        if view is not None:
            view.close()
        if fleet is not None:
            fleet.stop()
        hub.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.voice", description=__doc__.split("\n")[0] if __doc__ else ""
    )
    parser.add_argument("--agents", type=int, default=4, help="schools listening (2-10)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    if not 1 <= args.agents <= 50 or args.seconds <= 0:
        parser.error("--agents 1-50 and --seconds > 0")
    emit_result(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
