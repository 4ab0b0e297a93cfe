"""The console's one database worker, and the bridge that brings its results back to the GUI.

All database work (and the file work that goes with it: map data, CSV import) runs on a single
worker thread, in submission order, so the GUI thread never blocks and writes never race. A job is
a plain function `job(ctx) -> result` that gets a `JobContext` (the engine, progress reporting,
cancellation); it must return plain data (records, tuples), never live ORM objects. Results,
errors and progress come back as queued Qt signals and are handed to the callbacks given at
submission, on the GUI thread.

`shutdown()` cancels what has not started, asks the running job to stop at its next progress
report, waits for the thread and disposes the engine, so nothing outlives the window.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from sqlalchemy import Engine

from services.db.engine import open_database

log = logging.getLogger(__name__)

WORKER_THREAD_NAME = "safecampus-db"
_PROGRESS_INTERVAL_S = 0.05

ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]
ProgressCallback = Callable[[int, int, str], None]


class JobCancelled(Exception):
    """Raised inside a job when the bridge is shutting down."""


class DatabaseNotOpen(RuntimeError):
    """A job needed the database before it was opened."""


class JobContext:
    """What a job sees on the worker thread."""

    def __init__(self, bridge: DatabaseBridge, job_id: int) -> None:
        self._bridge = bridge
        self._job_id = job_id
        self._last_emit = 0.0

    @property
    def engine(self) -> Engine:
        engine = self._bridge._engine
        if engine is None:
            raise DatabaseNotOpen("the database is not open yet")
        return engine

    @property
    def cancelled(self) -> bool:
        return self._bridge._stopping.is_set()

    def open_database(self, url: str) -> str:
        """Open (and migrate) the database at *url* for this and every later job; return its back end."""
        return self._bridge._open_on_worker(url)

    def check_cancelled(self) -> None:
        if self.cancelled:
            raise JobCancelled()

    def progress(self, done: int, total: int, text: str = "") -> None:
        """Report progress (throttled: the GUI needs a few updates a second, not thousands)."""
        self.check_cancelled()
        now = time.monotonic()
        if done < total and now - self._last_emit < _PROGRESS_INTERVAL_S:
            return
        self._last_emit = now
        self._bridge._progress.emit(self._job_id, done, total, text)


@dataclass(slots=True)
class _Callbacks:
    on_done: ResultCallback | None
    on_error: ErrorCallback | None
    on_progress: ProgressCallback | None


class DatabaseBridge(QObject):
    """Runs database jobs on one worker thread; see the module docstring.

    Signals (private, queued from the worker): _result(job id, value), _failure(job id, error),
    _progress(job id, done, total, text).
    """

    _result = Signal(int, object)
    _failure = Signal(int, object)
    _progress = Signal(int, int, int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=WORKER_THREAD_NAME)
        self._engine: Engine | None = None
        self._backend = ""
        self._stopping = threading.Event()
        self._closed = False
        self._next_id = 0
        self._callbacks: dict[int, _Callbacks] = {}
        self._result.connect(self._deliver_result)
        self._failure.connect(self._deliver_failure)
        self._progress.connect(self._deliver_progress)

    # --- GUI side ------------------------------------------------------------------------------
    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql' once open, '' before."""
        return self._backend

    @property
    def is_closed(self) -> bool:
        return self._closed

    def submit(
        self,
        job: Callable[[JobContext], Any],
        *,
        on_done: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> int:
        """Queue *job*; its result goes to *on_done* (or its exception to *on_error*)."""
        if self._closed:
            raise RuntimeError("the database bridge is shut down")
        self._next_id += 1
        job_id = self._next_id
        self._callbacks[job_id] = _Callbacks(on_done, on_error, on_progress)
        self._executor.submit(self._run, job_id, job)
        return job_id

    def open(
        self,
        url: str,
        *,
        on_done: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> int:
        """Open (and migrate) the database at *url*; later jobs use it through ctx.engine."""
        return self.submit(lambda ctx: ctx.open_database(url), on_done=on_done, on_error=on_error)

    def shutdown(self) -> None:
        """Stop the worker: drop queued jobs, stop the running one, dispose the engine."""
        if self._closed:
            return
        self._closed = True
        self._stopping.set()
        self._callbacks.clear()
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        log.info("database worker stopped")

    # --- worker side ---------------------------------------------------------------------------
    def _open_on_worker(self, url: str) -> str:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        self._engine = open_database(url)
        self._backend = self._engine.dialect.name
        return self._backend

    def _run(self, job_id: int, job: Callable[[JobContext], Any]) -> None:
        if self._stopping.is_set():
            return
        try:
            value = job(JobContext(self, job_id))
        except JobCancelled:
            return
        except BaseException as exc:
            self._failure.emit(job_id, exc)
            return
        self._result.emit(job_id, value)

    # --- back on the GUI thread ----------------------------------------------------------------
    def _deliver_result(self, job_id: int, value: object) -> None:
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is not None and callbacks.on_done is not None:
            callbacks.on_done(value)

    def _deliver_failure(self, job_id: int, error: object) -> None:
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is None:
            return
        assert isinstance(error, BaseException)
        if callbacks.on_error is not None:
            callbacks.on_error(error)
        else:
            log.error("database job failed", exc_info=error)

    def _deliver_progress(self, job_id: int, done: int, total: int, text: str) -> None:
        callbacks = self._callbacks.get(job_id)
        if callbacks is not None and callbacks.on_progress is not None:
            callbacks.on_progress(done, total, text)
