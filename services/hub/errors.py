"""Errors of hub operations (admin calls and console requests), with their wire error code."""

from __future__ import annotations

from services.protocol.envelope import ErrorCode


class HubRequestError(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
