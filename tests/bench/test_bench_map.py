"""bench.map runs end to end at a tiny size and ends with its JSON line (no thresholds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
FIELDS = (
    "schools",
    "updates_per_s",
    "seconds",
    "frames",
    "paint_ms_p50",
    "paint_ms_p95",
    "ui_lag_ms_p99",
    "applied_changes",
    "districts_source",
    "python",
    "qt",
)


def test_bench_map_prints_one_json_object_last():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.map",
            "--schools",
            "200",
            "--updates-per-s",
            "400",
            "--seconds",
            "1",
            "--warmup",
            "0.3",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    result = json.loads(last)
    missing = [f for f in FIELDS if f not in result]
    assert not missing, missing
    assert result["schools"] == 200
    assert result["frames"] > 0
    assert result["applied_changes"] > 0
    assert result["paint_ms_p95"] is not None
    assert "measuring" in done.stderr  # progress goes to stderr
