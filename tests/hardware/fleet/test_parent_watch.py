"""A demo fleet started by a console stops when that console's process is gone."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from hardware.fleet.cli import watch_parent


def test_the_fleet_stops_when_its_parent_process_is_gone() -> None:
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    stop = threading.Event()
    thread = watch_parent(parent.pid, stop, interval_s=0.1)
    try:
        assert not stop.wait(0.3)  # alive: keep going
        parent.wait(5)
        started = time.monotonic()
        assert stop.wait(3.0)
        assert time.monotonic() - started < 1.0
    finally:
        stop.set()
        thread.join(2)
    assert not thread.is_alive()
