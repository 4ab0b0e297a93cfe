"""The fleet's administrator: asks the hub for enrollment tokens and accepts the fleet's keys.

It uses the hub's own admin path (the console interface, with the hub CLI's key from the hub's
key folder), pipelining requests so thousands of schools take seconds, not minutes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from services.hub_client import HubClient, HubClientError
from services.protocol import keys
from services.protocol.console_messages import Reply

WINDOW = 256  # requests in flight


class FleetAdminError(RuntimeError):
    pass


class HubAdmin:
    def __init__(self, key_dir: Path, console_endpoint: str = "", operator: str = "fleet") -> None:
        if not console_endpoint:
            console_endpoint = json.loads((key_dir / "endpoints.json").read_text())["console"]
        self.client = HubClient(
            console_endpoint,
            keys.read_public(key_dir / "hub.pub"),
            keys.load(key_dir / "cli.key"),
            "safecampus-fleet",
            operator,
        )
        self.client.connect()

    def close(self) -> None:
        self.client.close()

    def _pipelined(
        self, requests: list[tuple[str, dict[str, Any]]], timeout_s: float
    ) -> list[dict[str, Any]]:
        """Send every request (at most WINDOW in flight) and return the results in order."""
        results: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        pending: set[str] = set()
        deadline = time.monotonic() + timeout_s
        index = 0
        while index < len(requests) or pending:
            while index < len(requests) and len(pending) < WINDOW:
                action, args = requests[index]
                request_id = self.client.send_request(action, args)
                order.append(request_id)
                pending.add(request_id)
                index += 1
            if time.monotonic() > deadline:
                raise FleetAdminError(f"the hub answered {len(results)} of {len(requests)} requests in time")
            for event in self.client.poll(0.5):
                if isinstance(event, Reply) and event.request_id in pending:
                    pending.discard(event.request_id)
                    if not event.ok:
                        raise FleetAdminError(f"hub refused a request: {event.error_code}: {event.error}")
                    results[event.request_id] = event.result
        return [results[r] for r in order]

    def create_tokens(self, schools: list[str], ttl_s: float = 3600.0) -> dict[str, str]:
        answers = self._pipelined([("create_token", {"school": s, "ttl_s": ttl_s}) for s in schools], 600.0)
        return {s: str(a["token"]) for s, a in zip(schools, answers, strict=True)}

    def accept(self, public_keys: list[str]) -> None:
        self._pipelined(
            [("decide_enrollment", {"public_key": k, "decision": "accept"}) for k in public_keys], 600.0
        )


__all__ = ["FleetAdminError", "HubAdmin", "HubClientError"]
