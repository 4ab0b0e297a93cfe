"""Argon2id hashes and the password policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import Parameters, Type
from argon2.profiles import CHEAPEST

from services.access import passwords
from services.access.passwords import (
    PRODUCTION_PARAMETERS,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)


@pytest.fixture
def restore_parameters() -> Iterator[None]:
    before = passwords.current_parameters()
    yield
    passwords.use_parameters(before)


def test_a_hash_verifies_its_password_and_no_other():
    hashed = hash_password("correct horse 42")
    assert hashed.startswith("$argon2id$")
    assert "correct horse 42" not in hashed
    assert verify_password(hashed, "correct horse 42")
    assert not verify_password(hashed, "correct horse 43")
    assert not verify_password(hashed, "")


def test_two_hashes_of_one_password_differ_by_their_salt():
    assert hash_password("same-password-1") != hash_password("same-password-1")


@pytest.mark.parametrize("broken", ["", "not a hash", "$argon2id$v=19$m=8,t=1,p=1$garbage", "$2b$12$abc"])
def test_verify_never_raises_on_an_unusable_hash(broken):
    assert verify_password(broken, "whatever-1234") is False


def test_production_uses_rfc_9106_low_memory(restore_parameters):
    assert PRODUCTION_PARAMETERS.type is Type.ID
    assert PRODUCTION_PARAMETERS.memory_cost == 65536
    assert PRODUCTION_PARAMETERS.time_cost == 3
    passwords.use_parameters(PRODUCTION_PARAMETERS)
    assert "$m=65536,t=3,p=4$" in hash_password("production-cost-1")


def test_a_hash_with_other_parameters_needs_rehash(restore_parameters):
    passwords.use_parameters(CHEAPEST)
    cheap = hash_password("rehash-me-123")
    assert not needs_rehash(cheap)
    stronger = Parameters(
        type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=2, memory_cost=64, parallelism=1
    )
    passwords.use_parameters(stronger)
    assert needs_rehash(cheap)
    assert verify_password(cheap, "rehash-me-123")  # old hashes keep working
    assert needs_rehash("garbage")


def test_only_argon2id_is_accepted_as_parameters():
    argon2i = Parameters(
        type=Type.I, version=19, salt_len=16, hash_len=32, time_cost=1, memory_cost=8, parallelism=1
    )
    with pytest.raises(ValueError, match="Argon2id"):
        passwords.use_parameters(argon2i)


def test_the_dummy_hash_follows_the_parameters(restore_parameters):
    first = passwords.dummy_hash()
    assert first == passwords.dummy_hash()
    passwords.use_parameters(
        Parameters(
            type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=2, memory_cost=64, parallelism=1
        )
    )
    assert passwords.dummy_hash() != first
    assert "$m=64,t=2,p=1$" in passwords.dummy_hash()


@pytest.mark.parametrize(
    ("password", "username", "reason"),
    [
        ("short1!", "alice", "at least 10 characters"),
        ("alice-2026-secret", "alice", "must not contain the user name"),
        ("ALICE-2026-secret", "alice", "must not contain the user name"),
        ("onlyletterslong", "bob", "at least two of"),
        ("1234567890123", "bob", "at least two of"),
        ("x" * 257 + "1", "bob", "at most 256"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, username, reason):
    problem = password_problem(password, username)
    assert problem is not None and reason in problem


@pytest.mark.parametrize(
    "password", ["letters-and-dashes", "letters1234digits", "12345-67890", "平安校园指挥中心2026"]
)
def test_good_passwords_pass(password):
    assert password_problem(password, "operator7") is None
