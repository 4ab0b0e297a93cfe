"""The camera stream simulator for `--demo`: started as a child process, stopped with the console.

    streams = DemoStreams(database_url, data_dir)
    streams.start()          # returns at once; the simulator renders and serves in the background
    ...
    streams.stop()           # SIGTERM, then SIGKILL after a grace period

The demo city's cameras point at http://127.0.0.1:8554/cam/{code}/{stream}.ts; the simulator
serves exactly those (`--database URL`). Its output goes to the data folder's
logs/stream-simulator.log. If the port is taken (another console's simulator), the tiles still
play from that one; if the simulator fails, tiles show "offline" with the reason, and the log
says why. No Qt here: the console calls start() and stop().
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

DEMO_PORT = 8554
STOP_GRACE_S = 5.0
LOG_NAME = "stream-simulator.log"


class DemoStreams:
    def __init__(
        self, database_url: str, data_dir: Path, port: int = DEMO_PORT, limit: int | None = None
    ) -> None:
        self.database_url = database_url
        self.port = port
        self.limit = limit
        self.log_path = data_dir / "logs" / LOG_NAME
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def command(self) -> list[str]:
        args = [
            sys.executable,
            "-m",
            "hardware.streams",
            "--database",
            self.database_url,
            "--port",
            str(self.port),
        ]
        if self.limit is not None:
            args += ["--limit", str(self.limit)]
        return args

    def start(self) -> None:
        """Start the simulator (no wait: the first tile to connect waits for its clip instead)."""
        if self.running:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        try:
            self._proc = subprocess.Popen(
                self.command(), stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        except OSError as exc:
            log.error("cannot start the camera stream simulator: %s", exc)
            self._log.close()
            self._log = None
            return
        log.info("camera stream simulator started (pid %d, log %s)", self._proc.pid, self.log_path)

    def stop(self) -> int | None:
        """Stop it: SIGTERM, then SIGKILL after STOP_GRACE_S. Returns its exit code."""
        proc, self._proc = self._proc, None
        code = None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    log.error("camera stream simulator ignored SIGTERM; killing it")
                    proc.kill()
                    proc.wait(STOP_GRACE_S)
            code = proc.returncode
            log.info("camera stream simulator stopped (exit code %s)", code)
        if self._log is not None:
            self._log.close()
            self._log = None
        return code
