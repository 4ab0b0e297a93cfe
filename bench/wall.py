"""bench.wall: the real video wall widget playing N simulated camera streams.

    python -m bench.wall --tiles 64
    python -m bench.wall --tiles 324 --tier auto
    python -m bench.wall --tiles 64 --urls cameras.txt      # your own cameras or media server

Starts the camera stream simulator (unless --urls), then shows the real VideoWall (one widget, all
tiles, 15 Hz) at --width x --height offscreen, driven by the console's WallPlayback (tiers and
stream choice from services.video, players in PlayerPool worker processes, frames through shared
memory). After the warm-up it measures for --seconds:

- tiles_live: tiles whose player is live and that showed new frames in the window;
- fps_per_tile_p50/p10: new pictures the wall took per tile per second;
- ttff_s_p50/p95: from the moment the cameras were set on the open wall (its player workers
  started --open-s earlier, as when the wall page opens) to each tile's first picture;
- picture_gap_s_max: the longest any tile went without a new picture (window and its end);
- cpu_cores: the console's process tree (this process and the player workers) from /proc, with
  the split cpu_cores_gui / cpu_cores_workers (where the time goes);
- limit_cores: afterwards, in the same run, one `ffmpeg -threads 1` per tile decoding the very
  URLs the wall played at the same tier (keyframes only where the wall was an overview);
  ratio_to_limit = cpu_cores / limit_cores;
- ui_lag_ms_p99: lateness of a 5 ms probe timer on the GUI thread (bench._util);
- rss_mb: resident memory of the process tree.

--tier auto lets the console decide (sub past 16 tiles, overview past 64); sub or overview forces
that tier for every tile. Progress on stderr; one JSON object as the last line of stdout.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench._util import (
    emit_result,
    ensure_offscreen_qt,
    environment_info,
    make_ui_lag_probe,
    percentile,
    progress,
)

READY = "safecampus-streams ready "
_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.wall", description=__doc__.splitlines()[0])
    p.add_argument("--tiles", type=int, default=64)
    p.add_argument("--tier", choices=("auto", "sub", "overview"), default="auto")
    p.add_argument("--seconds", type=float, default=8.0, help="measured duration (after warm-up)")
    p.add_argument("--warmup", type=float, default=4.0, help="seconds after the last first picture")
    p.add_argument("--max-warmup", type=float, default=30.0, help="give up waiting for first pictures")
    p.add_argument("--open-s", type=float, default=3.0, help="wall open this long before the cameras are set")
    p.add_argument("--urls", type=Path, default=None, help="play these URLs (one a line) instead")
    p.add_argument("--workers", type=int, default=2, help="player worker processes (0: in this process)")
    p.add_argument("--width", type=int, default=1920)
    p.add_argument("--height", type=int, default=1080)
    p.add_argument("--no-limit", action="store_true", help="skip the ffmpeg limit run")
    p.add_argument("--screenshot", type=Path, default=None, help="save the wall as PNG at the end")
    p.add_argument("--cache-dir", type=Path, default=None, help="simulator clip cache")
    return p.parse_args(argv)


def cpu_seconds_own(pid: int) -> float:
    """utime + stime of *pid* alone (not its children), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_mb(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_KB / 1024
    except (OSError, IndexError, ValueError):
        return 0.0


def start_simulator(cameras: int, cache_dir: Path | None) -> tuple[subprocess.Popen[str], str]:
    args = [sys.executable, "-m", "hardware.streams", "--cameras", str(cameras), "--port", "0", "--prerender"]
    if cache_dir is not None:
        args += ["--cache-dir", str(cache_dir)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith(READY):
        proc.kill()
        proc.wait(5)
        raise RuntimeError(f"the stream simulator did not start: {line!r}")
    return proc, line[len(READY) :].split()[0]


def stop_process(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def measure_limit(jobs: list[tuple[str, bool]], warmup: float, seconds: float) -> tuple[float, float]:
    """(cores, frames per stream per second) of one `ffmpeg -threads 1` decode per (url, keyframes)."""
    frames = [0] * len(jobs)
    procs: list[subprocess.Popen[str]] = []
    threads = []

    def follow(i: int, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("frame="):
                frames[i] = int(line.split("=", 1)[1])

    for i, (url, keyframes) in enumerate(jobs):
        skip = ["-skip_frame", "nokey"] if keyframes else []
        # Short probing, as the players do: a long analysis would buffer, then burst.
        cmd = ["ffmpeg", "-hide_banner", "-nostats", "-loglevel", "error", "-threads", "1", *skip,
               "-probesize", "500000", "-analyzeduration", "1000000", "-i", url,
               "-fps_mode", "passthrough", "-f", "null", "-progress", "pipe:1", "-"]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(proc)
        thread = threading.Thread(target=follow, args=(i, proc), daemon=True)
        thread.start()
        threads.append(thread)
    try:
        time.sleep(warmup)
        c0, f0, t0 = sum(cpu_seconds_own(p.pid) for p in procs), sum(frames), time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - t0
        c1, f1 = sum(cpu_seconds_own(p.pid) for p in procs), sum(frames)
    finally:
        for p in procs:
            stop_process(p)
        for t in threads:
            t.join(5)
        for p in procs:
            if p.stdout is not None:
                p.stdout.close()
    return (c1 - c0) / elapsed, (f1 - f0) / elapsed / max(1, len(jobs))


def read_urls(path: Path) -> list[str]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    urls = [line for line in lines if line and not line.startswith("#")]
    if not urls:
        raise ValueError(f"{path} lists no URL")
    return urls


def run_wall(args: argparse.Namespace, cameras: list[Any]) -> dict[str, Any]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from console.pages.wall_playback import WallPlayback, descendants
    from console.video.pool import PlayerPool
    from services.video.tiers import TierPolicy
    from widgets.video_wall import grid_layout

    app = QApplication.instance() or QApplication(["bench.wall"])
    from widgets.video_wall import VideoWall

    policy = {
        "auto": TierPolicy(),
        "sub": TierPolicy(overview_above_tiles=10**9),
        "overview": TierPolicy(overview_above_tiles=0),
    }[args.tier]
    wall = VideoWall()
    wall.resize(args.width, args.height)
    side = math.isqrt(args.tiles)
    layout = grid_layout(args.tiles) if side * side == args.tiles or args.tiles == 6 else None
    if layout is None:
        side = math.ceil(math.sqrt(args.tiles))
        layout = grid_layout(side * side)
    playback = WallPlayback(wall, lambda: PlayerPool(workers=args.workers), tier_policy=policy)
    wall.set_wall_layout(layout)
    wall.show()
    # As the wall page does when it opens: the player workers start before any camera is dropped.
    playback.prepare()
    opened = time.monotonic()
    while time.monotonic() - opened < args.open_s:
        app.processEvents()
        time.sleep(0.02)
    wall.set_cameras(cameras)
    n = len(cameras)
    probe = make_ui_lag_probe()
    state: dict[str, Any] = {"phase": "warmup", "first_all": None}
    started = time.monotonic()
    result: dict[str, Any] = {}

    def tree_cpu() -> tuple[float, float]:
        # The workers and everything below them (ffmpeg keyframe players); not the simulator.
        pool = playback.pool
        workers = descendants(pool.worker_pids() if pool else [])
        return cpu_seconds_own(os.getpid()), sum(cpu_seconds_own(p) for p in workers)

    def check() -> None:
        now = time.monotonic()
        if state["phase"] == "warmup":
            have = sum(1 for t in wall.first_frame_at[:n] if t is not None)
            if have == n and state["first_all"] is None:
                state["first_all"] = now
                progress(f"all {n} tiles show a picture after {now - wall.tiles_since:.1f} s")
            ready = state["first_all"] is not None and now - state["first_all"] >= args.warmup
            if ready or now - started >= args.max_warmup:
                if not ready:
                    progress(f"warm-up gave up: {have}/{n} tiles show a picture")
                state["phase"] = "measure"
                state["t0"] = now
                state["cpu0"] = tree_cpu()
                state["frames0"] = list(wall.frames_shown)
                state["gaps"] = [0.0] * n
                state["last"] = list(wall.last_frame_at)
                probe.reset()
                progress(f"measuring {args.seconds:.0f} s")
        elif state["phase"] == "measure":
            for i in range(n):
                last = wall.last_frame_at[i]
                if last != state["last"][i]:
                    state["gaps"][i] = max(state["gaps"][i], last - max(state["last"][i], state["t0"]))
                    state["last"][i] = last
            if now - state["t0"] >= args.seconds:
                finish(now)

    def finish(now: float) -> None:
        elapsed = now - state["t0"]
        gui1, workers1 = tree_cpu()
        gui0, workers0 = state["cpu0"]
        fps = [(wall.frames_shown[i] - state["frames0"][i]) / elapsed for i in range(n)]
        for i in range(n):
            state["gaps"][i] = max(state["gaps"][i], now - max(wall.last_frame_at[i], state["t0"]))
        ttff = [t - wall.tiles_since for t in wall.first_frame_at[:n] if t is not None]
        health = [wall.tile_status(i).health for i in range(n)]
        pool = playback.pool
        pids = [os.getpid(), *descendants(pool.worker_pids() if pool else [])]
        tiers = [playback.tile_tier(i) for i in range(n)]
        result.update(
            tiles_live=sum(1 for i in range(n) if health[i] == "live" and fps[i] > 0),
            fps_per_tile_p50=_round(percentile(fps, 50)),
            fps_per_tile_p10=_round(percentile(fps, 10)),
            ttff_s_p50=_round(percentile(ttff, 50)),
            ttff_s_p95=_round(percentile(ttff, 95) if len(ttff) == n else None),
            tiles_with_picture=len(ttff),
            picture_gap_s_max=_round(max(state["gaps"]) if n else None),
            cpu_cores=round((gui1 - gui0 + workers1 - workers0) / elapsed, 3),
            cpu_cores_gui=round((gui1 - gui0) / elapsed, 3),
            cpu_cores_workers=round((workers1 - workers0) / elapsed, 3),
            ui_lag_ms_p99=_round(percentile(probe.samples_ms, 99)),
            ui_lag_ms_max=_round(max(probe.samples_ms) if probe.samples_ms else None),
            rss_mb=round(sum(rss_mb(p) for p in pids), 1),
            tiers_played=sorted({str(t) for t in tiers if t is not None}),
            measured_s=round(elapsed, 2),
        )
        state["played"] = [(playback.tile_url(i), tiers[i]) for i in range(n)]
        if args.screenshot is not None:
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            wall.grab().save(str(args.screenshot))
            progress(f"screenshot {args.screenshot}")
        ticker.stop()
        probe.stop()
        app.quit()

    ticker = QTimer()
    ticker.setInterval(50)
    ticker.timeout.connect(check)
    ticker.start()
    app.exec()
    playback.close()
    wall.close()
    result["_played"] = state.get("played", [])
    return result


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_offscreen_qt()
    from widgets.video_wall import WallCamera

    simulator = None
    try:
        if args.urls is not None:
            try:
                urls = read_urls(args.urls)
            except (OSError, ValueError) as exc:
                print(f"bench.wall: error: {exc}", file=sys.stderr)
                return 2
            template = None
        else:
            progress(f"starting the stream simulator for {args.tiles} cameras (renders clips once)")
            simulator, template = start_simulator(args.tiles, args.cache_dir)
            urls = []
        cameras = []
        for i in range(args.tiles):
            if template is not None:
                code = f"SIM-{i + 1:04d}"
                main_url, sub_url = (
                    template.format(code=code, stream="main"),
                    template.format(code=code, stream="sub"),
                )
            else:
                code = f"URL-{i + 1:04d}"
                main_url = sub_url = urls[i % len(urls)]
            cameras.append(
                WallCamera(i + 1, code, f"Camera {i + 1}", i + 1, f"School {i + 1}", main_url, sub_url)
            )
        progress(f"wall: {args.tiles} tiles, tier {args.tier}, {args.workers} player workers")
        result = run_wall(args, cameras)
        played = result.pop("_played")
        limit_cores = limit_fps = None
        if not args.no_limit and played:
            jobs = [(url, tier == "overview") for url, tier in played if url]
            progress(f"limit: {len(jobs)} x ffmpeg -threads 1 on the same URLs and tiers")
            limit_cores, limit_fps = measure_limit(jobs, min(args.warmup, 3.0), args.seconds)
    finally:
        if simulator is not None:
            stop_process(simulator)
            if simulator.stdout is not None:
                simulator.stdout.close()
    ratio = None
    if limit_cores:
        ratio = round(result["cpu_cores"] / limit_cores, 2)
    out: dict[str, Any] = {
        "tiles": args.tiles,
        "tier": args.tier,
        "seconds": args.seconds,
        **{
            k: result[k]
            for k in ("tiles_live", "fps_per_tile_p50", "fps_per_tile_p10", "ttff_s_p50", "ttff_s_p95")
        },
        "cpu_cores": result["cpu_cores"],
        "limit_cores": None if limit_cores is None else round(limit_cores, 3),
        "ratio_to_limit": ratio,
        "ui_lag_ms_p99": result["ui_lag_ms_p99"],
        "rss_mb": result["rss_mb"],
        "limit_fps_per_stream": None if limit_fps is None else round(limit_fps, 2),
        **{k: v for k, v in result.items() if k not in ("cpu_cores", "ui_lag_ms_p99", "rss_mb")},
        "workers": args.workers,
        "wall_size": f"{args.width}x{args.height}",
        "source": "urls" if args.urls else "simulator",
        **environment_info(),
    }
    emit_result(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
