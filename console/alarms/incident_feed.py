"""Coalesces the hub's incident batches before they reach the queue model.

The hub link delivers a batch per wake-up; in a flood that is hundreds a second, and each applied
batch costs the queue a repaint. Held here for at most APPLY_INTERVAL_MS (latest version per
incident wins, a snapshot replaces what came before it), they reach the model at most about
twenty times a second: the operator sees no delay, the GUI thread stays free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

APPLY_INTERVAL_MS = 50


class IncidentFeed(QObject):
    def __init__(self, apply: Callable[[list[Any], bool], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._apply = apply
        self._pending: dict[str, Any] = {}
        self._complete = False
        self.timer = QTimer(self)
        self.timer.setObjectName("incidentFeed")
        self.timer.setSingleShot(True)
        self.timer.setInterval(APPLY_INTERVAL_MS)
        self.timer.timeout.connect(self.flush)
        self._closed = False

    def close(self) -> None:
        """Stop for good: batches still arriving from a hub link that is shutting down are dropped."""
        self._closed = True
        self.timer.stop()

    def push(self, incidents: list[Any], complete: bool = False) -> None:
        """Take a batch (IncidentView structs or dicts); *complete*: it is the whole set."""
        if self._closed:
            return
        if complete:
            self._pending.clear()
            self._complete = True
        for incident in incidents:
            key = incident["incident_id"] if isinstance(incident, dict) else incident.incident_id
            self._pending[key] = incident
        if not self.timer.isActive():
            self.timer.start()

    def flush(self) -> None:
        self.timer.stop()
        if not self._pending and not self._complete:
            return
        batch, complete = list(self._pending.values()), self._complete
        self._pending = {}
        self._complete = False
        self._apply(batch, complete)

    @property
    def pending(self) -> int:
        return len(self._pending)
