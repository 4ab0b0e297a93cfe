"""Measure the player engine on this machine: CPU per frame and frames per tile (docs/video.md).

    python -m console.video.measure [--tiles 16 64 128] [--seconds 8] [--json FILE]

For each tile count it starts the stream simulator, then measures in the same run:
- limit: one `ffmpeg -threads 1 -i URL -f null -` per stream (decode only, nothing shown);
- shards=1: every player in one process (video callbacks into RV32 buffers, libvlc scaling);
- shards=2 / shards=4: the same players spread over 2 / 4 worker processes, frames through
  shared memory;
- overview: shards=2 with `:avcodec-skip-frame=3`, against an ffmpeg `-skip_frame nokey` limit.
CPU is read from /proc for exactly the processes doing the work; the stream server is measured
separately. Progress goes to stderr, one JSON object per line to stdout.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from console.video.frames import FrameBuffer
from console.video.host import PlayerHost, PlayRequest

TILE_W, TILE_H = 212, 120  # a tile of a 9x9 layout on a 1080p monitor
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of *pid* and its waited-for children, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / _TICKS


def _shard(conn: Connection, requests: list[PlayRequest]) -> None:
    host = PlayerHost(lambda *_: None)
    for request in requests:
        host.play(request)
    conn.recv()  # run until told to stop
    host.close()


@dataclass
class Result:
    mode: str
    tiles: int
    seconds: float
    cpu_cores: float
    frames: int

    def as_dict(self, limit: Result | None) -> dict[str, object]:
        ms_per_frame = 1000 * self.cpu_cores * self.seconds / max(1, self.frames)
        out: dict[str, object] = {
            "mode": self.mode,
            "tiles": self.tiles,
            "cpu_cores": round(self.cpu_cores, 3),
            "fps_per_tile": round(self.frames / self.seconds / self.tiles, 2),
            "cpu_ms_per_frame": round(ms_per_frame, 3),
            "cpu_ms_per_tile_s": round(1000 * self.cpu_cores / self.tiles, 2),
        }
        if limit is not None and limit.cpu_cores > 0:
            # As bench.wall: CPU of the engine over CPU of a bare decode of the same streams.
            out["ratio_to_limit"] = round(self.cpu_cores / limit.cpu_cores, 2)
        return out


def measure_players(
    urls: list[str], shards: int, keyframes_only: bool, warmup: float, seconds: float
) -> Result:
    ctx = multiprocessing.get_context("spawn")
    buffers = [FrameBuffer(TILE_W, TILE_H) for _ in urls]
    requests = [
        PlayRequest(i, url, TILE_W, TILE_H, buffers[i].name, keyframes_only=keyframes_only)
        for i, url in enumerate(urls)
    ]
    procs = []
    for k in range(shards):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_shard, args=(child, requests[k::shards]), daemon=True)
        proc.start()
        procs.append((proc, parent))
    try:
        time.sleep(warmup)
        c0 = sum(cpu_seconds(p.pid or 0) for p, _ in procs)
        f0 = sum(b.info().counter for b in buffers)
        t0 = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - t0
        c1 = sum(cpu_seconds(p.pid or 0) for p, _ in procs)
        f1 = sum(b.info().counter for b in buffers)
    finally:
        for _, conn in procs:
            conn.send("stop")
        for proc, _ in procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        for b in buffers:
            b.close()
    mode = f"shards={shards}" + (" keyframes" if keyframes_only else "")
    return Result(mode, len(urls), elapsed, (c1 - c0) / elapsed, f1 - f0)


def measure_ffmpeg(urls: list[str], keyframes_only: bool, warmup: float, seconds: float) -> Result:
    frames = [0] * len(urls)
    procs: list[subprocess.Popen[str]] = []

    def follow(i: int, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("frame="):
                frames[i] = int(line.split("=", 1)[1])

    skip = ["-skip_frame", "nokey"] if keyframes_only else []
    threads = []
    for i, url in enumerate(urls):
        # Short probing: the default 5 s analysis would buffer and then burst through 5 s of frames.
        cmd = ["ffmpeg", "-hide_banner", "-nostats", "-loglevel", "error", "-threads", "1", *skip,
               "-probesize", "500000", "-analyzeduration", "1000000",
               "-i", url, "-fps_mode", "passthrough", "-f", "null", "-progress", "pipe:1", "-"]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(proc)
        t = threading.Thread(target=follow, args=(i, proc), daemon=True)
        t.start()
        threads.append(t)
    try:
        time.sleep(warmup)
        c0, f0, t0 = sum(cpu_seconds(p.pid) for p in procs), sum(frames), time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - t0
        c1, f1 = sum(cpu_seconds(p.pid) for p in procs), sum(frames)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
        for t in threads:
            t.join(5)
    mode = "ffmpeg" + (" keyframes" if keyframes_only else "")
    return Result(mode, len(urls), elapsed, (c1 - c0) / elapsed, f1 - f0)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m console.video.measure")
    p.add_argument("--tiles", type=int, nargs="+", default=[16, 64, 128])
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--warmup", type=float, default=4.0)
    p.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "safecampus-measure-clips")
    p.add_argument("--modes", nargs="+", default=["limit", "1", "2", "4", "overview"])
    args = p.parse_args(argv)
    cams = max(args.tiles)
    server = subprocess.Popen(
        [sys.executable, "-m", "hardware.streams", "--cameras", str(cams), "--port", "0",
         "--cache-dir", str(args.cache_dir), "--prerender"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("safecampus-streams ready "):
        print(f"simulator failed: {line!r}", file=sys.stderr)
        return 1
    template = line.split()[2]
    try:
        for tiles in args.tiles:
            urls = [template.format(code=f"SIM-{i + 1:04d}", stream="sub") for i in range(tiles)]
            limit = key_limit = None
            for mode in args.modes:
                s0, t0 = cpu_seconds(server.pid), time.monotonic()
                if mode == "limit":
                    result = limit = measure_ffmpeg(urls, False, args.warmup, args.seconds)
                    ref = None
                elif mode == "overview":
                    key_limit = measure_ffmpeg(urls, True, args.warmup, args.seconds)
                    print(json.dumps(key_limit.as_dict(None)), flush=True)
                    result = measure_players(urls, 2, True, args.warmup, args.seconds)
                    ref = key_limit
                else:
                    result = measure_players(urls, int(mode), False, args.warmup, args.seconds)
                    ref = limit
                server_cores = (cpu_seconds(server.pid) - s0) / (time.monotonic() - t0)
                row = result.as_dict(ref) | {"server_cores": round(server_cores, 3)}
                print(json.dumps(row), flush=True)
    finally:
        server.terminate()
        server.wait(10)
        server.stdout.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
