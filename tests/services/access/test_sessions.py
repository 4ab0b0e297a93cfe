"""Login sessions: tokens stored only as hashes, expiry, logout, and ending on disable or reset."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.access.accounts import (
    LOCKOUT_THRESHOLD,
    SESSION_TTL_S,
    AccountError,
    authenticate,
    close_session,
    close_sessions_of,
    create_operator,
    open_session,
    reset_password,
    resume_session,
    update_operator,
)
from services.access.roles import Role
from services.db.access_models import OperatorSession

T0 = 1_800_000_000.0
PW = "Qingdao-2026-safe"


def _operator(session, username="alice", role=Role.OPERATOR):
    return create_operator(session, username, username, role, PW, now=T0)


def test_a_session_resumes_until_it_expires(session):
    _operator(session)
    token, expires_at = open_session(session, "alice", "desk-1", now=T0)
    assert expires_at == T0 + SESSION_TTL_S
    assert len(token) >= 40
    assert resume_session(session, token, now=T0 + 60).username == "alice"
    assert resume_session(session, token, now=expires_at - 1) is not None
    assert resume_session(session, token, now=expires_at) is None
    assert resume_session(session, token + "x", now=T0) is None
    assert resume_session(session, "", now=T0) is None


def test_each_login_gets_its_own_token(session):
    _operator(session)
    first, _ = open_session(session, "alice", "desk-1", now=T0)
    second, _ = open_session(session, "alice", "desk-2", now=T0, ttl_s=60)
    assert first != second
    close_session(session, first, now=T0 + 1)
    assert resume_session(session, first, now=T0 + 2) is None
    assert resume_session(session, second, now=T0 + 2) is not None
    close_session(session, first, now=T0 + 3)  # twice is fine
    close_session(session, "unknown-token", now=T0 + 3)
    closed_at = session.scalars(
        select(OperatorSession.closed_at).where(OperatorSession.console == "desk-1")
    ).one()
    assert closed_at == T0 + 1


def test_the_token_itself_is_never_stored(engine, database_url):
    with Session(engine) as s:
        _operator(s)
        token, _ = open_session(s, "alice", "desk-1", now=T0)
        s.commit()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM operator_sessions")).all()
    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0])
    assert hashlib.sha256(token.encode()).hexdigest() in [str(v) for v in rows[0]]
    if database_url.startswith("sqlite"):
        # Nor anywhere in the database files (the WAL included).
        path = Path(database_url.removeprefix("sqlite:///"))
        blobs = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert token.encode() not in blobs
        assert hashlib.sha256(token.encode()).hexdigest().encode() in blobs


def test_disable_lock_and_reset_end_sessions(session):
    _operator(session, "alice")
    _operator(session, "root", Role.ADMINISTRATOR)
    token, _ = open_session(session, "alice", "desk-1", now=T0)
    for i in range(LOCKOUT_THRESHOLD):
        authenticate(session, "alice", "wrong-password-1", now=T0 + i)
    assert resume_session(session, token, now=T0 + 10) is None  # locked
    assert resume_session(session, token, now=T0 + 10_000) is not None  # the lock ran out

    update_operator(session, "alice", disabled=True, now=T0 + 10_001)
    assert resume_session(session, token, now=T0 + 10_002) is None
    update_operator(session, "alice", disabled=False, now=T0 + 10_003)
    # Disabling closed the session for good.
    assert resume_session(session, token, now=T0 + 10_004) is None

    token2, _ = open_session(session, "alice", "desk-1", now=T0 + 20_000)
    reset_password(session, "alice", "Brand-new-pass-1", now=T0 + 20_001)
    assert resume_session(session, token2, now=T0 + 20_002) is None


def test_close_sessions_of_counts_the_open_ones(session):
    _operator(session)
    tokens = [open_session(session, "alice", f"desk-{i}", now=T0)[0] for i in range(3)]
    open_session(session, "alice", "desk-old", now=T0 - SESSION_TTL_S - 1)  # already expired
    close_session(session, tokens[0], now=T0 + 1)
    assert close_sessions_of(session, "alice", now=T0 + 2) == 2
    assert all(resume_session(session, t, now=T0 + 3) is None for t in tokens)
    assert close_sessions_of(session, "alice", now=T0 + 4) == 0


def test_no_session_for_unknown_or_disabled_operators(session):
    _operator(session, "alice")
    _operator(session, "root", Role.ADMINISTRATOR)
    with pytest.raises(AccountError) as unknown:
        open_session(session, "ghost", "desk", now=T0)
    assert unknown.value.code == "not_found"
    update_operator(session, "alice", disabled=True)
    with pytest.raises(AccountError) as disabled:
        open_session(session, "alice", "desk", now=T0)
    assert disabled.value.code == "invalid"
    with pytest.raises(AccountError, match="positive lifetime"):
        open_session(session, "root", "desk", now=T0, ttl_s=0)
