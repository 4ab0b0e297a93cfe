"""Operator passwords: Argon2id hashes and the password policy (docs/access.md).

Production uses RFC 9106's second recommended profile (64 MiB, 3 passes, 4 lanes): strong enough
that a stolen `operators` table is expensive to attack, cheap enough for a login every few
seconds on the hub. Tests switch to cheaper parameters with `use_parameters`; a hash records its
own parameters, so `needs_rehash` upgrades old hashes at the next successful login.
"""

from __future__ import annotations

import secrets
import threading

from argon2 import Parameters, PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

PRODUCTION_PARAMETERS: Parameters = RFC_9106_LOW_MEMORY

MIN_LENGTH = 10
# Argon2 would hash a megabyte happily; a limit keeps a hostile login request cheap.
MAX_LENGTH = 256

_lock = threading.Lock()
_hasher = PasswordHasher.from_parameters(PRODUCTION_PARAMETERS)
_dummy_hash: str | None = None


def use_parameters(parameters: Parameters) -> None:
    """Hash new passwords with *parameters* (tests use cheap ones to stay fast)."""
    global _hasher, _dummy_hash
    if parameters.type is not Type.ID:
        raise ValueError("operator passwords are hashed with Argon2id only")
    with _lock:
        _hasher = PasswordHasher.from_parameters(parameters)
        _dummy_hash = None


def current_parameters() -> Parameters:
    with _lock:
        hasher = _hasher
    return Parameters(
        type=hasher.type,
        version=19,
        salt_len=hasher.salt_len,
        hash_len=hasher.hash_len,
        time_cost=hasher.time_cost,
        memory_cost=hasher.memory_cost,
        parallelism=hasher.parallelism,
    )


def _current() -> PasswordHasher:
    with _lock:
        return _hasher


def hash_password(password: str) -> str:
    return _current().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when *password* matches; False on a mismatch or an unusable hash, never raises."""
    try:
        return _current().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the current ones."""
    try:
        return _current().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def dummy_hash() -> str:
    """A hash of a random password, made with the current parameters.

    Verifying an unknown user's password against it makes "no such user" cost as much as "wrong
    password", so response times do not reveal which usernames exist.
    """
    global _dummy_hash
    with _lock:
        cached = _dummy_hash
    if cached is not None:
        return cached
    made = _current().hash(secrets.token_urlsafe(24))
    with _lock:
        _dummy_hash = made
    return made


def password_problem(password: str, username: str) -> str | None:
    """Why *password* is not acceptable for *username* (English), or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"the password must have at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"the password must have at most {MAX_LENGTH} characters"
    if username and username.casefold() in password.casefold():
        return "the password must not contain the user name"
    kinds = sum(
        (
            any(c.isalpha() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if kinds < 2:
        return "the password must mix at least two of letters, digits and other characters"
    return None
