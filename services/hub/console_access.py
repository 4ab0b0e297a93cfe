"""Who is behind each console session, and what they may ask (docs/access.md, docs/protocol.md).

The hub is the guard: a console session says hello with its CURVE key, then an operator logs in
(`login` with a password, or `resume` with the session token of an earlier login). Until then the
session may only log in. Every later request is checked against the permission matrix in
services/access/roles.py, commands also by their action, target and (for district viewers) scope.
City-wide emergency and drill commands need a second, confirmed request.

The hub's own CLI key (DIR/cli.key, readable only by whoever administers the hub's machine) acts as
a local administrator without a password: holding that file already means holding the hub.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.access.roles import (
    REQUEST_PERMISSIONS,
    SCOPED_ROLES,
    SELF_REQUESTS,
    Permission,
    Role,
    command_rule,
    needs_confirmation,
    permissions_of,
)
from services.hub.config import Target
from services.hub.errors import HubRequestError
from services.protocol.agent_messages import ArgValue
from services.protocol.envelope import ErrorCode

CONFIRMATION_TTL_S = 120.0
MAX_PENDING_CONFIRMATIONS = 64
LOCAL_ADMIN_PREFIX = "hub-cli:"
SESSION_REQUESTS = frozenset({"login", "resume"})


@dataclass(frozen=True, slots=True)
class LoggedIn:
    """The operator a console session acts for."""

    username: str
    display_name: str
    role: Role
    district_code: str | None
    token: str = ""  # empty for the hub's local administrator (no password, no session)

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.role)

    @property
    def scoped(self) -> bool:
        return self.role in SCOPED_ROLES


def local_administrator(name: str) -> LoggedIn:
    return LoggedIn(
        username=f"{LOCAL_ADMIN_PREFIX}{name[:48]}",
        display_name=name[:64],
        role=Role.ADMINISTRATOR,
        district_code=None,
    )


@dataclass(frozen=True, slots=True)
class _PendingConfirmation:
    username: str
    fingerprint: str
    expires_at: float


@dataclass
class ConfirmationBook:
    """Second confirmations: one-time ids bound to an operator and the exact command they confirm."""

    pending: dict[str, _PendingConfirmation] = field(default_factory=dict)

    def issue(self, username: str, fingerprint: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        self._expire(now)
        if len(self.pending) >= MAX_PENDING_CONFIRMATIONS:
            oldest = min(self.pending, key=lambda k: self.pending[k].expires_at)
            del self.pending[oldest]
        confirmation = secrets.token_urlsafe(16)
        self.pending[confirmation] = _PendingConfirmation(username, fingerprint, now + CONFIRMATION_TTL_S)
        return confirmation

    def redeem(self, confirmation: str, username: str, fingerprint: str, now: float | None = None) -> bool:
        """True once for a live confirmation issued to *username* for the same command."""
        now = time.time() if now is None else now
        self._expire(now)
        pending = self.pending.get(confirmation)
        if pending is None or pending.username != username or pending.fingerprint != fingerprint:
            return False
        del self.pending[confirmation]
        return True

    def _expire(self, now: float) -> None:
        for key in [k for k, p in self.pending.items() if p.expires_at <= now]:
            del self.pending[key]


def require_login(login: LoggedIn | None, action: str) -> LoggedIn:
    if login is None:
        raise HubRequestError(ErrorCode.UNAUTHORIZED, f"log in before asking for {action!r}")
    return login


def check_request(login: LoggedIn, action: str) -> None:
    """Refuse a request the operator's role does not allow (commands are checked further)."""
    if action in SELF_REQUESTS:
        return
    permission = REQUEST_PERMISSIONS.get(action)
    if permission is None:
        raise HubRequestError(ErrorCode.UNKNOWN_TYPE, f"unknown request action {action!r}")
    if permission not in login.permissions:
        raise HubRequestError(
            ErrorCode.FORBIDDEN, f"the role {login.role.value} may not {action.replace('_', ' ')}"
        )


def check_school_visible(login: LoggedIn, school: str, school_districts: Mapping[str, str]) -> None:
    if login.scoped and school_districts.get(school) != login.district_code:
        raise HubRequestError(ErrorCode.FORBIDDEN, f"school {school} is outside your district")


def target_districts(target: Target, school_districts: Mapping[str, str]) -> set[str]:
    """The districts named or reached through named schools (a school not in the list counts as its
    own district, so an unknown code never makes a target look smaller than it is)."""
    found = set(target.districts)
    found.update(school_districts.get(code, f"?{code}") for code in target.schools)
    return found


def check_command(
    login: LoggedIn,
    target: Target,
    action: str,
    args: Mapping[str, ArgValue],
    school_districts: Mapping[str, str],
) -> bool:
    """Refuse a command the operator may not send; True when it needs a second confirmation."""
    rule = command_rule(action, args)
    if rule is None:
        raise HubRequestError(ErrorCode.FORBIDDEN, f"no operator may send the action {action!r}")
    if rule.permission not in login.permissions:
        raise HubRequestError(
            ErrorCode.FORBIDDEN,
            f"the role {login.role.value} may not send {action!r} ({rule.permission.value})",
        )
    city_wide = target.all_schools or len(target_districts(target, school_districts)) > 1
    if city_wide and Permission.CITY_WIDE not in login.permissions:
        raise HubRequestError(
            ErrorCode.FORBIDDEN,
            f"the role {login.role.value} may not send commands to more than one district",
        )
    return needs_confirmation(rule, city_wide)


def command_fingerprint(target: Target, action: str, args: Mapping[str, ArgValue]) -> str:
    """What a confirmation is bound to: the same target, action and arguments."""
    return json.dumps(
        {"target": target.to_json(), "action": action, "args": dict(args)}, sort_keys=True, default=str
    )
