"""Operator accounts: creation rules, login with lockout, password changes, the last administrator."""

from __future__ import annotations

import pytest
from argon2 import Parameters, Type
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import accounts, passwords
from services.access.accounts import (
    LOCKOUT_S,
    LOCKOUT_THRESHOLD,
    AccountError,
    authenticate,
    change_password,
    count_operators,
    create_first_administrator,
    create_operator,
    get_operator,
    list_operators,
    reset_password,
    unlock,
    update_operator,
)
from services.access.roles import Role
from services.db.access_models import Operator
from services.db.models import District

T0 = 1_800_000_000.0
PW = "Qingdao-2026-safe"


def _make(session, username="alice", role=Role.OPERATOR, district=None, password=PW, **kw):
    return create_operator(
        session, username, f"{username} 显示名", role, password, district_code=district, now=T0, **kw
    )


def _code(excinfo) -> str:
    return excinfo.value.code


def test_created_operator_is_listed_and_counted(session):
    info = _make(session, "alice")
    _make(session, "bob", Role.DISPATCHER)
    session.commit()
    assert info.username == "alice"
    assert info.role is Role.OPERATOR
    assert info.created_at == info.password_changed_at == T0
    assert info.failed_logins == 0 and not info.disabled and info.locked_until is None
    assert [i.username for i in list_operators(session)] == ["alice", "bob"]
    assert count_operators(session) == 2
    assert get_operator(session, "bob").role is Role.DISPATCHER
    assert get_operator(session, "nobody") is None
    data = info.to_json()
    assert data["role"] == "operator" and data["display_name"] == "alice 显示名"
    assert "password_hash" not in data and not any("argon2" in str(v) for v in data.values())
    stored = session.scalars(select(Operator.password_hash).where(Operator.username == "alice")).one()
    assert stored.startswith("$argon2id$") and PW not in stored


@pytest.mark.parametrize("username", ["A", "a", "1abc", "Alice", "al ice", "x" * 33, "ali@ce", ""])
def test_bad_usernames_are_refused(session, username):
    with pytest.raises(AccountError) as excinfo:
        _make(session, username)
    assert _code(excinfo) == "invalid"


def test_a_second_operator_of_the_same_name_is_refused(session):
    _make(session, "alice")
    with pytest.raises(AccountError) as excinfo:
        _make(session, "alice", Role.DISPATCHER)
    assert _code(excinfo) == "exists"


def test_weak_password_and_bad_role_are_refused(session):
    with pytest.raises(AccountError) as excinfo:
        _make(session, "alice", password="alice12345678")
    assert _code(excinfo) == "weak_password"
    assert "user name" in str(excinfo.value)
    with pytest.raises(AccountError) as excinfo:
        create_operator(session, "carol", "Carol", "superuser", PW)
    assert _code(excinfo) == "invalid"
    with pytest.raises(AccountError) as excinfo:
        create_operator(session, "carol", "   ", Role.OPERATOR, PW)
    assert _code(excinfo) == "invalid"
    assert count_operators(session) == 0


def test_a_district_belongs_to_district_viewers_only(session):
    with pytest.raises(AccountError, match="needs a district"):
        _make(session, "viewer", Role.DISTRICT_VIEWER)
    with pytest.raises(AccountError, match="only a district_viewer"):
        _make(session, "alice", Role.OPERATOR, district="370202")
    with pytest.raises(AccountError, match="six-digit"):
        _make(session, "viewer", Role.DISTRICT_VIEWER, district="shinan")
    # No districts loaded yet: any well-formed adcode is taken.
    assert _make(session, "viewer", Role.DISTRICT_VIEWER, district="370202").district_code == "370202"
    assert (
        create_operator(session, "viewer2", "V", "district_viewer", PW, "370203").role is Role.DISTRICT_VIEWER
    )


def test_once_districts_are_loaded_an_unknown_adcode_is_refused(session):
    session.add(District(adcode="370202", name="市南区", name_en="Shinan"))
    session.flush()
    with pytest.raises(AccountError, match="no district with adcode 370299"):
        _make(session, "viewer", Role.DISTRICT_VIEWER, district="370299")
    assert _make(session, "viewer", Role.DISTRICT_VIEWER, district="370202").district_code == "370202"


def test_first_administrator_only_on_an_empty_table(session):
    info = create_first_administrator(session, "root", "管理员", PW, now=T0)
    assert info.role is Role.ADMINISTRATOR
    with pytest.raises(AccountError) as excinfo:
        create_first_administrator(session, "root2", "Another", PW)
    assert _code(excinfo) == "exists"


# --- logging in ----------------------------------------------------------------------------


def test_right_password_logs_in(session):
    _make(session, "alice")
    result = authenticate(session, "alice", PW, now=T0 + 1)
    assert result.ok and result.failure == "" and result.operator.username == "alice"
    assert authenticate(session, " Alice ", PW, now=T0 + 2).ok  # names are case-insensitive


def test_unknown_user_and_wrong_password_look_the_same(session, monkeypatch):
    _make(session, "alice")
    verified: list[str] = []
    real = passwords.verify_password

    def counting(password_hash, password):
        verified.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting)
    wrong = authenticate(session, "alice", "wrong-password-1", now=T0)
    unknown = authenticate(session, "mallory", "wrong-password-1", now=T0)
    assert wrong == unknown
    assert wrong.failure == "bad_credentials" and wrong.operator is None and wrong.locked_until is None
    # Both paths pay for one full Argon2 verification, so timing does not tell them apart.
    assert len(verified) == 2
    assert verified[1] == passwords.dummy_hash()


def test_five_failures_lock_the_account_until_unlocked(engine):
    with Session(engine) as s:
        _make(s, "alice")
        s.commit()
    for attempt in range(1, LOCKOUT_THRESHOLD):
        with Session(engine) as s:
            result = authenticate(s, "alice", f"wrong-{attempt}-xyz", now=T0 + attempt)
            s.commit()  # a failed login is committed too
        assert result.failure == "bad_credentials"
        with Session(engine) as s:
            assert get_operator(s, "alice").failed_logins == attempt
    with Session(engine) as s:
        locked = authenticate(s, "alice", "wrong-5-xyz", now=T0 + 10)
        s.commit()
    assert locked.failure == "locked" and locked.locked_until == T0 + 10 + LOCKOUT_S
    with Session(engine) as s:
        # Even the right password is refused while the lock lasts.
        again = authenticate(s, "alice", PW, now=T0 + 20)
        s.commit()
        assert again.failure == "locked" and not again.ok
        info = get_operator(s, "alice")
        assert info.is_locked(T0 + 20) and info.failed_logins == LOCKOUT_THRESHOLD
        unlocked = unlock(s, "alice", now=T0 + 30)
        s.commit()
    assert unlocked.locked_until is None and unlocked.failed_logins == 0
    with Session(engine) as s:
        assert authenticate(s, "alice", PW, now=T0 + 31).ok


def test_the_lock_runs_out_by_itself(session):
    _make(session, "alice")
    for i in range(LOCKOUT_THRESHOLD):
        authenticate(session, "alice", "nope-nope-1", now=T0 + i)
    until = get_operator(session, "alice").locked_until
    assert until == T0 + LOCKOUT_THRESHOLD - 1 + LOCKOUT_S
    assert authenticate(session, "alice", PW, now=until - 1).failure == "locked"
    ok = authenticate(session, "alice", PW, now=until)
    assert ok.ok and ok.operator.failed_logins == 0 and ok.operator.locked_until is None


def test_success_resets_the_failure_count(session):
    _make(session, "alice")
    for i in range(LOCKOUT_THRESHOLD - 1):
        authenticate(session, "alice", "nope-nope-1", now=T0 + i)
    assert authenticate(session, "alice", PW, now=T0 + 10).operator.failed_logins == 0
    assert authenticate(session, "alice", "nope-nope-1", now=T0 + 11).failure == "bad_credentials"


def test_a_disabled_account_says_so_only_to_the_right_password(session):
    _make(session, "alice")
    _make(session, "root", Role.ADMINISTRATOR)
    update_operator(session, "alice", disabled=True, now=T0)
    assert authenticate(session, "alice", "wrong-password-1", now=T0).failure == "bad_credentials"
    disabled = authenticate(session, "alice", PW, now=T0)
    assert disabled.failure == "disabled" and not disabled.ok and disabled.operator is None


def test_login_rehashes_an_old_hash(session):
    before = passwords.current_parameters()
    try:
        _make(session, "alice")
        old = session.scalars(select(Operator.password_hash)).one()
        passwords.use_parameters(
            Parameters(
                type=Type.ID, version=19, salt_len=16, hash_len=32, time_cost=2, memory_cost=64, parallelism=1
            )
        )
        assert authenticate(session, "alice", PW, now=T0).ok
        new = session.scalars(select(Operator.password_hash)).one()
        assert new != old and "$m=64,t=2,p=1$" in new
        assert authenticate(session, "alice", PW, now=T0).ok
    finally:
        passwords.use_parameters(before)


# --- passwords -----------------------------------------------------------------------------


def test_change_password_needs_the_current_one(session):
    _make(session, "alice", must_change_password=True)
    with pytest.raises(AccountError) as excinfo:
        change_password(session, "alice", "not-the-password-1", "Another-pass-99")
    assert _code(excinfo) == "invalid"
    with pytest.raises(AccountError) as excinfo:
        change_password(session, "alice", PW, PW)
    assert _code(excinfo) == "weak_password"
    with pytest.raises(AccountError) as excinfo:
        change_password(session, "alice", PW, "short")
    assert _code(excinfo) == "weak_password"
    info = change_password(session, "alice", PW, "Another-pass-99", now=T0 + 5)
    assert info.password_changed_at == T0 + 5 and not info.must_change_password
    assert not authenticate(session, "alice", PW, now=T0 + 6).ok
    assert authenticate(session, "alice", "Another-pass-99", now=T0 + 7).ok
    with pytest.raises(AccountError) as excinfo:
        change_password(session, "ghost", PW, "Another-pass-99")
    assert _code(excinfo) == "not_found"


def test_reset_password_unlocks_and_asks_for_a_change(session):
    _make(session, "alice")
    for i in range(LOCKOUT_THRESHOLD):
        authenticate(session, "alice", "nope-nope-1", now=T0 + i)
    info = reset_password(session, "alice", "Temporary-pass-1", now=T0 + 100)
    assert info.must_change_password and info.locked_until is None and info.failed_logins == 0
    assert authenticate(session, "alice", "Temporary-pass-1", now=T0 + 101).ok
    assert not reset_password(session, "alice", "Temporary-pass-2", must_change=False).must_change_password
    with pytest.raises(AccountError) as excinfo:
        reset_password(session, "alice", "weak")
    assert _code(excinfo) == "weak_password"


# --- updates and the last administrator ----------------------------------------------------


def test_the_last_enabled_administrator_stays(session):
    _make(session, "root", Role.ADMINISTRATOR)
    for change in ({"role": Role.OPERATOR}, {"disabled": True}):
        with pytest.raises(AccountError) as excinfo:
            update_operator(session, "root", **change)
        assert _code(excinfo) == "last_administrator"
    _make(session, "root2", Role.ADMINISTRATOR)
    assert update_operator(session, "root", disabled=True).disabled
    # root2 is now the only enabled administrator.
    with pytest.raises(AccountError) as excinfo:
        update_operator(session, "root2", role="dispatcher")
    assert _code(excinfo) == "last_administrator"
    assert update_operator(session, "root", disabled=False).role is Role.ADMINISTRATOR
    assert update_operator(session, "root2", role="dispatcher").role is Role.DISPATCHER


def test_update_changes_only_what_is_given(session):
    _make(session, "alice")
    info = update_operator(session, "alice", display_name="  爱丽丝  ", now=T0 + 1)
    assert info.display_name == "爱丽丝" and info.role is Role.OPERATOR
    viewer = update_operator(session, "alice", role=Role.DISTRICT_VIEWER, district_code="370202")
    assert viewer.district_code == "370202"
    assert update_operator(session, "alice", display_name="Alice").district_code == "370202"
    # Leaving the viewer role drops the district unless one is given (which is refused).
    with pytest.raises(AccountError, match="only a district_viewer"):
        update_operator(session, "alice", role=Role.OPERATOR, district_code="370202")
    back = update_operator(session, "alice", role=Role.OPERATOR)
    assert back.district_code is None
    with pytest.raises(AccountError, match="needs a district"):
        update_operator(session, "alice", role=Role.DISTRICT_VIEWER)
    with pytest.raises(AccountError) as excinfo:
        update_operator(session, "ghost", disabled=True)
    assert _code(excinfo) == "not_found"
