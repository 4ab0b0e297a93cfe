"""The console's own QThreads, counted while they run.

Python's threading module does not see a QThread unless it happens to log, so the test suite asks
this registry instead: a link or writer thread still running after its owner shut down is a leak
that would abort the interpreter at exit ("QThread: Destroyed while thread … is still running").
"""

from __future__ import annotations

import threading
import weakref

from PySide6.QtCore import QObject, QThread

_running: weakref.WeakSet[QThread] = weakref.WeakSet()
_lock = threading.Lock()


class TrackedThread(QThread):
    """A QThread that running_threads() lists from start() until its run() returns."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)

    def start(self, *args: object) -> None:  # type: ignore[override]
        with _lock:
            _running.add(self)
        super().start(*args)  # type: ignore[arg-type]


def running_threads() -> list[str]:
    """The names of the console's QThreads that were started and have not finished."""
    names = []
    with _lock:
        threads = list(_running)
    for thread in threads:
        try:
            if thread.isRunning():
                names.append(thread.objectName())
        except RuntimeError:  # its C++ object is gone, so it is not running
            continue
    return sorted(names)
