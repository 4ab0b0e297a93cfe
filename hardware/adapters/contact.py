"""One dry contact read from a GPIO value file, debounced: the building block of contact alarm inputs.

On the agent's board a contact appears as a GPIO whose value file (e.g. /sys/class/gpio/gpio17/value)
reads "1" or "0". Reading it is a few bytes from sysfs, cheap enough to do on the event loop.
"""

from __future__ import annotations

import time
from pathlib import Path


class ContactInput:
    def __init__(self, value_file: Path, active_level: str = "1", debounce_s: float = 0.2) -> None:
        self.value_file = value_file
        self.active_level = active_level
        self.debounce_s = debounce_s
        self._active = False
        self._changed_at = 0.0

    def read(self) -> str:
        """The raw level; OSError when the input is not there."""
        return self.value_file.read_text().strip()

    def prime(self) -> None:
        """Take the current level as the starting point: a contact already closed is not a new alarm."""
        self._active = self.read() == self.active_level
        self._changed_at = 0.0

    def poll(self) -> bool:
        """Read once; True on a transition to the active level that follows a stable inactive spell.

        Contact bounce (several flips within `debounce_s`) gives one alarm, not one per flip.
        """
        now_active = self.read() == self.active_level
        now = time.monotonic()
        triggered = now_active and not self._active and now - self._changed_at >= self.debounce_s
        if now_active != self._active:
            self._changed_at = now
        self._active = now_active
        return triggered

    @property
    def active(self) -> bool:
        return self._active
