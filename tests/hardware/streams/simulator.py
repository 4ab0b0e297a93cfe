"""Run the stream simulator as a child process for tests (also used by tests/console/video)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

READY = "safecampus-streams ready "


class SimulatorProcess:
    def __init__(self, cache_dir: Path, cameras: int = 2, port: int = 0) -> None:
        self.cache_dir = cache_dir
        self.cameras = cameras
        self.port = port
        self.proc: subprocess.Popen[str] | None = None
        self.template = ""
        self.stderr_path = cache_dir / f"simulator-{os.getpid()}-{id(self)}.log"

    def start(self, prerender: bool = True) -> str:
        args = [
            sys.executable, "-m", "hardware.streams", "--cameras", str(self.cameras),
            "--port", str(self.port), "--cache-dir", str(self.cache_dir),
        ]  # fmt: skip
        if prerender:
            args.append("--prerender")
        with self.stderr_path.open("a") as err:
            self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith(READY):
            self.stop()
            raise RuntimeError(f"simulator did not start: {line!r}; {self.stderr_path.read_text()[-800:]}")
        self.template = line[len(READY) :].split()[0]
        # Keep the same port on restart, as a camera coming back would.
        self.port = int(self.template.split(":")[2].split("/")[0])
        return self.template

    def url(self, code: str, stream: str = "sub") -> str:
        return self.template.format(code=code, stream=stream)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return self.proc.returncode
