"""Fakes for the alarm console tests: incidents as the hub sends them and a recording requester."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal

from console.hub.bridge import HubReply

_ids = itertools.count(1)


def incident_dict(**overrides: Any) -> dict[str, Any]:
    """An IncidentView in its dict form (what msgspec.to_builtins gives), open and fresh."""
    now = overrides.pop("now", time.time())
    number = next(_ids)
    data: dict[str, Any] = {
        "incident_id": f"inc-{number}",
        "school": "QD0001",
        "alarm_type": "intrusion",
        "priority": 2,
        "state": "open",
        "opened_at": now,
        "last_alarm_at": now,
        "alarm_count": 1,
        "location": "东门",
        "acknowledged_by": "",
        "acknowledged_at": None,
        "owner": "",
        "transfer_to": "",
        "ack_due_at": now + 60,
        "process_due_at": now + 900,
        "escalation": "",
        "steps": [
            {"key": "confirm_on_camera", "state": "open"},
            {"key": "call_110", "state": "open"},
        ],
        "notes": [],
        "actions": [],
        "resolved_by": "",
        "resolved_at": None,
        "outcome": "",
        "false_alarm": False,
        "version": 1,
    }
    data.update(overrides)
    return data


@dataclass
class FakeRequester:
    """Records requests; answers them with `answer` (default: ok, empty result) at once or later."""

    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answer: Callable[[str, dict[str, Any]], HubReply] | None = None
    held: list[tuple[str, dict[str, Any], Callable[[HubReply], None] | None]] = field(default_factory=list)
    hold: bool = False

    def request(self, action: str, args: dict[str, Any] | None = None, on_reply=None) -> int:
        args = dict(args or {})
        self.sent.append((action, args))
        if self.hold:
            self.held.append((action, args, on_reply))
            return len(self.sent)
        if self.answer is not None:
            reply = self.answer(action, args)
        elif action == "incident_timeline":
            reply = HubReply(len(self.sent), action, False, error_code="not_found", error="no timeline here")
        else:
            reply = HubReply(len(self.sent), action, True, {})
        if on_reply is not None:
            on_reply(reply)
        return len(self.sent)

    def actions(self) -> list[str]:
        return [a for a, _ in self.sent]


@pytest.fixture
def requester() -> FakeRequester:
    return FakeRequester()


class FakeHub(QObject):
    """The HubBridge signals and request() the alarm centre uses, driven by the test."""

    incidentsChanged = Signal(object, bool)
    alarmRateChanged = Signal(float)

    def __init__(self) -> None:
        super().__init__()
        self.requester = FakeRequester()

    def request(self, action, args=None, on_reply=None):
        return self.requester.request(action, args, on_reply)
