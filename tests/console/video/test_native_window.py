"""libvlc's own output into a native window (the engine's window_id path), on a real X server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("native_window_probe.py")


@pytest.fixture(scope="module")
def x_display() -> Iterator[str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write_end,), stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write_end)
    try:
        with os.fdopen(read_end) as ready:
            number = ready.readline().strip()  # Xvfb writes its display number once it accepts clients
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def test_a_native_window_shows_the_moving_stream_and_turns_live(x_display: str, simulator) -> None:
    root = Path(__file__).parents[3]
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, str(PROBE), simulator.url("SIM-0001")],
        env=env, capture_output=True, text=True, timeout=60, cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # The watchdog sees pictures going out (there is no frame buffer to count in this path).
    assert result["health"][-1] == "live", result
    # The window holds the camera's picture (a black window would be flat) and it moves.
    assert result["std"] > 20 and result["changed"] > 1, result
