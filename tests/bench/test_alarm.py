"""bench.alarm at a tiny size produces every JSON field and sees every alarm (no thresholds:
benchmarks are not tests)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

FIELDS = {"agents", "alarms", "alarm_to_console_ms_p50", "alarm_to_console_ms_p99", "lost"}


def test_bench_alarm_tiny_run_prints_the_json_fields():
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.alarm",
            "--agents",
            "20",
            "--alarms",
            "24",
            "--over",
            "3",
            "--settle",
            "0.5",
            "--deadline",
            "30",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(result) >= FIELDS
    assert result["agents"] == 20
    assert result["alarms"] == 24  # every planned alarm was raised by a simulated device
    assert result["lost"] == 0, proc.stderr[-3000:]
    # Some alarms repeat a school and type within the grouping window: fewer incidents than alarms.
    assert 0 < result["incidents_seen"] < 24
    assert result["alarm_to_console_ms_p99"] >= result["alarm_to_console_ms_p50"] > 0
