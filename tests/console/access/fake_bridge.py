"""A stand-in for HubBridge in page tests: records requests and answers them when told.

Answers are delivered on the test's (GUI) thread when the test calls `answer`, so a test decides
exactly when the hub "replies", and a page's busy state in between can be checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from console.hub.bridge import HubReply


@dataclass
class SentRequest:
    token: int
    action: str
    args: dict[str, Any]
    on_reply: Callable[[HubReply], None] | None
    answered: bool = False


@dataclass
class FakeBridge:
    sent: list[SentRequest] = field(default_factory=list)
    is_connected: bool = True

    def request(
        self,
        action: str,
        args: dict[str, Any] | None = None,
        on_reply: Callable[[HubReply], None] | None = None,
    ) -> int:
        token = len(self.sent) + 1
        self.sent.append(SentRequest(token, action, dict(args or {}), on_reply))
        return token

    def pending(self, action: str | None = None) -> list[SentRequest]:
        return [r for r in self.sent if not r.answered and (action is None or r.action == action)]

    def actions(self) -> list[str]:
        return [r.action for r in self.sent]

    def answer(
        self,
        action: str,
        result: dict[str, Any] | None = None,
        *,
        ok: bool = True,
        error_code: str = "",
        error: str = "",
    ) -> SentRequest:
        """Answer the oldest unanswered *action* request."""
        waiting = self.pending(action)
        assert waiting, f"no unanswered {action!r} request (sent: {self.actions()})"
        request = waiting[0]
        request.answered = True
        if request.on_reply is not None:
            request.on_reply(HubReply(request.token, action, ok, dict(result or {}), error_code, error))
        return request
