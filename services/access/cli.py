"""Offline administration of operators and the audit record, straight on the hub's database.

    safecampus-hub operator add USER --role ROLE [--display-name NAME] [--district ADCODE] --key-dir DIR
    safecampus-hub operator passwd|unlock|disable|enable USER --key-dir DIR
    safecampus-hub operator list
    safecampus-hub audit verify --key-dir DIR
    safecampus-hub audit export --key-dir DIR --out FILE.csv [--since T] [--until T]
                                [--operator NAME] [--action ACTION]
    safecampus-hub camera-credentials set CAMERA --username NAME --key-dir DIR [--key-file FILE]
    safecampus-hub camera-credentials clear CAMERA --key-dir DIR
    safecampus-hub camera-credentials list [--key-file FILE]

All take --database URL (default: $SAFECAMPUS_DATABASE_URL; a password may come from
$SAFECAMPUS_DATABASE_PASSWORD instead of the URL). This is how the first administrator is made at
setup, and the way back in when every administrator is locked out. Passwords are read with a
prompt (twice) or as one line on stdin with --password-stdin, never from the command line, where
`ps` and the shell history would show them; a camera's password likewise. Camera logins are
encrypted with the secrets key (--key-file, default: secrets.key in the console's data folder).
Every change is recorded in the audit record as
"cli:<login name>" from console "cli", with the key in DIR/audit.key.

Exit codes: 0 done, 1 error (one line on stderr), 2 the audit record failed verification.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from services.access import accounts
from services.access.accounts import AccountError, OperatorInfo
from services.access.audit import AuditError, AuditInput, AuditLog, AuditQuery, AuditRecord, search, write_csv
from services.access.roles import Role
from services.access.secrets import (
    SecretBox,
    SecretError,
    clear_camera_credentials,
    database_url_from_environment,
    list_camera_credentials,
    printable_database_url,
    redact,
    secrets_key_path,
    set_camera_credentials,
)
from services.db.engine import DatabaseError, open_database
from services.db.models import Camera

log = logging.getLogger(__name__)

CAMERA_CREDENTIALS = "camera-credentials"
COMMANDS = frozenset({"operator", "audit", CAMERA_CREDENTIALS})
DATABASE_URL_ENV = "SAFECAMPUS_DATABASE_URL"
OPERATOR_ACTIONS = ("add", "list", "passwd", "unlock", "disable", "enable")
AUDIT_ACTIONS = ("verify", "export")
CREDENTIAL_ACTIONS = ("set", "clear", "list")
CLI_CONSOLE = "cli"
# Whoever runs this on the hub's machine holds the database itself: administrator in effect.
CLI_ROLE = Role.ADMINISTRATOR.value
_CHANGE_ATTEMPTS = 3


class CliError(Exception):
    """A mistake on the command line; the message is shown as it is."""


def add_subcommands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `operator`, `audit` and `camera-credentials` to a parser's subcommands (dest of the
    subparsers: "command")."""
    operator = sub.add_parser("operator", help="operator accounts (offline, on the hub's database)")
    operator.add_argument("operator_command", metavar="action", choices=OPERATOR_ACTIONS)
    operator.add_argument("username", nargs="?", default="")
    _common(operator)
    operator.add_argument("--role", choices=[r.value for r in Role], help="for add")
    operator.add_argument("--display-name", default="", help="for add (default: the user name)")
    operator.add_argument("--district", default=None, help="district adcode, for a district_viewer")
    operator.add_argument(
        "--password-stdin", action="store_true", help="read the password as one line from stdin"
    )
    operator.add_argument(
        "--must-change", action="store_true", help="passwd: make the operator change it at next login"
    )

    audit = sub.add_parser("audit", help="verify or export the audit record")
    audit.add_argument("audit_command", metavar="action", choices=AUDIT_ACTIONS)
    _common(audit)
    audit.add_argument("--out", type=Path, help="export: the CSV file to write")
    audit.add_argument("--since", default="", help="export: from this time (ISO 8601 or epoch seconds)")
    audit.add_argument("--until", default="", help="export: before this time")
    audit.add_argument("--operator", dest="operator_filter", default="", help="export: only this operator")
    audit.add_argument("--action", dest="action_filter", default="", help="export: only this action")

    credentials = sub.add_parser(
        CAMERA_CREDENTIALS, help="camera logins, encrypted with the secrets key (offline, on the database)"
    )
    credentials.add_argument("credentials_command", metavar="action", choices=CREDENTIAL_ACTIONS)
    credentials.add_argument("camera", nargs="?", default="", help="the camera's code, for set and clear")
    _common(credentials)
    credentials.add_argument(
        "--key-file",
        type=Path,
        default=None,
        help=f"the secrets key (default: {secrets_key_path()}, the console's data folder)",
    )
    credentials.add_argument("--username", default="", help="set: the camera's user name")
    credentials.add_argument(
        "--password-stdin", action="store_true", help="set: read the password as one line from stdin"
    )


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        default=os.environ.get(DATABASE_URL_ENV, ""),
        help=f"SQLAlchemy URL of the hub's database (default: ${DATABASE_URL_ENV})",
    )
    parser.add_argument(
        "--key-dir", type=Path, default=None, help="the hub's key folder (audit.key, audit.anchor)"
    )


def run(args: argparse.Namespace) -> int:
    """Carry out an `operator` or `audit` command; returns the exit code."""
    try:
        if args.command == "operator":
            return _operator(args)
        if args.command == "audit":
            return _audit(args)
        if args.command == CAMERA_CREDENTIALS:
            return _camera_credentials(args)
        raise CliError(f"unknown command {args.command}")
    except (CliError, AccountError, AuditError, SecretError, DatabaseError, OSError, ValueError) as exc:
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(f"database error: {getattr(exc, 'orig', None) or exc}")


def _fail(message: str) -> int:
    line = redact(message.strip().splitlines()[0] if message.strip() else "failed")
    log.error("%s", line)
    print(f"error: {line}", file=sys.stderr)
    return 1


def _open(args: argparse.Namespace) -> Engine:
    if not args.database:
        raise CliError(f"no database: give --database URL or set ${DATABASE_URL_ENV}")
    url = database_url_from_environment(args.database)
    log.info("using the database %s", printable_database_url(url))
    return open_database(url)  # applies any pending migration first


def _key_dir(args: argparse.Namespace) -> Path:
    if args.key_dir is None:
        raise CliError("give --key-dir DIR: the hub's key folder, where the audit key is kept")
    key_dir: Path = args.key_dir
    return key_dir


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _actor() -> str:
    return f"cli:{_login_name()}"


# --- operators -----------------------------------------------------------------------------


def _operator(args: argparse.Namespace) -> int:
    action: str = args.operator_command
    username: str = args.username
    if action != "list" and not username:
        raise CliError(f"operator {action} needs a user name")
    if action == "add" and not args.role:
        raise CliError("operator add needs --role")
    # Read the password before touching the database: a typo costs nothing.
    password = _read_password(args, f"password for {username}") if action in ("add", "passwd") else ""
    audit_log = None if action == "list" else AuditLog.for_key_dir(_key_dir(args))
    engine = _open(args)
    try:
        if action == "list":
            with Session(engine) as session:
                listed = [info.to_json() for info in accounts.list_operators(session)]
            print(json.dumps(listed, ensure_ascii=False, indent=2))
            return 0
        assert audit_log is not None
        request, detail, change = _operator_change(args, password)
        info = _change_with_audit(engine, audit_log, request, username, detail, change)
    finally:
        engine.dispose()
    print(json.dumps(info.to_json(), ensure_ascii=False, indent=2))
    return 0


Change = Callable[[Session], OperatorInfo]


def _operator_change(args: argparse.Namespace, password: str) -> tuple[str, dict[str, Any], Change]:
    """The audit action name (as the hub's request names it), its detail and the change itself."""
    action: str = args.operator_command
    username: str = args.username
    if action == "add":
        role = Role(args.role)
        district = args.district
        name = args.display_name or username
        detail: dict[str, Any] = {"role": role.value, "district_code": district, "display_name": name}
        return (
            "create_operator",
            detail,
            lambda s: accounts.create_operator(s, username, name, role, password, district_code=district),
        )
    if action == "passwd":
        must_change = bool(args.must_change)
        return (
            "reset_password",
            {"must_change_password": must_change},
            lambda s: accounts.reset_password(s, username, password, must_change=must_change),
        )
    if action == "unlock":
        return "unlock_operator", {}, lambda s: accounts.unlock(s, username)
    disabled = action == "disable"
    return (
        "update_operator",
        {"disabled": disabled},
        lambda s: accounts.update_operator(s, username, disabled=disabled),
    )


def _change_with_audit(
    engine: Engine, audit_log: AuditLog, request: str, target: str, detail: dict[str, Any], change: Change
) -> OperatorInfo:
    """Apply *change* and its audit entry in one transaction; a refusal is recorded too."""
    actor = _actor()
    for attempt in range(1, _CHANGE_ATTEMPTS + 1):
        with Session(engine) as session:
            try:
                info = change(session)
                records = audit_log.append(
                    session, [AuditInput(actor, CLI_ROLE, CLI_CONSOLE, request, target, "ok", detail)]
                )
                session.commit()
            except AccountError as exc:
                session.rollback()
                failed = {**detail, "error": exc.code, "message": exc.message}
                audit_log.append_and_commit(
                    lambda: Session(engine),
                    [AuditInput(actor, CLI_ROLE, CLI_CONSOLE, request, target, "failed", failed)],
                )
                raise
            except (IntegrityError, OperationalError):
                # Most likely the hub appended to the audit record at the same moment: try again.
                session.rollback()
                if attempt == _CHANGE_ATTEMPTS:
                    raise
                continue
        audit_log.write_anchor(records[-1])
        log.info("%s %s by %s", request, target, actor)
        return info
    raise AssertionError("unreachable")


def _read_password(args: argparse.Namespace, prompt: str) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise CliError("no password on stdin")
        return line.rstrip("\r\n")
    first = getpass.getpass(f"{prompt}: ")
    second = getpass.getpass("the same again: ")
    if first != second:
        raise CliError("the two passwords differ")
    return first


# --- audit ---------------------------------------------------------------------------------


def _audit(args: argparse.Namespace) -> int:
    audit_log = AuditLog.for_key_dir(_key_dir(args), create=False)
    if args.audit_command == "export" and args.out is None:
        raise CliError("audit export needs --out FILE.csv")
    engine = _open(args)
    try:
        if args.audit_command == "verify":
            with Session(engine) as session:
                report = audit_log.verify(session)
            print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
            if not report.ok:
                log.error("the audit record failed verification: %s", report.problem)
                return 2
            return 0
        return _export(args, engine, audit_log)
    finally:
        engine.dispose()


def _export(args: argparse.Namespace, engine: Engine, audit_log: AuditLog) -> int:
    query = AuditQuery(
        since=_time_arg(args.since, "--since"),
        until=_time_arg(args.until, "--until"),
        operator=args.operator_filter or None,
        action=args.action_filter or None,
        oldest_first=True,
    )
    out: Path = args.out
    with out.open("w", encoding="utf-8", newline="") as stream:
        count = write_csv(_all_records(engine, query), stream)
    detail = {
        "file": str(out),
        "count": count,
        "since": query.since,
        "until": query.until,
        "operator": query.operator,
        "action": query.action,
    }
    audit_log.append_and_commit(
        lambda: Session(engine),
        [AuditInput(_actor(), CLI_ROLE, CLI_CONSOLE, "audit_export", str(out), "ok", detail)],
    )
    print(f"{count} entries written to {out}")
    return 0


def _all_records(engine: Engine, query: AuditQuery) -> Iterator[AuditRecord]:
    """Every matching record, oldest first, a page at a time."""
    page = 5000
    offset = 0
    while True:
        with Session(engine) as session:
            records, _total = search(session, replace(query, limit=page, offset=offset))
        yield from records
        if len(records) < page:
            return
        offset += page


def _time_arg(text: str, option: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        # A time without a zone is the machine's local time, like the CSV's times.
        return datetime.fromisoformat(text).astimezone().timestamp()
    except ValueError:
        raise CliError(f"{option} {text!r} is neither ISO 8601 nor seconds since the epoch") from None


# --- camera credentials ----------------------------------------------------------------------


class _CameraRefused(Exception):
    """A credentials change refused for a reason the audit record keeps (code, message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _camera_credentials(args: argparse.Namespace) -> int:
    action: str = args.credentials_command
    code: str = args.camera.strip()
    if action != "list" and not code:
        raise CliError(f"camera-credentials {action} needs a camera code")
    if action == "set" and not args.username:
        raise CliError("camera-credentials set needs --username")
    key_path: Path = args.key_file if args.key_file is not None else secrets_key_path()
    # The key and the password before the database: a typo or a wrong key file costs nothing.
    box = SecretBox.load_or_create(key_path, create=action == "set") if action != "clear" else None
    password = _read_password(args, f"password of camera {code}") if action == "set" else ""
    audit_log = None if action == "list" else AuditLog.for_key_dir(_key_dir(args))
    engine = _open(args)
    try:
        if action == "list":
            assert box is not None
            with Session(engine) as session:
                listed = list_camera_credentials(session, box)
            print(json.dumps([{"camera": c, "username": u} for c, u in listed], ensure_ascii=False, indent=2))
            return 0
        assert audit_log is not None
        if action == "set":
            assert box is not None
            username: str = args.username
            detail: dict[str, Any] = {"username": username}
            result: dict[str, Any] = {"camera": code, "username": username, "key_file": str(key_path)}

            def change(session: Session, camera_id: int) -> None:
                set_camera_credentials(session, box, camera_id, username, password)

            _credentials_change(engine, audit_log, "set_camera_credentials", code, detail, change)
        else:
            cleared: list[bool] = []
            _credentials_change(
                engine,
                audit_log,
                "clear_camera_credentials",
                code,
                {},
                lambda session, camera_id: cleared.append(clear_camera_credentials(session, camera_id)),
            )
            result = {"camera": code, "cleared": bool(cleared and cleared[-1])}
    finally:
        engine.dispose()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _credentials_change(
    engine: Engine,
    audit_log: AuditLog,
    request: str,
    code: str,
    detail: dict[str, Any],
    change: Callable[[Session, int], None],
) -> None:
    """Apply *change* to camera *code* and its audit entry in one transaction; an unknown camera
    is recorded as failed. Neither the password nor its ciphertext is ever part of the entry."""
    actor = _actor()
    for attempt in range(1, _CHANGE_ATTEMPTS + 1):
        with Session(engine) as session:
            try:
                camera_id = session.scalar(select(Camera.id).where(Camera.code == code))
                if camera_id is None:
                    raise _CameraRefused("unknown_camera", f"no camera with the code {code!r}")
                change(session, camera_id)
                records = audit_log.append(
                    session, [AuditInput(actor, CLI_ROLE, CLI_CONSOLE, request, code, "ok", detail)]
                )
                session.commit()
            except _CameraRefused as exc:
                session.rollback()
                failed = {**detail, "error": exc.code, "message": exc.message}
                audit_log.append_and_commit(
                    lambda: Session(engine),
                    [AuditInput(actor, CLI_ROLE, CLI_CONSOLE, request, code, "failed", failed)],
                )
                raise CliError(exc.message) from None
            except (IntegrityError, OperationalError):
                # Most likely the hub appended to the audit record at the same moment: try again.
                session.rollback()
                if attempt == _CHANGE_ATTEMPTS:
                    raise
                continue
        audit_log.write_anchor(records[-1])
        log.info("%s %s by %s", request, code, actor)
        return
    raise AssertionError("unreachable")
