"""Talking to the hub from the access pages: the request signature and refusals in words.

The pages take any object with HubBridge's `request(action, args, on_reply)`, so tests can hand
them a real bridge or a small fake with the same shape.

The hub answers a failed request with a stable error code and an English sentence. Where the code
says all the operator needs to know, the console shows its own translated sentence; otherwise it
shows the hub's sentence as it is, so no detail is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication

from console.hub.bridge import HubReply

ReplyHandler = Callable[[HubReply], None]


class Requester(Protocol):
    """What the pages need of the hub bridge."""

    def request(
        self, action: str, args: dict[str, Any] | None = None, on_reply: ReplyHandler | None = None
    ) -> int: ...


def hub_error_text(error_code: str, error: str) -> str:
    """A sentence for the operator about a failed request (*error* is the hub's own text)."""
    known = {
        "unauthorized": QCoreApplication.translate(
            "HubError", "You are not logged in, or the login was refused."
        ),
        "forbidden": QCoreApplication.translate("HubError", "Your role does not allow this."),
        "not_found": QCoreApplication.translate("HubError", "The hub does not know this item."),
        "conflict": QCoreApplication.translate("HubError", "This conflicts with the current state."),
        "not_connected": QCoreApplication.translate(
            "HubError", "The hub is not connected: try again when it is connected."
        ),
        "timeout": QCoreApplication.translate("HubError", "The hub did not answer in time: try again."),
        "internal": QCoreApplication.translate(
            "HubError", "The hub failed to carry this out (internal error)."
        ),
    }
    sentence = known.get(error_code)
    if sentence is None:
        # "malformed" and unknown codes carry their reason (a password policy, a bad field) in the
        # hub's text: that text is what the operator needs to read.
        return error or error_code
    if error and error_code in ("forbidden", "conflict", "not_found"):
        return f"{sentence} ({error})"
    return sentence
