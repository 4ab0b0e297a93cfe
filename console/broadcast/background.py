"""A worker thread for the broadcast page's slow non-database work: decoding uploads, rendering
speech, writing CSV files. Results, errors and progress come back as queued signals, handed to the
callbacks given at submission on the GUI thread (the same shape as console.db_bridge, which keeps
the database work; this keeps a long decode from holding the database worker).

Signals (private, queued from the worker): _result(job, value), _failure(job, error),
_progress(job, fraction).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

THREAD_NAME = "safecampus-broadcast-work"
_PROGRESS_INTERVAL_S = 0.05

Progress = Callable[[float], None]
Job = Callable[[Progress], Any]


class JobCancelled(Exception):
    """Raised inside a job's progress report when the worker is shutting down."""


class BackgroundWork(QObject):
    _result = Signal(int, object)
    _failure = Signal(int, object)
    _progress = Signal(int, float)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor: ThreadPoolExecutor | None = None
        self._stopping = threading.Event()
        self._next = 0
        self._callbacks: dict[
            int,
            tuple[
                Callable[[Any], None] | None,
                Callable[[BaseException], None] | None,
                Callable[[float], None] | None,
            ],
        ] = {}
        self._result.connect(self._on_result)
        self._failure.connect(self._on_failure)
        self._progress.connect(self._on_progress)

    def submit(
        self,
        job: Job,
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[float], None] | None = None,
    ) -> int:
        if self._stopping.is_set():
            raise RuntimeError("the broadcast worker is shut down")
        if self._executor is None:
            # Started on first use: a console that never broadcasts runs no extra thread.
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
        self._next += 1
        job_id = self._next
        self._callbacks[job_id] = (on_done, on_error, on_progress)
        self._executor.submit(self._run, job_id, job)
        return job_id

    def shutdown(self) -> None:
        self._stopping.set()
        self._callbacks.clear()
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    # --- worker side -----------------------------------------------------------------------------
    def _run(self, job_id: int, job: Job) -> None:
        last = 0.0

        def progress(fraction: float) -> None:
            nonlocal last
            if self._stopping.is_set():
                raise JobCancelled
            now = time.monotonic()
            if fraction >= 1.0 or now - last >= _PROGRESS_INTERVAL_S:
                last = now
                self._progress.emit(job_id, float(fraction))

        if self._stopping.is_set():
            return
        try:
            value = job(progress)
        except JobCancelled:
            return
        except Exception as exc:
            self._failure.emit(job_id, exc)
            return
        self._result.emit(job_id, value)

    # --- GUI side --------------------------------------------------------------------------------
    def _on_result(self, job_id: int, value: object) -> None:
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is not None and callbacks[0] is not None:
            callbacks[0](value)

    def _on_failure(self, job_id: int, error: object) -> None:
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is None:
            return
        assert isinstance(error, BaseException)
        if callbacks[1] is not None:
            callbacks[1](error)
        else:
            log.error("broadcast background job failed", exc_info=error)

    def _on_progress(self, job_id: int, fraction: float) -> None:
        callbacks = self._callbacks.get(job_id)
        if callbacks is not None and callbacks[2] is not None:
            callbacks[2](fraction)
