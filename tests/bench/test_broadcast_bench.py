"""bench.broadcast at a tiny size produces every JSON field, and the ledger matches what the
simulated amplifiers recorded (no timing thresholds: benchmarks are not tests)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

FIELDS = {"agents", "all_playing_ms_max", "all_done_ms_max", "ledger_matches"}


def test_bench_broadcast_tiny_run_prints_the_json_fields():
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.broadcast",
            "--agents",
            "4",
            "--processes",
            "1",
            "--rounds",
            "1",
            "--clip",
            "chime_routine",
            "--settle",
            "0.2",
            "--deadline",
            "60",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(result) >= FIELDS, result
    assert result["agents"] == 4 and result["ledger_matches"] is True, result
    assert result["rounds"][0]["counts"] == {"done": 4}
    # The clip lasts 2 s: the last school cannot be done before it played the whole clip.
    assert result["all_done_ms_max"] >= 2000 > result["all_playing_ms_max"] >= 0
