"""Secrets at rest and out of the logs: camera credentials, redaction, database passwords
(docs/access.md).

Camera credentials are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`)
under a key kept in a 0600 file outside the database (`secrets_key_path`): a copy of the database
alone reveals no camera password. Whatever is logged passes through `redact`
(services.access.redaction, re-exported here), so a stream URL with a password in it cannot reach
a log file.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import platformdirs
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from services.access.audit import write_private_file
from services.access.redaction import MASK as MASK
from services.access.redaction import RedactingFilter as RedactingFilter
from services.access.redaction import install_redaction as install_redaction
from services.access.redaction import redact as redact
from services.access.redaction import remove_redaction as remove_redaction
from services.access.redaction import without_userinfo as without_userinfo
from services.db.access_models import CameraCredential
from services.db.models import Camera

log = logging.getLogger(__name__)

SECRETS_KEY_FILE = "secrets.key"
# credential_ref of a camera whose login is stored here: not secret, it only says where it is.
VAULT_REF_PREFIX = "vault:"
DATABASE_PASSWORD_ENV = "SAFECAMPUS_DATABASE_PASSWORD"
# The console's name for its data folder (console/settings.py default_data_dir).
APP_NAME = "SafeCampus"


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
    def load_or_create(cls, path: Path, *, create: bool = True) -> SecretBox:
        """The key in *path*, made first (0600) when missing and *create*; a missing key with
        create=False is a SecretError (a reader must never invent a key: it would decrypt nothing)."""
        if not path.exists():
            if not create:
                raise SecretError(f"there is no secrets key {path}")
            if write_private_file(path, Fernet.generate_key() + b"\n", replace=False):
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
                # No "secret: ..." in the text: the log redaction would mask the word after it.
                "cannot decrypt a stored secret (the secrets key file is not the one it was stored "
                "with, or the value is damaged)"
            ) from exc


def secrets_key_path(data_dir: Path | None = None) -> Path:
    """Where the camera credentials' key is kept: `secrets.key` in the console's data folder
    (*data_dir*; None: the console's default data folder). The offline CLI takes this default
    too, and `--key-file` for any other place."""
    folder = data_dir if data_dir is not None else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return folder / SECRETS_KEY_FILE


# --- camera credentials --------------------------------------------------------------------


def vault_ref(camera_code: str) -> str:
    """The credential_ref of a camera whose login is stored in camera_credentials."""
    return f"{VAULT_REF_PREFIX}{camera_code}"


def set_camera_credentials(
    session: Session, box: SecretBox, camera_id: int, username: str, password: str, now: float | None = None
) -> None:
    """Store (or replace) a camera's login, encrypted, and mark the camera as having one
    (credential_ref "vault:<code>", so lists show "has credentials"); the caller commits."""
    camera = session.get(Camera, camera_id)
    if camera is None:
        raise SecretError(f"no camera with id {camera_id}")
    at = time.time() if now is None else now
    row = session.get(CameraCredential, camera_id)
    if row is None:
        row = CameraCredential(camera_id=camera_id)
        session.add(row)
    row.username_ct = box.encrypt(username)
    row.password_ct = box.encrypt(password)
    row.updated_at = at
    camera.credential_ref = vault_ref(camera.code)
    session.flush()


def camera_credentials(session: Session, box: SecretBox, camera_id: int) -> tuple[str, str] | None:
    """(username, password) of a camera, None when none are stored."""
    row = session.get(CameraCredential, camera_id)
    if row is None:
        return None
    return box.decrypt(row.username_ct), box.decrypt(row.password_ct)


def clear_camera_credentials(session: Session, camera_id: int) -> bool:
    """Forget a camera's login and its credential_ref; False when there was no login."""
    row = session.get(CameraCredential, camera_id)
    camera = session.get(Camera, camera_id)
    if camera is not None:
        camera.credential_ref = None
    if row is None:
        session.flush()
        return False
    session.delete(row)
    session.flush()
    return True


def list_camera_credentials(session: Session, box: SecretBox) -> list[tuple[str, str | None]]:
    """(camera code, user name) of every stored login, by code; the user name is None when it
    cannot be decrypted with *box*. Passwords are never listed."""
    rows = session.execute(
        select(Camera.code, CameraCredential.username_ct)
        .join(CameraCredential, CameraCredential.camera_id == Camera.id)
        .order_by(Camera.code)
    ).all()
    listed: list[tuple[str, str | None]] = []
    for code, username_ct in rows:
        try:
            listed.append((code, box.decrypt(username_ct)))
        except SecretError:
            listed.append((code, None))
    return listed


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
