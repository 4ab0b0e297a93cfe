"""bench.fleet at a tiny size produces every JSON field (no thresholds: benchmarks are not tests)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

FIELDS = {
    "agents",
    "connect_all_s",
    "command_ack_all_ms_p50",
    "command_ack_all_ms_max",
    "raw_ack_all_ms_max",
    "ratio_to_raw",
    "status_msgs_per_s",
    "hub_cpu_cores",
    "hub_rss_mb",
    "reconnect_all_s",
    "events_sent",
    "events_stored",
    "lost_events",
}


def test_bench_fleet_tiny_run_prints_the_json_fields():
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-m", "bench.fleet", "--agents", "20", "--rounds", "2", "--status-burst", "2"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(result) >= FIELDS
    assert result["agents"] == 20
    assert result["events_sent"] == 60  # one event per agent before, during and after the kill
    assert result["command_ack_all_ms_max"] >= result["command_ack_all_ms_p50"] > 0
