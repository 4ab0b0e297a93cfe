"""The database bridge: one worker thread, results back on the GUI thread, clean shutdown."""

from __future__ import annotations

import threading
import time

import pytest

from console.db_bridge import WORKER_THREAD_NAME, DatabaseBridge, DatabaseNotOpen
from services.db.repository import count_schools

pytestmark = pytest.mark.gui


def _worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(WORKER_THREAD_NAME)]


def test_jobs_run_in_order_on_one_worker_and_results_come_back_on_the_gui_thread(qapp, qtbot, tmp_path):
    bridge = DatabaseBridge()
    results: list[tuple[str, int, bool]] = []
    try:
        bridge.open(f"sqlite:///{tmp_path / 'b.db'}")
        for i in range(5):
            bridge.submit(
                lambda ctx, i=i: (threading.current_thread().name, i, count_schools(ctx.engine) == 0),
                on_done=lambda value: results.append(
                    (*value[:2], threading.current_thread() is threading.main_thread())
                ),
            )
        qtbot.waitUntil(lambda: len(results) == 5, timeout=10_000)
    finally:
        bridge.shutdown()
    assert [r[1] for r in results] == [0, 1, 2, 3, 4]
    assert {r[0] for r in results} == {f"{WORKER_THREAD_NAME}_0"}
    assert all(r[2] for r in results)
    assert bridge.backend == "sqlite"
    assert _worker_threads() == []


def test_errors_and_progress_reach_their_callbacks(qapp, qtbot):
    bridge = DatabaseBridge()
    errors: list[BaseException] = []
    progress: list[tuple[int, int, str]] = []
    try:
        bridge.submit(lambda ctx: ctx.engine, on_error=errors.append)

        def steps(ctx):
            for i in range(3):
                ctx.progress(i, 2, "step")
                time.sleep(0.06)
            return "done"

        done: list[str] = []
        bridge.submit(steps, on_done=done.append, on_progress=lambda *a: progress.append(a))
        qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    finally:
        bridge.shutdown()
    assert isinstance(errors[0], DatabaseNotOpen)
    assert progress[0] == (0, 2, "step")
    assert progress[-1] == (2, 2, "step")


def test_shutdown_stops_a_running_job_and_drops_queued_ones(qapp, qtbot):
    bridge = DatabaseBridge()
    started = threading.Event()
    finished: list[object] = []

    def long_job(ctx):
        started.set()
        while True:
            ctx.progress(0, 1)
            time.sleep(0.01)

    bridge.submit(long_job, on_done=finished.append)
    bridge.submit(lambda ctx: "never", on_done=finished.append)
    assert started.wait(5)
    bridge.shutdown()
    qapp.processEvents()
    assert finished == []
    assert _worker_threads() == []
    with pytest.raises(RuntimeError):
        bridge.submit(lambda ctx: None)
