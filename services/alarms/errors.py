"""Why the incident book refused something, with the wire error code the hub answers with."""

from __future__ import annotations

from typing import Any, Literal

IncidentErrorCode = Literal["not_found", "conflict", "malformed"]


class IncidentError(Exception):
    """A refused incident operation: the incident does not exist (not_found), its state or owner
    does not allow it (conflict), or the request itself is unusable (malformed)."""

    def __init__(self, code: IncidentErrorCode, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code: IncidentErrorCode = code
        self.message = message
        self.details = details or {}
