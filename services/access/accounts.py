"""Operator accounts and login sessions, as functions on a SQLAlchemy Session (docs/access.md).

Every function works inside the caller's transaction and leaves the commit to the caller, so an
account change and its audit entry are committed together. Note that `authenticate` writes even
when the login fails (the failure count): commit after a failed login too.

Failures the operator or administrator can act on raise `AccountError` with a code the hub turns
into a reply and an English message the console translates by code.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from types import EllipsisType
from typing import Any, Literal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.access.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from services.access.roles import Role
from services.db.access_models import Operator, OperatorSession
from services.db.models import District

AccountErrorCode = Literal["exists", "not_found", "invalid", "weak_password", "last_administrator"]

USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
DISTRICT_CODE_PATTERN = re.compile(r"^[0-9]{6}$")
DISPLAY_NAME_MAX = 64
CONSOLE_NAME_MAX = 64

LOCKOUT_THRESHOLD = 5
LOCKOUT_S = 900.0
SESSION_TTL_S = 12 * 3600.0


class AccountError(Exception):
    """An account operation was refused; `code` says why in a form the console can translate."""

    def __init__(self, code: AccountErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: AccountErrorCode = code
        self.message = message


@dataclass(frozen=True, slots=True)
class OperatorInfo:
    """An operator as the rest of the program sees it: plain values, no password hash."""

    username: str
    display_name: str
    role: Role
    district_code: str | None
    disabled: bool
    locked_until: float | None
    failed_logins: int
    must_change_password: bool
    created_at: float
    password_changed_at: float

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "district_code": self.district_code,
            "disabled": self.disabled,
            "locked_until": self.locked_until,
            "failed_logins": self.failed_logins,
            "must_change_password": self.must_change_password,
            "created_at": self.created_at,
            "password_changed_at": self.password_changed_at,
        }

    def is_locked(self, now: float | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > _now(now)


LoginFailure = Literal["", "bad_credentials", "locked", "disabled"]


@dataclass(frozen=True, slots=True)
class LoginResult:
    ok: bool
    operator: OperatorInfo | None
    failure: LoginFailure
    locked_until: float | None


def _now(now: float | None) -> float:
    return time.time() if now is None else now


def _info(row: Operator) -> OperatorInfo:
    return OperatorInfo(
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        district_code=row.district_code,
        disabled=row.disabled,
        locked_until=row.locked_until,
        failed_logins=row.failed_logins,
        must_change_password=row.must_change_password,
        created_at=row.created_at,
        password_changed_at=row.password_changed_at,
    )


def _normal_username(username: str) -> str:
    # Usernames are stored lower case; accepting "Admin" at login costs nothing.
    return username.strip().lower()


def _row(session: Session, username: str, *, for_update: bool = False) -> Operator | None:
    query = select(Operator).where(Operator.username == _normal_username(username))
    if for_update:
        # PostgreSQL: concurrent logins of one account count their failures one after the other.
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def _existing(session: Session, username: str, *, for_update: bool = False) -> Operator:
    row = _row(session, username, for_update=for_update)
    if row is None:
        raise AccountError("not_found", f"no operator named {username!r}")
    return row


def _check_username(username: str) -> str:
    if not USERNAME_PATTERN.fullmatch(username):
        raise AccountError(
            "invalid",
            "a user name is 2 to 32 characters: a lower-case letter, then lower-case letters, "
            "digits, '_', '.' or '-'",
        )
    return username


def _check_display_name(display_name: str) -> str:
    name = display_name.strip()
    if not name:
        raise AccountError("invalid", "the display name is empty")
    if len(name) > DISPLAY_NAME_MAX:
        raise AccountError("invalid", f"the display name is longer than {DISPLAY_NAME_MAX} characters")
    return name


def _check_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise AccountError("invalid", f"unknown role {role!r} (known: {known})") from None


def _check_district(session: Session, role: Role, district_code: str | None) -> str | None:
    code = district_code.strip() if district_code else None
    if role is not Role.DISTRICT_VIEWER:
        if code:
            raise AccountError("invalid", f"only a {Role.DISTRICT_VIEWER.value} has a district")
        return None
    if not code:
        raise AccountError("invalid", f"a {Role.DISTRICT_VIEWER.value} needs a district (its adcode)")
    if not DISTRICT_CODE_PATTERN.fullmatch(code):
        raise AccountError("invalid", f"district {code!r} is not a six-digit adcode")
    # Before the city is loaded there is nothing to check against; afterwards a typo is caught.
    known = set(session.scalars(select(District.adcode)))
    if known and code not in known:
        raise AccountError("invalid", f"no district with adcode {code}")
    return code


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem is not None:
        raise AccountError("weak_password", problem)


# --- accounts ------------------------------------------------------------------------------


def create_operator(
    session: Session,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
    district_code: str | None = None,
    now: float | None = None,
    must_change_password: bool = False,
) -> OperatorInfo:
    username = _check_username(username)
    name = _check_display_name(display_name)
    checked_role = _check_role(role)
    district = _check_district(session, checked_role, district_code)
    _check_password(password, username)
    if _row(session, username) is not None:
        raise AccountError("exists", f"an operator named {username!r} already exists")
    at = _now(now)
    row = Operator(
        username=username,
        display_name=name,
        role=checked_role,
        district_code=district,
        password_hash=hash_password(password),
        failed_logins=0,
        locked_until=None,
        disabled=False,
        must_change_password=must_change_password,
        created_at=at,
        updated_at=at,
        password_changed_at=at,
    )
    session.add(row)
    session.flush()
    return _info(row)


def create_first_administrator(
    session: Session, username: str, display_name: str, password: str, now: float | None = None
) -> OperatorInfo:
    """The administrator made at setup; refused once any operator exists."""
    if count_operators(session) > 0:
        raise AccountError("exists", "operators already exist: the first administrator was created before")
    return create_operator(session, username, display_name, Role.ADMINISTRATOR, password, now=now)


def get_operator(session: Session, username: str) -> OperatorInfo | None:
    row = _row(session, username)
    return _info(row) if row is not None else None


def list_operators(session: Session) -> list[OperatorInfo]:
    return [_info(row) for row in session.scalars(select(Operator).order_by(Operator.username))]


def count_operators(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Operator)) or 0)


def authenticate(session: Session, username: str, password: str, now: float | None = None) -> LoginResult:
    """Check a login. Unknown user and wrong password give the same answer in about the same time."""
    at = _now(now)
    row = _row(session, username, for_update=True)
    if row is None:
        verify_password(dummy_hash(), password)
        return LoginResult(False, None, "bad_credentials", None)
    if row.locked_until is not None and row.locked_until <= at:
        # The lock ran out: a fresh set of attempts.
        row.locked_until = None
        row.failed_logins = 0
    if row.locked_until is not None:
        verify_password(dummy_hash(), password)
        return LoginResult(False, None, "locked", row.locked_until)
    if not verify_password(row.password_hash, password):
        row.failed_logins += 1
        if row.failed_logins >= LOCKOUT_THRESHOLD:
            row.locked_until = at + LOCKOUT_S
        session.flush()
        if row.locked_until is not None:
            return LoginResult(False, None, "locked", row.locked_until)
        return LoginResult(False, None, "bad_credentials", None)
    if row.disabled:
        # Only someone who knows the password learns the account is disabled.
        return LoginResult(False, None, "disabled", None)
    row.failed_logins = 0
    if needs_rehash(row.password_hash):
        row.password_hash = hash_password(password)
    session.flush()
    return LoginResult(True, _info(row), "", None)


def change_password(
    session: Session, username: str, old_password: str, new_password: str, now: float | None = None
) -> OperatorInfo:
    """The operator changes their own password; the current one must be given."""
    row = _existing(session, username, for_update=True)
    if not verify_password(row.password_hash, old_password):
        raise AccountError("invalid", "the current password is wrong")
    if new_password == old_password:
        raise AccountError("weak_password", "the new password must differ from the current one")
    _check_password(new_password, row.username)
    at = _now(now)
    row.password_hash = hash_password(new_password)
    row.must_change_password = False
    row.password_changed_at = at
    row.updated_at = at
    session.flush()
    return _info(row)


def reset_password(
    session: Session, username: str, new_password: str, now: float | None = None, must_change: bool = True
) -> OperatorInfo:
    """An administrator sets a new password; the lock is lifted and every open session is closed."""
    row = _existing(session, username, for_update=True)
    _check_password(new_password, row.username)
    at = _now(now)
    row.password_hash = hash_password(new_password)
    row.must_change_password = must_change
    row.failed_logins = 0
    row.locked_until = None
    row.password_changed_at = at
    row.updated_at = at
    # Whoever held the old password must not stay logged in with it.
    _close_open_sessions(session, row.id, at)
    session.flush()
    return _info(row)


def unlock(session: Session, username: str, now: float | None = None) -> OperatorInfo:
    row = _existing(session, username, for_update=True)
    row.failed_logins = 0
    row.locked_until = None
    row.updated_at = _now(now)
    session.flush()
    return _info(row)


def update_operator(
    session: Session,
    username: str,
    *,
    display_name: str | None = None,
    role: Role | str | None = None,
    district_code: str | EllipsisType | None = ...,
    disabled: bool | None = None,
    now: float | None = None,
) -> OperatorInfo:
    """Change what is given. Leaving `district_code` out keeps it, unless the new role has none.

    Disabling closes the operator's open sessions. The last enabled administrator can be neither
    demoted nor disabled: nobody could manage operators afterwards.
    """
    row = _existing(session, username, for_update=True)
    new_role = _check_role(role) if role is not None else row.role
    if district_code is ...:
        wanted = row.district_code if new_role is Role.DISTRICT_VIEWER else None
    else:
        wanted = district_code
    new_district = _check_district(session, new_role, wanted)
    new_disabled = row.disabled if disabled is None else disabled
    new_name = _check_display_name(display_name) if display_name is not None else row.display_name
    was_admin = row.role is Role.ADMINISTRATOR and not row.disabled
    stays_admin = new_role is Role.ADMINISTRATOR and not new_disabled
    if was_admin and not stays_admin and _other_enabled_administrators(session, row.id) == 0:
        raise AccountError(
            "last_administrator", f"{row.username} is the last enabled administrator: add another first"
        )
    at = _now(now)
    if new_disabled and not row.disabled:
        _close_open_sessions(session, row.id, at)
    row.display_name = new_name
    row.role = new_role
    row.district_code = new_district
    row.disabled = new_disabled
    row.updated_at = at
    session.flush()
    return _info(row)


def _other_enabled_administrators(session: Session, operator_id: int) -> int:
    # FOR UPDATE on PostgreSQL: two administrators demoting each other at the same moment are
    # serialised, and the second sees the first's change, so one always remains.
    rows = session.scalars(
        select(Operator.id)
        .where(
            Operator.role == Role.ADMINISTRATOR,
            Operator.disabled.is_(False),
            Operator.id != operator_id,
        )
        .with_for_update()
    ).all()
    return len(rows)


# --- sessions ------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(
    session: Session, username: str, console: str, now: float | None = None, ttl_s: float = SESSION_TTL_S
) -> tuple[str, float]:
    """Start a login session; returns the token (shown to the console once) and its expiry."""
    row = _existing(session, username)
    if row.disabled:
        raise AccountError("invalid", f"operator {row.username!r} is disabled")
    if ttl_s <= 0:
        raise AccountError("invalid", "a session needs a positive lifetime")
    at = _now(now)
    token = secrets.token_urlsafe(32)
    expires_at = at + ttl_s
    session.add(
        OperatorSession(
            token_hash=token_hash(token),
            operator_id=row.id,
            console=console[:CONSOLE_NAME_MAX],
            created_at=at,
            expires_at=expires_at,
            closed_at=None,
        )
    )
    session.flush()
    return token, expires_at


def resume_session(session: Session, token: str, now: float | None = None) -> OperatorInfo | None:
    """The operator behind a session token, or None when it is unknown, expired, closed, or the
    operator has since been disabled or locked."""
    at = _now(now)
    found = session.execute(
        select(OperatorSession, Operator)
        .join(Operator, Operator.id == OperatorSession.operator_id)
        .where(OperatorSession.token_hash == token_hash(token))
    ).one_or_none()
    if found is None:
        return None
    login, row = found[0], found[1]
    if login.closed_at is not None or login.expires_at <= at:
        return None
    if row.disabled or (row.locked_until is not None and row.locked_until > at):
        return None
    return _info(row)


def close_session(session: Session, token: str, now: float | None = None) -> None:
    """Log out. Closing an unknown or already closed session is not an error."""
    session.execute(
        update(OperatorSession)
        .where(OperatorSession.token_hash == token_hash(token), OperatorSession.closed_at.is_(None))
        .values(closed_at=_now(now))
    )


def close_sessions_of(session: Session, username: str, now: float | None = None) -> int:
    """Close every open session of an operator; returns how many were open."""
    row = _existing(session, username)
    return _close_open_sessions(session, row.id, _now(now))


def _close_open_sessions(session: Session, operator_id: int, at: float) -> int:
    result = session.execute(
        update(OperatorSession)
        .where(
            OperatorSession.operator_id == operator_id,
            OperatorSession.closed_at.is_(None),
            OperatorSession.expires_at > at,
        )
        .values(closed_at=at)
    )
    return int(getattr(result, "rowcount", 0) or 0)
