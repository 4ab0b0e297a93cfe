"""The registry of the console's QThreads lists a thread from start() until its run() returns."""

from __future__ import annotations

import threading

import pytest

from console.worker_threads import TrackedThread, running_threads

pytestmark = pytest.mark.gui


class _Waiter(TrackedThread):
    def __init__(self) -> None:
        super().__init__("test-waiter")
        self.release = threading.Event()

    def run(self) -> None:
        self.release.wait(10)


def test_a_started_thread_is_listed_until_it_returns(qapp) -> None:
    thread = _Waiter()
    assert running_threads() == []
    thread.start()
    assert running_threads() == ["test-waiter"]
    thread.release.set()
    assert thread.wait(5000)
    assert running_threads() == []
