"""The login dialog, the first administrator's dialog and the change of password (a fake hub, then
the real one)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QDialog

from console.access.current_operator import CurrentOperator
from console.access.login_dialog import ChangePasswordDialog, FirstAdministratorDialog, LoginDialog
from console.hub.bridge import HubReply
from services.access.demo_accounts import DEMO_ACCOUNTS
from tests.console.access.fake_bridge import FakeBridge
from tests.console.access.live_hub import ADMIN, submit_through

pytestmark = pytest.mark.gui

LOGIN_RESULT = {
    "username": "demo_admin",
    "display_name": "演示管理员",
    "role": "administrator",
    "district_code": "",
    "permissions": ["view", "manage_operators"],
    "session_token": "t",
    "session_expires_at": 0,
    "idle_lock_s": 600,
    "must_change_password": False,
}


class FakeLogin:
    """The `submit` the dialog is given: keeps each attempt's callback for the test to answer."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, str]] = []
        self._callbacks: list = []

    def __call__(self, username, password, on_reply) -> None:
        self.attempts.append((username, password))
        self._callbacks.append(on_reply)

    def reply(self, ok: bool, result=None, error_code: str = "", error: str = "") -> None:
        self._callbacks.pop(0)(HubReply(1, "login", ok, dict(result or {}), error_code, error))


@pytest.fixture
def submit():
    return FakeLogin()


@pytest.fixture
def make_dialog(qtbot, submit):
    made: list[QDialog] = []

    def make(**kwargs) -> LoginDialog:
        dialog = LoginDialog(submit, **kwargs)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.close()


def test_a_good_login_is_busy_until_the_hub_answers_then_emits_the_result(make_dialog, submit, qtbot):
    dialog = make_dialog()
    qtbot.keyClicks(dialog.username_edit, "demo_admin")
    qtbot.keyClicks(dialog.password_edit, "demo-admin-2026")
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert submit.attempts == [("demo_admin", "demo-admin-2026")]
    assert dialog.is_busy
    assert not dialog.login_button.isEnabled() and not dialog.password_edit.isEnabled()
    assert dialog.login_button.text() == "Logging in…"
    assert not dialog.try_login()  # a second click while busy sends nothing
    with qtbot.waitSignal(dialog.loggedIn, timeout=1000) as got:
        submit.reply(True, LOGIN_RESULT)
    assert got.args[0]["username"] == "demo_admin"
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert dialog.password_edit.text() == ""


def test_enter_in_the_password_field_logs_in(make_dialog, submit, qtbot):
    dialog = make_dialog(username="wangwei")
    assert dialog.username_edit.text() == "wangwei"
    qtbot.keyClicks(dialog.password_edit, "secret-123")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert submit.attempts == [("wangwei", "secret-123")]


def test_a_wrong_password_says_so_and_clears_the_password(make_dialog, submit, qtbot):
    dialog = make_dialog()
    dialog.username_edit.setText("demo_admin")
    dialog.password_edit.setText("wrong")
    assert dialog.try_login()
    submit.reply(False, error_code="unauthorized", error="wrong user name or password")
    assert dialog.message_label.text() == "Wrong user name or password."
    assert dialog.message_label.property("error") is True
    assert dialog.password_edit.text() == "" and dialog.password_edit.isEnabled()
    assert dialog.isVisible() and not dialog.is_busy


def test_a_locked_account_shows_until_when(make_dialog, submit):
    dialog = make_dialog()
    dialog.username_edit.setText("demo_admin")
    dialog.password_edit.setText("x")
    dialog.try_login()
    until = time.time() + 900
    submit.reply(False, {"locked_until": until}, error_code="locked", error="locked")
    clock = QDateTime.fromSecsSinceEpoch(int(until)).toString("HH:mm")
    assert "locked until" in dialog.message_label.text()
    assert clock in dialog.message_label.text()


def test_a_disabled_account_and_an_unknown_error(make_dialog, submit):
    dialog = make_dialog()
    dialog.username_edit.setText("old_hand")
    dialog.password_edit.setText("x")
    dialog.try_login()
    submit.reply(False, error_code="forbidden", error="this operator account is disabled")
    assert dialog.message_label.text() == "This account is disabled. Ask an administrator."
    dialog.password_edit.setText("x")
    dialog.try_login()
    submit.reply(False, error_code="malformed", error="username: expected str")
    assert dialog.message_label.text() == "username: expected str"  # the hub's own words


def test_without_the_hub_the_login_waits_and_is_retried_when_it_connects(make_dialog, submit):
    dialog = make_dialog(hub_connected=False)
    assert dialog.message_label.text() == "Waiting for the hub to connect…"
    dialog.username_edit.setText("demo_admin")
    dialog.password_edit.setText("demo-admin-2026")
    dialog.try_login()
    submit.reply(False, error_code="not_connected", error="not connected to the hub")
    assert "retried as soon as it connects" in dialog.message_label.text()
    assert dialog.password_edit.text() == "demo-admin-2026"  # kept for the retry
    dialog.set_hub_connected(True, "connected")
    assert submit.attempts == [("demo_admin", "demo-admin-2026")] * 2
    assert dialog.is_busy


def test_empty_fields_are_not_sent(make_dialog, submit):
    dialog = make_dialog()
    assert not dialog.try_login()
    assert submit.attempts == []
    assert dialog.message_label.text() == "Enter your user name and password."


def test_a_late_answer_after_cancel_logs_nobody_in(make_dialog, submit, qtbot):
    dialog = make_dialog()
    dialog.username_edit.setText("demo_admin")
    dialog.password_edit.setText("demo-admin-2026")
    dialog.try_login()
    dialog.reject()
    with qtbot.assertNotEmitted(dialog.loggedIn):
        submit.reply(True, LOGIN_RESULT)


def test_demo_mode_lists_the_demo_accounts_and_a_click_fills_the_fields(make_dialog, qtbot):
    dialog = make_dialog(demo_accounts=DEMO_ACCOUNTS)
    table = dialog.demo_table
    assert table.isVisible() and table.rowCount() == len(DEMO_ACCOUNTS)
    roles = [table.item(row, 1).text() for row in range(table.rowCount())]
    assert "Administrator" in roles and "District viewer" in roles
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "demo_dispatcher")
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.username_edit.text() == "demo_dispatcher"
    assert dialog.password_edit.text() == "demo-dispatch-2026"
    # Every row is visible without scrolling.
    assert table.visualItemRect(table.item(table.rowCount() - 1, 2)).bottom() <= table.viewport().height()


def test_without_demo_accounts_there_is_no_demo_table(make_dialog):
    dialog = make_dialog()
    assert not dialog.demo_table.isVisible()
    assert dialog.title_label.text() == "SafeCampus Command Centre"
    image = dialog.grab().toImage()
    assert image.width() >= 460


@pytest.fixture
def first_admin(qtbot):
    dialog = FirstAdministratorDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog
    dialog.close()


def test_first_administrator_explains_the_rule_and_refuses_a_weak_password(first_admin, qtbot):
    assert "At least 10 characters" in first_admin.policy_label.text()
    first_admin.username_edit.setText("admin")
    first_admin.display_name_edit.setText("管理员")
    first_admin.password_edit.setText("short1")
    first_admin.repeat_edit.setText("short1")
    with qtbot.assertNotEmitted(first_admin.created):
        assert not first_admin.try_create()
    assert "shorter than 10" in first_admin.message_label.text()
    first_admin.password_edit.setText("long-enough-1")
    first_admin.repeat_edit.setText("long-enough-2")
    assert not first_admin.try_create()
    assert first_admin.message_label.text() == "The two passwords differ."
    first_admin.password_edit.setText("onlyletterslong")
    first_admin.repeat_edit.setText("onlyletterslong")
    assert not first_admin.try_create()
    assert "at least two of" in first_admin.message_label.text()


def test_first_administrator_emits_the_account(first_admin, qtbot):
    first_admin.username_edit.setText("chief")
    first_admin.display_name_edit.setText("张主任")
    first_admin.password_edit.setText("Qingdao-2026")
    first_admin.repeat_edit.setText("Qingdao-2026")
    with qtbot.waitSignal(first_admin.created, timeout=1000) as got:
        assert first_admin.try_create()
    assert got.args == ["chief", "张主任", "Qingdao-2026"]
    assert first_admin.result() == QDialog.DialogCode.Accepted


def test_change_password_sends_old_and_new_and_shows_a_wrong_old_one(qtbot):
    bridge = FakeBridge()
    dialog = ChangePasswordDialog(bridge.request, "wangwei")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.old_edit.setText("old-pass-1")
    dialog.new_edit.setText("new-pass-22")
    dialog.repeat_edit.setText("new-pass-22")
    assert dialog.try_change()
    assert bridge.sent[0].args == {"old_password": "old-pass-1", "new_password": "new-pass-22"}
    bridge.answer("change_password", ok=False, error_code="unauthorized", error="wrong password")
    assert dialog.message_label.text() == "The current password is wrong."
    assert dialog.try_change()
    with qtbot.waitSignal(dialog.passwordChanged, timeout=1000):
        bridge.answer("change_password", {})
    assert not dialog.isVisible()
    dialog.set_required(True)
    assert dialog.cancel_button.isHidden()


# --- against the real hub -----------------------------------------------------------------------


@pytest.fixture
def login_dialog(qtbot, hub_bridge):
    dialog = LoginDialog(submit_through(hub_bridge), demo_accounts=DEMO_ACCOUNTS)
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog
    dialog.close()


def test_a_demo_account_logs_in_and_fills_the_current_operator(login_dialog, qtbot):
    login_dialog.use_demo_account(0)
    current = CurrentOperator()
    login_dialog.loggedIn.connect(current.set_from_login)
    with qtbot.waitSignal(login_dialog.loggedIn, timeout=10_000):
        assert login_dialog.try_login()
    assert login_dialog.result() == QDialog.DialogCode.Accepted
    assert current.username == ADMIN and current.role == "administrator"
    assert current.may("manage_operators") and current.may("read_audit")
    assert current.session_token and current.idle_lock_s > 0


def test_a_wrong_password_then_the_lockout(login_dialog, qtbot):
    login_dialog.username_edit.setText("demo_operator")
    for _ in range(5):
        login_dialog.password_edit.setText("not-the-password-1")
        assert login_dialog.try_login()
        qtbot.waitUntil(lambda: not login_dialog.is_busy, timeout=10_000)
        text = login_dialog.message_label.text()
        if "locked" in text:
            break
        assert text == "Wrong user name or password."
    else:
        login_dialog.password_edit.setText("demo-operator-2026")
        assert login_dialog.try_login()
        qtbot.waitUntil(lambda: not login_dialog.is_busy, timeout=10_000)
        text = login_dialog.message_label.text()
    # Even the right password is refused now, with the time the lock ends.
    assert text.startswith("Too many failed attempts: this account is locked until ")
    assert login_dialog.isVisible()
