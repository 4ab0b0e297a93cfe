"""Errors of hub operations (admin calls and console requests), with their wire error code."""

from __future__ import annotations

from typing import Any

from services.protocol.envelope import ErrorCode


class HubRequestError(Exception):
    """A refused or failed request; *details* go back in the reply's result (e.g. a confirmation id)."""

    def __init__(self, code: ErrorCode, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
