"""bench.wall runs end to end at a tiny size and ends with its JSON line (no thresholds)."""

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
    "tiles", "tier", "seconds", "tiles_live", "fps_per_tile_p50", "fps_per_tile_p10", "ttff_s_p50",
    "ttff_s_p95", "cpu_cores", "limit_cores", "ratio_to_limit", "ui_lag_ms_p99", "rss_mb",
)  # fmt: skip


def test_bench_wall_prints_one_json_object_last(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    # 640x360 for 4 tiles: 180 px tiles stay on the sub stream (no main clips to render).
    args = ["--tiles", "4", "--seconds", "2", "--warmup", "0.5", "--workers", "1",
            "--width", "640", "--height", "360", "--cache-dir", str(tmp_path / "clips"),
            "--screenshot", str(tmp_path / "wall.png")]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "bench.wall", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    missing = [f for f in FIELDS if f not in result]
    assert not missing, missing
    assert result["tiles"] == 4 and result["tier"] == "auto"
    assert result["tiles_live"] == 4 and result["fps_per_tile_p50"] > 0
    assert result["tiers_played"] == ["live_sub"]
    assert result["cpu_cores"] > 0 and result["limit_cores"] > 0 and result["ratio_to_limit"] > 0
    assert 0 < result["ttff_s_p50"] <= result["ttff_s_p95"]
    assert (tmp_path / "wall.png").stat().st_size > 1000


def test_bench_wall_rejects_an_empty_url_file(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("# nothing here\n")
    done = subprocess.run(
        [sys.executable, "-m", "bench.wall", "--tiles", "2", "--urls", str(urls)],
        cwd=REPO, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "lists no URL" in done.stderr
