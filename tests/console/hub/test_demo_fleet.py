"""The demo fleet as a supervised child: its log in a file, TERM then KILL, failure reported."""

from __future__ import annotations

import os
import sys
import time

import pytest

from console.hub.demo_fleet import DemoFleet, fleet_command

pytestmark = pytest.mark.gui


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_the_fleet_command_names_the_hub_keys_database_and_schools(tmp_path):
    command = fleet_command(
        key_dir=tmp_path / "hub", database_url="sqlite:///x.db", agents=3700, folder=tmp_path
    )
    assert command[1:4] == ["-m", "hardware.fleet", "run"]
    assert command[command.index("--hub-key-dir") + 1] == str(tmp_path / "hub")
    assert command[command.index("--agents") + 1] == "3700"
    assert command[command.index("--database") + 1] == "sqlite:///x.db"


def test_stop_terms_the_fleet_and_its_log_is_kept(qtbot, tmp_path):
    fleet = DemoFleet(tmp_path / "fleet.log")
    script = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: (print('got TERM', flush=True), sys.exit(0)))\n"
        "print('fleet up', flush=True)\n"
        "time.sleep(60)\n"
    )
    assert fleet.start(python(script))
    pid = fleet.pid
    assert pid is not None
    qtbot.waitUntil(lambda: "fleet up" in (tmp_path / "fleet.log").read_text(), timeout=5000)
    fleet.stop()
    assert not alive(pid)
    assert "got TERM" in (tmp_path / "fleet.log").read_text()


@pytest.mark.expect_log(r"did not stop within")
def test_a_fleet_that_ignores_term_is_killed_with_its_workers(qtbot, tmp_path):
    fleet = DemoFleet(tmp_path / "fleet.log")
    # The "fleet" ignores TERM and has a worker of its own that does too.
    script = (
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "w = subprocess.Popen([sys.executable, '-c', 'import signal,time; "
        "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)'])\n"
        "print('worker', w.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    fleet.start(python(script))
    log = tmp_path / "fleet.log"
    qtbot.waitUntil(lambda: "worker " in log.read_text(), timeout=5000)
    worker = int(log.read_text().split("worker ")[1].split()[0])
    pid = fleet.pid
    started = time.monotonic()
    fleet.stop(grace_s=0.5)
    assert time.monotonic() - started < 5
    assert not alive(pid)
    deadline = time.monotonic() + 3
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)  # the worker is killed; init reaps it
    assert not alive(worker)


@pytest.mark.expect_log(r"the demo fleet stopped by itself \(exit code 3\)")
def test_a_fleet_that_dies_is_reported_not_fatal(qtbot, tmp_path, caplog):
    fleet = DemoFleet(tmp_path / "fleet.log")
    with qtbot.waitSignal(fleet.failed, timeout=5000) as failed:
        fleet.start(python("import sys; print('no hub'); sys.exit(3)"))
    assert failed.args == ["exit code 3"]
    assert not fleet.is_running
    fleet.stop()
    assert "exit code 3" in caplog.text


@pytest.mark.expect_log(r"cannot start the demo fleet")
def test_a_fleet_that_cannot_start_is_reported(qtbot, tmp_path):
    fleet = DemoFleet(tmp_path / "fleet.log")
    with qtbot.waitSignal(fleet.failed, timeout=1000):
        assert not fleet.start([str(tmp_path / "no-such-program")])
    fleet.stop()
