"""The operators page: the table, and every change going to the hub (a fake hub, then the real one)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from console.access.operators_model import OperatorsModel, parse_operators
from console.access.operators_page import OperatorsPage
from services.access.demo_accounts import DEMO_ACCOUNTS
from services.db.records import DistrictRecord
from tests.console.access.fake_bridge import FakeBridge
from tests.console.access.live_hub import ADMIN, ADMIN_PASSWORD, log_in

pytestmark = pytest.mark.gui

DISTRICTS = [
    DistrictRecord(1, "370202", "市南区", "Shinan"),
    DistrictRecord(2, "370203", "市北区", "Shibei"),
]


def operator(username: str, **changes) -> dict:
    record = {
        "username": username,
        "display_name": f"name of {username}",
        "role": "operator",
        "district_code": "",
        "disabled": False,
        "locked_until": None,
        "failed_logins": 0,
        "must_change_password": False,
        "created_at": 1_700_000_000.0,
        "password_changed_at": None,
    }
    return {**record, **changes}


OPERATORS = [
    operator("admin", role="administrator", display_name="管理员"),
    operator("lina", role="district_viewer", district_code="370202", must_change_password=True),
    operator("locked_one", locked_until=time.time() + 600, failed_logins=5),
    operator("gone", disabled=True),
]


@pytest.fixture
def page(qtbot):
    bridge = FakeBridge()
    made = OperatorsPage(bridge)
    made.set_districts(DISTRICTS)
    made.resize(1200, 500)
    qtbot.addWidget(made)
    made.show()
    made.bridge = bridge  # type: ignore[attr-defined]
    made.refresh()
    bridge.answer("list_operators", {"operators": OPERATORS})
    yield made
    for dialog in (made.operator_dialog, made.password_dialog):
        if dialog is not None:
            dialog.close()
    made.close()


def cell(page: OperatorsPage, username: str, column: int) -> str:
    row = page.model.row_of(username)
    return page.model.data(page.model.index(row, column))


def test_the_table_shows_roles_districts_and_states_in_words(page):
    assert page.model.rowCount() == 4
    assert cell(page, "admin", 2) == "Administrator"
    assert cell(page, "lina", 2) == "District viewer"
    assert cell(page, "lina", 3) == "Shinan"  # the English name in an English interface
    assert cell(page, "admin", 3) == "—"
    assert cell(page, "admin", 4) == "Active"
    assert cell(page, "locked_one", 4).startswith("Locked until ")
    assert cell(page, "gone", 4) == "Disabled"
    assert cell(page, "lina", 5) == "Yes" and cell(page, "admin", 5) == ""
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]
    assert headers == ["User name", "Display name", "Role", "District", "State", "Must change password"]


def test_buttons_follow_the_selection(page):
    assert not page.edit_button.isEnabled() and not page.unlock_button.isEnabled()
    page.select_operator("locked_one")
    assert page.edit_button.isEnabled() and page.unlock_button.isEnabled()
    assert page.disable_button.text() == "Disable"
    page.select_operator("gone")
    assert page.disable_button.text() == "Enable" and not page.unlock_button.isEnabled()


def test_a_new_operator_goes_to_the_hub_and_the_list_is_reloaded(page, qtbot):
    bridge = page.bridge
    dialog = page.new_operator()
    qtbot.waitExposed(dialog)
    assert not dialog.district_combo.isEnabled()
    dialog.username_edit.setText("zhaolei")
    dialog.display_name_edit.setText("赵磊")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("district_viewer"))
    assert dialog.district_combo.isEnabled()
    dialog.password_edit.setText("Start-2026x")
    dialog.repeat_edit.setText("Start-2026x")
    dialog.accept()
    assert dialog.isVisible()  # a district viewer needs a district
    assert dialog.message_label.text() == "A district viewer needs a district."
    dialog.district_combo.setCurrentIndex(dialog.district_combo.findData("370203"))
    dialog.accept()
    sent = bridge.pending("create_operator")[0]
    assert sent.args == {
        "username": "zhaolei",
        "display_name": "赵磊",
        "role": "district_viewer",
        "district_code": "370203",
        "password": "Start-2026x",
    }
    bridge.answer("create_operator", {"operator": operator("zhaolei")})
    assert page.message_label.text() == "Operator zhaolei created."
    bridge.answer("list_operators", {"operators": [*OPERATORS, operator("zhaolei", role="district_viewer")]})
    assert page.model.rowCount() == 5
    assert page.selected_username() == "zhaolei"


def test_edit_sends_only_what_changed(page, qtbot):
    page.select_operator("lina")
    dialog = page.edit_selected()
    assert dialog is not None and dialog.username_edit.isReadOnly()
    assert dialog.district_combo.currentData() == "370202"
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("dispatcher"))
    dialog.accept()
    assert page.bridge.pending("update_operator")[0].args == {
        "username": "lina",
        "role": "dispatcher",
        "district_code": "",
    }


def test_disable_asks_first_and_enable_does_not(page):
    bridge = page.bridge
    page.select_operator("admin")
    page.confirm = lambda _title, _text: False
    assert not page.toggle_disabled_selected()
    assert not bridge.pending("update_operator")
    page.confirm = lambda _title, _text: True
    assert page.toggle_disabled_selected()
    assert bridge.pending("update_operator")[0].args == {"username": "admin", "disabled": True}
    bridge.answer("update_operator", ok=False, error_code="conflict", error="the last administrator")
    assert page.message_label.text() == (
        "The hub refused: This conflicts with the current state. (the last administrator)"
    )
    assert page.message_label.property("error") is True
    page.confirm = lambda _title, _text: pytest.fail("enabling must not ask")
    page.select_operator("gone")
    assert page.toggle_disabled_selected()
    assert bridge.pending("update_operator")[-1].args == {"username": "gone", "disabled": False}


def test_reset_password_and_unlock(page, qtbot):
    bridge = page.bridge
    page.select_operator("locked_one")
    dialog = page.reset_password_selected()
    dialog.password_edit.setText("Fresh-pass-9")
    dialog.repeat_edit.setText("Fresh-pass-9")
    dialog.accept()
    assert bridge.pending("reset_password")[0].args == {
        "username": "locked_one",
        "new_password": "Fresh-pass-9",
    }
    bridge.answer("reset_password", {"operator": operator("locked_one")})
    assert page.message_label.text() == "New password set for locked_one."
    bridge.answer("list_operators", {"operators": OPERATORS})
    assert page.unlock_selected()
    bridge.answer("unlock_operator", {"operator": operator("locked_one")})
    assert page.message_label.text() == "Operator locked_one unlocked."
    assert bridge.pending("list_operators")


def test_a_failed_list_is_shown(page):
    page.refresh()
    page.bridge.answer("list_operators", ok=False, error_code="forbidden", error="not allowed")
    assert page.message_label.text().startswith(
        "Could not load the operators: Your role does not allow this."
    )
    assert page.model.rowCount() == 4  # what was there stays


@pytest.mark.expect_log(r"left out an (unreadable )?operator record")
def test_an_unreadable_record_is_left_out_with_a_log_line(qapp, caplog):
    records = parse_operators([operator("ok"), {"username": "no_role"}, "junk"])
    assert [r.username for r in records] == ["ok"]
    assert "left out an unreadable operator record: operator no_role has no role" in caplog.text
    assert "left out an operator record that is not a mapping" in caplog.text
    model = OperatorsModel()
    model.set_operators(records)
    assert model.rowCount() == 1


# --- against the real hub -----------------------------------------------------------------------


def test_operators_page_lists_creates_and_unlocks_on_the_real_hub(qtbot, hub_bridge):
    log_in(qtbot, hub_bridge, ADMIN, ADMIN_PASSWORD)
    page = OperatorsPage(hub_bridge)
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == len(DEMO_ACCOUNTS), timeout=10_000)
    shinan = page.model.row_of("demo_shinan")
    assert page.model.data(page.model.index(shinan, 2)) == "District viewer"

    dialog = page.new_operator()
    dialog.username_edit.setText("zhaolei")
    dialog.display_name_edit.setText("赵磊")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("dispatcher"))
    dialog.password_edit.setText("Start-2026x")
    dialog.repeat_edit.setText("Start-2026x")
    dialog.accept()
    qtbot.waitUntil(lambda: page.model.row_of("zhaolei") >= 0, timeout=10_000)
    assert page.message_label.text() == "Operator zhaolei created."
    assert page.selected_username() == "zhaolei"
    row = page.model.row_of("zhaolei")
    assert page.model.data(page.model.index(row, 2)) == "Dispatcher"

    # A weak password is refused by the hub too (the dialog's own check bypassed).
    weak = page.new_operator()
    weak._check_password = lambda _u, _p: None
    weak.username_edit.setText("weakling")
    weak.display_name_edit.setText("弱")
    weak.password_edit.setText("abc")
    weak.repeat_edit.setText("abc")
    weak.accept()
    qtbot.waitUntil(lambda: page.message_label.property("error") is True, timeout=10_000)
    assert page.message_label.text().startswith("The hub refused: ")
    assert page.model.row_of("weakling") < 0
