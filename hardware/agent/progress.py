"""Intermediate progress of a running command, reported by its handler ("executing" with a result).

The executor gives each running command a CommandProgress through a context variable, so a handler
reaches it without knowing its command id. A handler that will report its own moment (the PA: the
instant audio starts) says so with `own()` before its first await; the executor then sends no
generic "executing" of its own, so the hub sees one "executing", carrying the result.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from services.protocol.agent_messages import ArgValue

Result = dict[str, ArgValue]


class CommandProgress:
    def __init__(self, command_id: str, send: Callable[[str, Result], None]) -> None:
        self.command_id = command_id
        self.owned = False  # the handler reports "executing" itself
        self.reported = False
        self._send = send

    def own(self) -> None:
        self.owned = True

    def report(self, result: Result) -> None:
        """Send "executing" with *result* now (once per command; later calls are ignored)."""
        if not self.reported:
            self.reported = True
            self._send(self.command_id, result)


_current: ContextVar[CommandProgress | None] = ContextVar("command_progress", default=None)


def current_progress() -> CommandProgress | None:
    """The running command's progress handle, or None outside the executor (direct calls, tests)."""
    return _current.get()


def set_current(progress: CommandProgress | None) -> None:
    _current.set(progress)
