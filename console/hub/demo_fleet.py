"""The demo city's schools come alive: the fleet simulator as a supervised child process.

In --demo the console starts `python -m hardware.fleet run` against the embedded hub's key folder
(it enrolls its agents through the real flow on first start, then runs them). The fleet runs in
its own session (process group) so its worker processes can be reaped together. Its output goes
to a log file in the data folder. A fleet that exits on its own is reported through `failed` (the
console shows it in the status bar and keeps running); `stop()` sends TERM to the fleet (which
stops its workers in order), waits, then KILLs the whole group.

Signals: started(); failed(str) with what went wrong and where the log is.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

WATCH_INTERVAL_MS = 1000
STOP_GRACE_S = 10.0
KILL_WAIT_S = 5.0
FLEET_FOLDER_NAME = "fleet"
FLEET_LOG_NAME = "fleet.log"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def fleet_command(
    *, key_dir: Path, database_url: str, agents: int, folder: Path, processes: int = 2
) -> list[str]:
    """The command line of the fleet simulator for *agents* schools of the hub's database."""
    return [
        sys.executable,
        "-m",
        "hardware.fleet",
        "run",
        "--hub-key-dir",
        str(key_dir),
        "--database",
        database_url,
        "--agents",
        str(agents),
        "--processes",
        str(processes),
        "--folder",
        str(folder),
        "--report",
        "30",
        # A lively but workable city: about one incident a minute across 3,700 schools (camera
        # losses, one-key alarms, intrusions, now and then a fire alarm).
        *("--camera-fault-rate", "0.005", "--alarm-rate", "0.004"),
        *("--intrusion-rate", "0.002", "--fire-rate", "0.0003"),
        *("--exit-with", str(os.getpid())),  # never outlive a console that was killed
    ]


class DemoFleet(QObject):
    """See the module docstring."""

    started = Signal()
    failed = Signal(str)

    def __init__(self, log_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopping = False
        self._watch = QTimer(self)
        self._watch.setObjectName("demoFleetWatch")
        self._watch.setInterval(WATCH_INTERVAL_MS)
        self._watch.timeout.connect(self._check)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, command: Sequence[str]) -> bool:
        """Start *command* (normally `fleet_command(...)`); False (and `failed`) if it cannot start."""
        if self._proc is not None:
            raise RuntimeError("the demo fleet is already started")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.log_path.open("ab") as log_file:
                log_file.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n".encode())
                log_file.flush()
                self._proc = subprocess.Popen(
                    list(command),
                    cwd=str(PROJECT_ROOT),
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
        except OSError as exc:
            log.error("cannot start the demo fleet: %s", exc)
            self.failed.emit(str(exc))
            return False
        log.info("demo fleet started (pid %d, log %s)", self._proc.pid, self.log_path)
        self._watch.start()
        self.started.emit()
        return True

    def _check(self) -> None:
        proc = self._proc
        if proc is None or self._stopping:
            self._watch.stop()
            return
        code = proc.poll()
        if code is None:
            return
        self._watch.stop()
        self._kill_group(proc.pid)
        self._proc = None
        log.error("the demo fleet stopped by itself (exit code %d); see %s", code, self.log_path)
        self.failed.emit(f"exit code {code}")

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """TERM the fleet, wait up to *grace_s*, then KILL it and its workers (called at exit)."""
        self._stopping = True
        self._watch.stop()
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                log.warning("the demo fleet did not stop within %.0f s; killing it", grace_s)
        self._kill_group(proc.pid)
        try:
            proc.wait(timeout=KILL_WAIT_S)
        except subprocess.TimeoutExpired:
            log.error("the demo fleet (pid %d) did not die", proc.pid)
        log.info("demo fleet stopped")

    @staticmethod
    def _kill_group(pgid: int) -> None:
        """KILL whatever is left of the fleet's process group (workers it could not stop)."""
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
