"""bench.startup: console start to interactive with a city-size database.

    python -m bench.startup --schools 10000 --cameras 100000 [--rounds 5]

Builds a temporary SQLite database of that size with the demo city generator (not timed), then
starts the real console (main.py, offscreen) on it several times. Each run prints a marker line
with its own time.monotonic() timestamps when it is interactive: the main window shown, the map
populated with every school and painted, and the event loop back round (see console/app.py). On
Linux time.monotonic() is the same clock in every process, so the benchmark subtracts the moment
just before its own Popen: to_interactive_s covers the interpreter start, every import, opening
and migrating the database, loading map and schools and the first paint. It also records the
wall time until it read the marker line (wall_to_marker_s: that adds the pipe and the
scheduling of this process). One warm-up run (cold .pyc and file caches) is not
counted. Progress goes to stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._util import emit_result, environment_info, percentile, progress

ROOT = Path(__file__).resolve().parent.parent
MARKER = "SAFECAMPUS_INTERACTIVE"
RUN_TIMEOUT_S = 120.0


def build_database(url: str, schools: int, cameras: int) -> dict[str, int]:
    from services.db.engine import open_database
    from services.demo_city import seed_demo_city

    engine = open_database(url)
    try:
        summary = seed_demo_city(
            engine,
            schools=schools,
            cameras=cameras,
            progress=lambda done, total: None,
        )
    finally:
        engine.dispose()
    return {"schools": summary.schools, "cameras": summary.cameras}


def run_console(url: str, work: Path) -> dict[str, float]:
    """Start the console once; return its phase timestamps relative to our Popen."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        SAFECAMPUS_SETTINGS_DIR=str(work / "settings"),
        SAFECAMPUS_NO_DIALOGS="1",
        PYTHONUNBUFFERED="1",
    )
    command = [
        sys.executable,
        str(ROOT / "main.py"),
        "--database",
        url,
        "--data-dir",
        str(work / "data"),
        "--language",
        "zh_CN",
        "--startup-report",
        "--exit-after-interactive",
        "--no-dialogs",
    ]
    t0 = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    report: dict[str, float] | None = None
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(MARKER):
            seen = time.monotonic()
            report = json.loads(line[len(MARKER) :])
            report["t_marker_read"] = seen
            break
    try:
        _out, err = process.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
        raise RuntimeError("the console did not exit after becoming interactive") from None
    if report is None or process.returncode != 0:
        raise RuntimeError(f"the console failed (exit {process.returncode}):\n{err[-3000:]}")
    phases = {
        "to_interactive_s": report["t_interactive"] - t0,
        "wall_to_marker_s": report["t_marker_read"] - t0,
        "interpreter_s": report["t_main"] - t0,
        "window_s": report["t_window_shown"] - report["t_main"],
        "data_s": report["t_data_loaded"] - report["t_window_shown"],
        "populate_paint_s": report["t_interactive"] - report["t_data_loaded"],
        "schools_on_map": float(report["schools_on_map"]),
    }
    return phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=10_000)
    parser.add_argument("--cameras", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="uncounted runs first (default 1)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="safecampus-bench-startup-") as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'city.db'}"
        progress(f"building a database of {args.schools:,} schools and {args.cameras:,} cameras (not timed)")
        t = time.monotonic()
        built = build_database(url, args.schools, args.cameras)
        progress(f"database ready in {time.monotonic() - t:.1f} s: {built}")
        samples: list[dict[str, float]] = []
        for i in range(args.warmup + args.rounds):
            counted = i >= args.warmup
            phases = run_console(url, work)
            if phases["schools_on_map"] != built["schools"]:
                raise RuntimeError(
                    f"the map showed {phases['schools_on_map']} schools, not {built['schools']}"
                )
            label = f"round {i - args.warmup + 1}/{args.rounds}" if counted else "warm-up"
            progress(
                f"{label}: interactive after {phases['to_interactive_s']:.3f} s "
                f"(interpreter {phases['interpreter_s']:.3f}, window {phases['window_s']:.3f}, "
                f"data {phases['data_s']:.3f}, populate+paint {phases['populate_paint_s']:.3f})"
            )
            if counted:
                samples.append(phases)

    def med(key: str) -> float:
        return round(statistics.median(s[key] for s in samples), 3)

    totals = [s["to_interactive_s"] for s in samples]
    breakdown = {k: med(k) for k in ("interpreter_s", "window_s", "data_s", "populate_paint_s")}
    result = {
        "bench": "startup",
        "schools": built["schools"],
        "cameras": built["cameras"],
        "rounds": args.rounds,
        "to_interactive_s": round(statistics.median(totals), 3),
        "to_interactive_s_p95": round(percentile(totals, 95) or 0.0, 3),
        "to_interactive_s_max": round(max(totals), 3),
        "wall_to_marker_s": med("wall_to_marker_s"),
        "phases_median_s": breakdown,
        "dominant_phase": max(breakdown, key=lambda k: breakdown[k]),
        "measured": (
            "from just before Popen of main.py (offscreen, SQLite) to the console's own marker: main "
            "window shown, map populated with every school and painted once, event loop responsive; "
            "same monotonic clock; median of the counted rounds after the warm-up"
        ),
    }
    result["environment"] = environment_info()
    emit_result(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
