"""Who is logged in, and what the console lets them see."""

from __future__ import annotations

import pytest

from console.access.current_operator import DEFAULT_IDLE_LOCK_S, CurrentOperator, LoginResultError

pytestmark = pytest.mark.gui

LOGIN = {
    "username": "wangwei",
    "display_name": "王伟",
    "role": "dispatcher",
    "district_code": "",
    "permissions": ["view", "broadcast_emergency", "city_wide"],
    "session_token": "tok-1",
    "session_expires_at": 1_900_000_000,
    "idle_lock_s": 300,
    "must_change_password": True,
}


def test_a_login_result_fills_the_operator_and_answers_may(qapp, qtbot):
    current = CurrentOperator()
    assert not current.is_logged_in and not current.may("view")
    with qtbot.waitSignal(current.changed, timeout=1000):
        current.set_from_login(LOGIN)
    assert current.is_logged_in
    assert (current.username, current.display_name, current.role) == ("wangwei", "王伟", "dispatcher")
    assert current.permissions == frozenset({"view", "broadcast_emergency", "city_wide"})
    assert current.may("city_wide") and not current.may("manage_operators")
    assert current.session_token == "tok-1" and current.idle_lock_s == 300
    assert current.must_change_password and current.name_for_display == "王伟"
    current.password_changed()
    assert not current.must_change_password


def test_clear_logs_out_once(qapp, qtbot):
    current = CurrentOperator()
    current.set_from_login({**LOGIN, "district_code": "370202", "idle_lock_s": 0})
    assert current.district_code == "370202"
    assert current.idle_lock_s == DEFAULT_IDLE_LOCK_S  # "0" never switches the lock off
    events: list[str] = []
    current.loggedOut.connect(lambda: events.append("loggedOut"))
    current.changed.connect(lambda: events.append("changed"))
    current.clear()
    current.clear()  # nobody left to log out: no second signal
    assert events == ["loggedOut", "changed"]
    assert not current.is_logged_in and current.permissions == frozenset() and current.session_token == ""


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"username": ""}, "no user name"),
        ({"role": None}, "has no role"),
        ({"permissions": "view"}, "unreadable permissions"),
    ],
)
@pytest.mark.expect_log(r"the hub's login result")
def test_an_unusable_login_result_is_refused_and_logged(qapp, caplog, broken, message):
    current = CurrentOperator()
    with pytest.raises(LoginResultError, match=message):
        current.set_from_login({**LOGIN, **broken})
    assert not current.is_logged_in
    assert "the hub's login result" in caplog.text
