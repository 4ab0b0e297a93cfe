"""Console requests about operators, their sessions and the audit record.

Password checks and account changes run on the hub's database thread (Argon2 is slow on purpose,
and the socket thread never waits); the answer comes back through `done` on the socket thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import accounts, audit
from services.access.accounts import AccountError, OperatorInfo
from services.access.audit import AuditQuery
from services.access.roles import Role, permissions_of
from services.db.models import District, School
from services.hub.console_access import LoggedIn
from services.hub.core import HubCore
from services.hub.errors import HubRequestError
from services.protocol.envelope import ErrorCode

if TYPE_CHECKING:
    from services.hub.console_api import ConsoleSession

log = logging.getLogger("services.hub.operators")

Done = Callable[[Any, HubRequestError | None], None]

ACCOUNT_ERRORS = {
    "exists": ErrorCode.CONFLICT,
    "not_found": ErrorCode.NOT_FOUND,
    "invalid": ErrorCode.MALFORMED,
    "weak_password": ErrorCode.MALFORMED,
    "last_administrator": ErrorCode.CONFLICT,
}


class _Args(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class LoginArgs(_Args):
    username: str
    password: str


class ResumeArgs(_Args):
    session_token: str


class ChangePasswordArgs(_Args):
    old_password: str
    new_password: str


class CreateOperatorArgs(_Args):
    username: str
    display_name: str
    role: Role
    password: str
    district_code: str = ""


class UpdateOperatorArgs(_Args):
    username: str
    display_name: str | None = None
    role: Role | None = None
    district_code: str | None = None
    disabled: bool | None = None


class ResetPasswordArgs(_Args):
    username: str
    new_password: str


class UsernameArgs(_Args):
    username: str


class AuditSearchArgs(_Args):
    since: float | None = None
    until: float | None = None
    operator: str = ""
    action: str = ""
    result: str = ""
    text: str = ""
    limit: int = 200
    offset: int = 0


class NoArgs(_Args):
    pass


def school_districts(session: Session) -> dict[str, str]:
    """School code -> district adcode: what scoping district viewers and city-wide checks need."""
    rows = session.execute(
        select(School.code, District.adcode).join(District, School.district_id == District.id)
    )
    return {code: adcode for code, adcode in rows}


class OperatorRequests:
    def __init__(self, core: HubCore, sessions_of: Callable[[str], list[ConsoleSession]]) -> None:
        self._core = core
        self._sessions_of = sessions_of

    # --- logging in -----------------------------------------------------------------------
    def login(self, raw: dict[str, Any], operator: str, console: str, done: Done) -> None:
        args = _parse(raw, LoginArgs)
        if args.username != operator:
            raise HubRequestError(ErrorCode.MALFORMED, "a login request names the operator logging in")

        def job(session: Session) -> tuple[accounts.LoginResult, str, float, dict[str, str]]:
            outcome = accounts.authenticate(session, args.username, args.password)
            token, expires = ("", 0.0)
            if outcome.ok:
                token, expires = accounts.open_session(session, args.username, console)
            return outcome, token, expires, school_districts(session)

        def finished(
            result: tuple[accounts.LoginResult, str, float, dict[str, str]] | None,
            error: BaseException | None,
        ) -> None:
            if error is not None or result is None:
                done(None, _request_error(error))
                return
            outcome, token, expires, districts = result
            self._core.school_districts = districts
            if outcome.ok and outcome.operator is not None:
                done(self._describe(outcome.operator, token, expires), None)
            elif outcome.failure == "locked":
                until = outcome.locked_until or 0.0
                done(
                    None,
                    HubRequestError(
                        ErrorCode.LOCKED,
                        f"too many failed logins: the account is locked until {_clock(until)}",
                        details={"locked_until": until},
                    ),
                )
            elif outcome.failure == "disabled":
                done(None, HubRequestError(ErrorCode.FORBIDDEN, "this operator account is disabled"))
            else:
                done(None, HubRequestError(ErrorCode.UNAUTHORIZED, "wrong user name or password"))

        self._core.writer.submit(_refusing(job), finished, "login")

    def resume(self, raw: dict[str, Any], done: Done) -> None:
        args = _parse(raw, ResumeArgs)

        def job(session: Session) -> tuple[OperatorInfo | None, dict[str, str]]:
            return accounts.resume_session(session, args.session_token), school_districts(session)

        def finished(
            result: tuple[OperatorInfo | None, dict[str, str]] | None, error: BaseException | None
        ) -> None:
            if error is not None or result is None:
                done(None, _request_error(error))
                return
            info, districts = result
            self._core.school_districts = districts
            if info is None:
                done(None, HubRequestError(ErrorCode.UNAUTHORIZED, "the session has ended: log in again"))
                return
            done(self._describe(info, args.session_token, 0.0), None)

        self._core.writer.submit(job, finished, "resume session")

    def _describe(self, info: OperatorInfo, token: str, expires_at: float) -> dict[str, Any]:
        return {
            "username": info.username,
            "display_name": info.display_name,
            "role": info.role.value,
            "district_code": info.district_code or "",
            "permissions": sorted(p.value for p in permissions_of(info.role)),
            "session_token": token,
            "session_expires_at": expires_at,
            "idle_lock_s": int(self._core.config.idle_lock_s),
            "must_change_password": info.must_change_password,
        }

    @staticmethod
    def logged_in_from(result: dict[str, Any]) -> LoggedIn:
        return LoggedIn(
            username=result["username"],
            display_name=result["display_name"],
            role=Role(result["role"]),
            district_code=result["district_code"] or None,
            token=result["session_token"],
        )

    def describe(self, login: LoggedIn) -> dict[str, Any]:
        return {
            "username": login.username,
            "display_name": login.display_name,
            "role": login.role.value,
            "district_code": login.district_code or "",
            "permissions": sorted(p.value for p in login.permissions),
        }

    def close_session(self, login: LoggedIn, done: Done) -> None:
        if not login.token:
            done({}, None)
            return
        self._submit(lambda s: accounts.close_session(s, login.token), lambda _r: {}, done, "logout")

    def change_password(self, raw: dict[str, Any], login: LoggedIn, done: Done) -> None:
        args = _parse(raw, ChangePasswordArgs)
        self._submit(
            lambda s: accounts.change_password(s, login.username, args.old_password, args.new_password),
            lambda info: {"operator": info.to_json()},
            done,
            "change password",
        )

    # --- administration -------------------------------------------------------------------
    def list_operators(self, raw: dict[str, Any], done: Done) -> None:
        _parse(raw, NoArgs)
        self._submit(
            accounts.list_operators,
            lambda infos: {"operators": [i.to_json() for i in infos]},
            done,
            "list operators",
        )

    def create_operator(self, raw: dict[str, Any], done: Done) -> None:
        args = _parse(raw, CreateOperatorArgs)
        self._submit(
            lambda s: accounts.create_operator(
                s, args.username, args.display_name, args.role, args.password, args.district_code or None
            ),
            lambda info: {"operator": info.to_json()},
            done,
            "create operator",
        )

    def update_operator(self, raw: dict[str, Any], done: Done) -> None:
        args = _parse(raw, UpdateOperatorArgs)
        changes: dict[str, Any] = {}
        if args.display_name is not None:
            changes["display_name"] = args.display_name
        if args.role is not None:
            changes["role"] = args.role
        if args.district_code is not None:
            changes["district_code"] = args.district_code or None
        if args.disabled is not None:
            changes["disabled"] = args.disabled

        def job(session: Session) -> OperatorInfo:
            info = accounts.update_operator(session, args.username, **changes)
            if info.disabled or "role" in changes or "district_code" in changes:
                accounts.close_sessions_of(session, args.username)
            return info

        def applied(info: OperatorInfo) -> dict[str, Any]:
            if info.disabled or "role" in changes or "district_code" in changes:
                self._end_sessions(args.username, "account changed by an administrator")
            return {"operator": info.to_json()}

        self._submit(job, applied, done, "update operator")

    def reset_password(self, raw: dict[str, Any], done: Done) -> None:
        args = _parse(raw, ResetPasswordArgs)

        def job(session: Session) -> OperatorInfo:
            info = accounts.reset_password(session, args.username, args.new_password)
            accounts.close_sessions_of(session, args.username)
            return info

        def applied(info: OperatorInfo) -> dict[str, Any]:
            self._end_sessions(args.username, "password reset by an administrator")
            return {"operator": info.to_json()}

        self._submit(job, applied, done, "reset password")

    def unlock_operator(self, raw: dict[str, Any], done: Done) -> None:
        args = _parse(raw, UsernameArgs)
        self._submit(
            lambda s: accounts.unlock(s, args.username),
            lambda info: {"operator": info.to_json()},
            done,
            "unlock operator",
        )

    def _end_sessions(self, username: str, why: str) -> None:
        """Log the operator out on every console now (their next request must log in again)."""
        for console_session in self._sessions_of(username):
            console_session.login = None
            console_session.subscribed = False
            log.info("console %r: %s logged out: %s", console_session.name, username, why)

    # --- the audit record -----------------------------------------------------------------
    def audit_search(self, raw: dict[str, Any], done: Done) -> None:
        args = _parse(raw, AuditSearchArgs)
        query = AuditQuery(
            since=args.since,
            until=args.until,
            operator=args.operator,
            action=args.action,
            result=args.result,
            text=args.text,
            limit=max(1, min(args.limit, 5000)),
            offset=max(0, args.offset),
        )
        self._core.audit.flush(before_read=True)  # include what was just done
        self._submit(
            lambda s: audit.search(s, query),
            lambda found: {"entries": [r.to_json() for r in found[0]], "total": found[1]},
            done,
            "audit search",
        )

    def audit_verify(self, raw: dict[str, Any], done: Done) -> None:
        _parse(raw, NoArgs)
        audit_log = self._core.audit_log
        self._submit(
            audit_log.verify,
            lambda report: {
                "ok": report.ok,
                "checked": report.checked,
                "head_seq": report.head_seq,
                "first_bad_seq": report.first_bad_seq,
                "problem": report.problem,
            },
            done,
            "audit verify",
        )

    # --- plumbing -------------------------------------------------------------------------
    def _submit(
        self,
        job: Callable[[Session], Any],
        shape: Callable[[Any], dict[str, Any]],
        done: Done,
        name: str,
    ) -> None:
        def finished(result: Any, error: BaseException | None) -> None:
            if error is not None:
                done(None, _request_error(error))
                return
            done(shape(result), None)

        self._core.writer.submit(_refusing(job), finished, name)


def _refusing(job: Callable[[Session], Any]) -> Callable[[Session], Any]:
    """Turn an account refusal (exists, weak password, ...) into a request refusal: the database
    thread logs those as refusals, not failures, and rolls the transaction back."""

    def run(session: Session) -> Any:
        try:
            return job(session)
        except AccountError as exc:
            raise _request_error(exc) from None

    return run


def _request_error(error: BaseException | None) -> HubRequestError:
    if isinstance(error, HubRequestError):
        return error
    if isinstance(error, AccountError):
        return HubRequestError(ACCOUNT_ERRORS.get(error.code, ErrorCode.MALFORMED), str(error))
    return HubRequestError(ErrorCode.INTERNAL, f"database error: {type(error).__name__}")


def _parse(raw: dict[str, Any], cls: type[msgspec.Struct]) -> Any:
    try:
        return msgspec.convert(raw, cls)
    except msgspec.ValidationError as exc:
        raise HubRequestError(ErrorCode.MALFORMED, f"invalid request args: {exc}") from None


def _clock(at: float) -> str:
    return time.strftime("%H:%M", time.localtime(at))
