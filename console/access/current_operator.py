"""The operator logged in at this console: who they are and what the hub lets them do.

The rest of the console asks `may(permission)` to decide what to show; the hub still checks every
request, so a stale answer here can hide a button but never grant anything.

Signals:
    changed(): someone logged in, unlocked with a fresh session, or logged out.
    loggedOut(): the operator logged out (or was logged out); emitted before changed().
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

# Used when the hub does not say: the idle lock is a safety measure, so never "off" by accident.
DEFAULT_IDLE_LOCK_S = 600


class LoginResultError(ValueError):
    """The hub's login result lacks a field the console needs."""


class CurrentOperator(QObject):
    changed = Signal()
    loggedOut = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reset()

    def _reset(self) -> None:
        self.username = ""
        self.display_name = ""
        self.role = ""
        self.district_code = ""
        self.permissions: frozenset[str] = frozenset()
        self.session_token = ""
        self.session_expires_at = 0.0
        self.idle_lock_s = DEFAULT_IDLE_LOCK_S
        self.must_change_password = False

    # --- questions ---------------------------------------------------------------------------------
    @property
    def is_logged_in(self) -> bool:
        return bool(self.username)

    def may(self, permission: str) -> bool:
        """Whether the hub granted *permission* to this operator (False when nobody is logged in)."""
        return permission in self.permissions

    @property
    def name_for_display(self) -> str:
        return self.display_name or self.username

    # --- changes -----------------------------------------------------------------------------------
    def set_from_login(self, result: Mapping[str, Any]) -> None:
        """Take the operator from the hub's `login` result; LoginResultError when it is unusable."""
        username = result.get("username")
        role = result.get("role")
        permissions = result.get("permissions", [])
        if not isinstance(username, str) or not username:
            log.error("the hub's login result has no user name: %r", sorted(result))
            raise LoginResultError("the hub's login result has no user name")
        if not isinstance(role, str) or not role:
            log.error("the hub's login result for %s has no role", username)
            raise LoginResultError(f"the hub's login result for {username} has no role")
        if not isinstance(permissions, list | tuple | frozenset | set) or not all(
            isinstance(p, str) for p in permissions
        ):
            log.error("the hub's login result for %s has unreadable permissions", username)
            raise LoginResultError(f"the hub's login result for {username} has unreadable permissions")
        self.username = username
        self.display_name = str(result.get("display_name") or "")
        self.role = role
        self.district_code = str(result.get("district_code") or "")
        self.permissions = frozenset(permissions)
        self.session_token = str(result.get("session_token") or "")
        self.session_expires_at = _number(result.get("session_expires_at"), 0.0)
        idle = _number(result.get("idle_lock_s"), DEFAULT_IDLE_LOCK_S)
        self.idle_lock_s = int(idle) if idle > 0 else DEFAULT_IDLE_LOCK_S
        self.must_change_password = bool(result.get("must_change_password", False))
        log.info("operator %s logged in as %s", self.username, self.role)
        self.changed.emit()

    def password_changed(self) -> None:
        """The operator has changed the password the hub asked them to change."""
        self.must_change_password = False
        self.changed.emit()

    def clear(self) -> None:
        """Forget the operator (logout); emits loggedOut() and changed() when someone was logged in."""
        if not self.is_logged_in:
            return
        log.info("operator %s logged out", self.username)
        self._reset()
        self.loggedOut.emit()
        self.changed.emit()


def _number(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)
