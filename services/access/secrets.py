"""Secrets at rest and out of the logs: camera credentials, redaction, database passwords
(docs/access.md).

Camera credentials are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`)
under a key kept in a 0600 file beside the hub's other keys, never in the database: a copy of the
database alone reveals no camera password. Whatever is logged passes through `redact`, so a
stream URL with a password in it cannot reach a log file.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from services.access.audit import write_private_file
from services.db.access_models import CameraCredential
from services.db.models import Camera

log = logging.getLogger(__name__)

SECRETS_KEY_FILE = "secrets.key"
DATABASE_PASSWORD_ENV = "SAFECAMPUS_DATABASE_PASSWORD"
MASK = "***"


class SecretError(RuntimeError):
    """A secret cannot be stored or read; the message says why (never the secret itself)."""


class SecretBox:
    """Encrypts and decrypts short texts with one Fernet key."""

    __slots__ = ("_fernet", "path")

    def __init__(self, key: bytes, path: Path | None = None) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            where = f" {path}" if path is not None else ""
            raise SecretError(f"the secrets key{where} is not a Fernet key") from exc
        self.path = path

    def __repr__(self) -> str:
        return f"SecretBox(path={self.path!r})"  # never the key

    @classmethod
    def load_or_create(cls, path: Path) -> SecretBox:
        if not path.exists() and write_private_file(path, Fernet.generate_key() + b"\n", replace=False):
            log.info("created the secrets key %s", path)
        try:
            mode = path.stat().st_mode & 0o777
            key = path.read_bytes().strip()
        except OSError as exc:
            raise SecretError(f"cannot read the secrets key {path}: {exc.strerror}") from exc
        if mode & 0o077:
            raise SecretError(f"the secrets key {path} is readable by others (mode {mode:o}); chmod 600 it")
        return cls(key, path)

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise SecretError(
                "cannot decrypt a stored secret: the secrets key file is not the one it was stored "
                "with, or the value is damaged"
            ) from exc


# --- camera credentials --------------------------------------------------------------------


def set_camera_credentials(
    session: Session, box: SecretBox, camera_id: int, username: str, password: str, now: float | None = None
) -> None:
    """Store (or replace) a camera's login, encrypted; the caller commits."""
    if session.get(Camera, camera_id) is None:
        raise SecretError(f"no camera with id {camera_id}")
    at = time.time() if now is None else now
    row = session.get(CameraCredential, camera_id)
    if row is None:
        row = CameraCredential(camera_id=camera_id)
        session.add(row)
    row.username_ct = box.encrypt(username)
    row.password_ct = box.encrypt(password)
    row.updated_at = at
    session.flush()


def camera_credentials(session: Session, box: SecretBox, camera_id: int) -> tuple[str, str] | None:
    """(username, password) of a camera, None when none are stored."""
    row = session.get(CameraCredential, camera_id)
    if row is None:
        return None
    return box.decrypt(row.username_ct), box.decrypt(row.password_ct)


def clear_camera_credentials(session: Session, camera_id: int) -> bool:
    """Forget a camera's login; False when there was none."""
    row = session.get(CameraCredential, camera_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


_CREDENTIAL_SCHEMES = frozenset({"http", "https", "rtsp", "rtsps", "rtmp", "rtmps"})


def url_with_credentials(url: str, username: str, password: str) -> str:
    """*url* with the login put in as percent-encoded userinfo (replacing any already there).

    The result is for the player only: log `redact(result)` or the original URL, never this.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in _CREDENTIAL_SCHEMES:
        raise ValueError(f"cannot put credentials into a {parts.scheme or 'scheme-less'} URL")
    if not parts.hostname:
        raise ValueError("the URL has no host")
    host = parts.netloc.rpartition("@")[2]
    userinfo = quote(username, safe="")
    if password:
        userinfo += ":" + quote(password, safe="")
    return urlunsplit((parts.scheme, f"{userinfo}@{host}", parts.path, parts.query, parts.fragment))


# --- redaction -----------------------------------------------------------------------------

# scheme://user:password@host -> scheme://user:***@host. The password runs to the last "@"
# before the path, so an unencoded "@" in it is masked too.
_URL_USERINFO = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)(?P<secret>[^/\s]*)@")
# password=..., passwd: ..., "token": "...", also in query strings and JSON.
_KEY_VALUE = re.compile(
    r"(?P<head>(?i:\b(?:password|passwd|pwd|secret|token|api[_-]?key))[\"']?\s*[:=]\s*[\"']?)"
    r"(?P<secret>[^\"'&\s,;}]+)"
)


def redact(text: str) -> str:
    """*text* with URL passwords and password/token values masked."""
    text = _URL_USERINFO.sub(lambda m: f"{m['head']}{MASK}@", text)
    return _KEY_VALUE.sub(lambda m: f"{m['head']}{MASK}", text)


class RedactingFilter(logging.Filter):
    """Redacts every record before a handler formats it: the message with its arguments, the
    exception text and the stack. Attached to handlers, so records from every logger pass it."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
            broken = False
        except Exception:  # a broken format string must not lose the record
            message, broken = f"{record.msg} {record.args}", True
        cleaned = redact(message)
        if broken or cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction(logger: logging.Logger | None = None) -> RedactingFilter:
    """Attach one RedactingFilter to every handler of *logger* (default: the root logger) and to
    the logger itself; calling again is harmless. A handler added later is not covered until
    this is called again (or `handler.addFilter(filter)`): the console and the hub call it right
    after configuring logging. Returns the filter, so a caller can remove it."""
    target = logger if logger is not None else logging.getLogger()
    existing = next((f for f in target.filters if isinstance(f, RedactingFilter)), None)
    shared = existing if existing is not None else RedactingFilter()
    if existing is None:
        target.addFilter(shared)
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(shared)
    return shared


def remove_redaction(redacting: RedactingFilter, logger: logging.Logger | None = None) -> None:
    target = logger if logger is not None else logging.getLogger()
    target.removeFilter(redacting)
    for handler in target.handlers:
        handler.removeFilter(redacting)


# --- database passwords ------------------------------------------------------------------------


def database_url_from_environment(url: str, environ: Mapping[str, str] = os.environ) -> str:
    """*url* with the password from SAFECAMPUS_DATABASE_PASSWORD when it has none of its own,
    so the password need not be written in a config file or on a command line."""
    password = environ.get(DATABASE_PASSWORD_ENV, "")
    if not password:
        return url
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        # The URL itself is not echoed: it may hold a password.
        raise ValueError("the database URL cannot be parsed") from exc
    if parsed.password or parsed.get_backend_name() == "sqlite":
        return url
    return parsed.set(password=password).render_as_string(hide_password=False)


def printable_database_url(url: str) -> str:
    """The URL with its password hidden, for logs and the status bar."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return redact(url)
