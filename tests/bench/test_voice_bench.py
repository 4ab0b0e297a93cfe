"""bench.voice at a tiny size produces every JSON field and hears every marker it sent (no
latency thresholds: benchmarks are not tests)."""

import array
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.voice import FRAME, MARKER_EVERY, RATE, latencies, onsets, sounded_at, source_frame

FIELDS = {"latency_ms_p50", "latency_ms_p95", "dropouts"}


def test_the_marker_detector_finds_each_marker_of_the_source_once():
    samples = array.array("h")
    for k in range(MARKER_EVERY * 4):
        samples.frombytes(source_frame(k))
    found = onsets(samples, sounded_at(100.0, []))
    assert len(found) == 4
    assert [round((at - 100.0) * 1000) for at in found] == [0, 500, 1000, 1500]
    markers = [100.0 + i * MARKER_EVERY * FRAME / RATE - 0.05 for i in range(4)]
    assert latencies(markers, found) == pytest.approx([50.0] * 4, abs=0.5)  # the tone rises from 0


def test_an_underrun_recorded_by_the_amplifier_delays_every_sample_after_it():
    samples = array.array("h")
    for k in range(MARKER_EVERY * 4):
        samples.frombytes(source_frame(k))
    # The output ran dry for 120 ms just before the second marker's first sample (sample 8000).
    found = onsets(samples, sounded_at(100.0, [[8000, 0.12]]))
    assert [round((at - 100.0) * 1000) for at in found] == [0, 620, 1120, 1620]


@pytest.mark.slow
def test_bench_voice_tiny_run_prints_the_json_fields():
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-m", "bench.voice", "--agents", "2", "--seconds", "3"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(result) >= FIELDS, result
    assert result["markers_sent"] == 12 and result["markers_heard"] == 12, result
    assert result["latency_ms_p50"] > 0
