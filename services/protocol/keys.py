"""CurveZMQ key pairs on disk: public keys shared freely, secret keys in files only their owner reads."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import zmq


@dataclass(frozen=True, slots=True)
class KeyPair:
    public: bytes  # Z85, 40 bytes
    secret: bytes  # Z85, 40 bytes


class KeyFileError(RuntimeError):
    """A key file is missing, unreadable, malformed or readable by others."""


def generate() -> KeyPair:
    public, secret = zmq.curve_keypair()
    return KeyPair(public=public, secret=secret)


def save(pair: KeyPair, secret_path: Path) -> Path:
    """Write the secret key (mode 0600, created that way, never widened) and `<name>.pub` beside it."""
    secret_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pair.secret + b"\n")
    os.chmod(secret_path, 0o600)
    public_path = secret_path.with_suffix(".pub")
    public_path.write_bytes(pair.public + b"\n")
    return public_path


def load(secret_path: Path) -> KeyPair:
    """Read a key pair written by `save`; refuses a secret key file others can read."""
    try:
        mode = secret_path.stat().st_mode & 0o777
        secret = secret_path.read_bytes().strip()
    except OSError as exc:
        raise KeyFileError(f"cannot read secret key {secret_path}: {exc.strerror}") from exc
    if mode & 0o077:
        raise KeyFileError(f"secret key {secret_path} is readable by others (mode {mode:o}); chmod 600 it")
    if len(secret) != 40:
        raise KeyFileError(f"secret key {secret_path} is not a 40-character Z85 CURVE key")
    try:
        public = zmq.curve_public(secret)
    except zmq.ZMQError as exc:
        raise KeyFileError(f"secret key {secret_path} is not valid Z85: {exc}") from exc
    return KeyPair(public=public, secret=secret)


def load_or_create(secret_path: Path) -> KeyPair:
    if secret_path.exists():
        return load(secret_path)
    pair = generate()
    save(pair, secret_path)
    return pair


def read_public(path: Path) -> bytes:
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise KeyFileError(f"cannot read public key {path}: {exc.strerror}") from exc
    if len(key) != 40:
        raise KeyFileError(f"public key {path} is not a 40-character Z85 CURVE key")
    return key
