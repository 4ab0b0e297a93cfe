"""What the broadcast page needs of the console's workers, as protocols tests can fake:
the database worker (console.db_bridge.DatabaseBridge) and the hub link (console.hub.bridge)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Engine

from console.hub.bridge import HubReply


class EngineContext(Protocol):
    @property
    def engine(self) -> Engine: ...


class DatabaseJobs(Protocol):
    def submit(
        self,
        job: Callable[[Any], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> int: ...


class HubRequests(Protocol):
    def request(
        self,
        action: str,
        args: dict[str, Any] | None = None,
        on_reply: Callable[[HubReply], None] | None = None,
    ) -> int: ...
