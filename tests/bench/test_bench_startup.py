"""bench.startup runs end to end at a tiny size and prints its JSON contract (no number asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def test_bench_startup_prints_one_json_object_last():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.startup",
            "--schools",
            "40",
            "--cameras",
            "400",
            "--rounds",
            "2",
            "--warmup",
            "0",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["schools"] == 40
    assert report["cameras"] == 400
    assert report["rounds"] == 2
    for key in ("to_interactive_s", "to_interactive_s_p95", "to_interactive_s_max", "wall_to_marker_s"):
        assert report[key] > 0
    assert report["to_interactive_s"] <= report["to_interactive_s_max"]
    assert report["to_interactive_s"] <= report["wall_to_marker_s"]
    assert set(report["phases_median_s"]) == {"interpreter_s", "window_s", "data_s", "populate_paint_s"}
    assert "round 2/2" in result.stderr
