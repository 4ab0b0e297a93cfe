"""Helpers for the tests that run the access pages against the real hub (fixtures in conftest.py)."""

from __future__ import annotations

from console.hub.bridge import HubBridge, HubReply
from services.access.demo_accounts import DEMO_ACCOUNTS

ADMIN, ADMIN_PASSWORD = DEMO_ACCOUNTS[0][0], DEMO_ACCOUNTS[0][4]


def submit_through(bridge: HubBridge):
    def submit(username, password, on_reply) -> None:
        bridge.request("login", {"username": username, "password": password}, on_reply)

    return submit


def log_in(qtbot, bridge: HubBridge, username: str, password: str) -> dict:
    replies: list[HubReply] = []
    bridge.request("login", {"username": username, "password": password}, replies.append)
    qtbot.waitUntil(lambda: bool(replies), timeout=10_000)
    assert replies[0].ok, replies[0]
    return replies[0].result
