"""The hub's one database thread.

The socket thread never waits on the database: it hands a job (a function of a Session) to this
thread and names a callback. The job runs in its own transaction; when it has committed (or
failed) the callback and its outcome are queued and the socket thread is woken through an inproc
socket, so the callback runs on the socket thread, in order.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import zmq
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.hub.errors import HubRequestError

log = logging.getLogger(__name__)

JobFn = Callable[[Session], Any]
DoneFn = Callable[[Any, BaseException | None], None]


@dataclass(slots=True)
class _Job:
    fn: JobFn
    done: DoneFn | None
    name: str


class DatabaseWriter:
    """A worker thread that runs database jobs one at a time and reports completions."""

    def __init__(self, engine: Engine, context: zmq.Context[zmq.Socket[bytes]], endpoint: str) -> None:
        self._engine = engine
        self._context = context
        self._endpoint = endpoint
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._completions: collections.deque[tuple[DoneFn, Any, BaseException | None]] = collections.deque()
        self._thread = threading.Thread(target=self._run, name="hub-db-writer", daemon=True)
        self._ready = threading.Event()
        self.pending = 0  # jobs submitted and not completed; read and written by the socket thread

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        """Finish every queued job, then stop."""
        if not self._thread.is_alive():
            return
        self._jobs.put(None)
        self._thread.join(30)

    def submit(self, fn: JobFn, done: DoneFn | None = None, name: str = "job") -> None:
        """Queue a job (socket thread only, so `pending` needs no lock)."""
        self.pending += 1
        self._jobs.put(_Job(fn, done, name))

    def run_completions(self) -> int:
        """Run queued callbacks on the calling (socket) thread; returns how many ran."""
        count = 0
        while self._completions:
            done, result, error = self._completions.popleft()
            self.pending -= 1
            count += 1
            try:
                done(result, error)
            except Exception:
                log.exception("database completion callback failed")
        return count

    def _run(self) -> None:
        doorbell: zmq.Socket[bytes] = self._context.socket(zmq.PUSH)
        doorbell.setsockopt(zmq.LINGER, 0)
        doorbell.connect(self._endpoint)
        self._ready.set()
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                result: Any = None
                error: BaseException | None = None
                try:
                    with Session(self._engine, expire_on_commit=False) as session, session.begin():
                        result = job.fn(session)
                except HubRequestError as exc:  # a refusal (not found, conflict): the caller's business
                    log.info("database job %s refused: %s", job.name, exc)
                    error = exc
                except Exception as exc:  # reported to the callback; the writer keeps going
                    log.error("database job %s failed: %s", job.name, exc)
                    error = exc
                self._completions.append((job.done or _ignore, result, error))
                try:
                    doorbell.send(b"", zmq.NOBLOCK)
                except zmq.Again:
                    # Only a wake-up: the socket thread is busy (it drains completions on every
                    # round anyway) or already gone (stopping).
                    pass
        finally:
            doorbell.close(linger=0)


def _ignore(_result: Any, _error: BaseException | None) -> None:
    return None
