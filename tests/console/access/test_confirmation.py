"""The second confirmation of city-wide emergency and drill actions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from console.access.confirmation import (
    CONFIRM_WORD,
    CityWideConfirmationDialog,
    confirm_city_wide,
    send_confirmed,
)
from tests.console.access.fake_bridge import FakeBridge

pytestmark = pytest.mark.gui


@pytest.fixture
def dialog(qtbot):
    made = CityWideConfirmationDialog("Emergency broadcast: evacuate", 3712)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    yield made
    made.close()


def test_confirm_enables_only_after_the_number_of_schools_is_typed(dialog, qtbot):
    assert "Emergency broadcast: evacuate" in dialog.action_label.text()
    assert QLocale().toString(3712) in dialog.schools_label.text()
    assert not dialog.confirm_button.isEnabled()
    qtbot.keyClicks(dialog.answer_edit, "3711")
    assert not dialog.confirm_button.isEnabled()
    dialog.answer_edit.clear()
    qtbot.keyClicks(dialog.answer_edit, "3712")
    assert dialog.confirm_button.isEnabled()
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_confirm_word_also_confirms(dialog, qtbot):
    # QTest cannot type Chinese key by key; an input method commits the word at once like this.
    dialog.answer_edit.insert(CONFIRM_WORD)
    assert dialog.confirm_button.isEnabled()


def test_enter_cancels_even_with_the_right_answer_typed(dialog, qtbot):
    assert dialog.cancel_button.isDefault() and not dialog.confirm_button.isDefault()
    qtbot.keyClicks(dialog.answer_edit, "3712")
    qtbot.keyClick(dialog.answer_edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()


def test_accept_without_the_answer_does_nothing(dialog):
    dialog.accept()
    assert dialog.isVisible()


def _answer_modal(text: str, press: str) -> None:
    modal = QApplication.activeModalWidget()
    assert isinstance(modal, CityWideConfirmationDialog)
    modal.answer_edit.setText(text)
    (modal.confirm_button if press == "confirm" else modal.cancel_button).click()


@pytest.mark.parametrize(("text", "press", "expected"), [("120", "confirm", True), ("120", "cancel", False)])
def test_confirm_city_wide_runs_the_dialog_and_says_what_was_chosen(qapp, qtbot, text, press, expected):
    QTimer.singleShot(50, lambda: _answer_modal(text, press))
    assert confirm_city_wide(None, "Fire drill", 120) is expected


def test_send_confirmed_resends_with_the_hubs_confirmation_id(qapp):
    bridge = FakeBridge()
    asked: list[tuple[str, int]] = []
    replies = []

    def ask(action: str, schools: int) -> bool:
        asked.append((action, schools))
        return True

    args = {"action": "broadcast_start", "target": {"kind": "all"}, "args": {"priority": "emergency"}}
    send_confirmed(bridge.request, "send_command", args, replies.append, ask)
    bridge.answer(
        "send_command",
        {"confirmation": "c-123", "schools": 3700, "action": "broadcast_start", "expires_in_s": 120},
        ok=False,
        error_code="confirmation_required",
    )
    assert asked == [("broadcast_start", 3700)]
    assert replies == []
    assert bridge.sent[1].args == {**args, "confirmation": "c-123"}
    bridge.answer("send_command", {"command_id": "x"})
    assert [r.ok for r in replies] == [True]


def test_send_confirmed_sends_nothing_more_when_the_operator_declines(qapp):
    bridge = FakeBridge()
    replies = []
    send_confirmed(bridge.request, "send_command", {"action": "ping"}, replies.append, lambda _a, _n: False)
    bridge.answer(
        "send_command", {"confirmation": "c-9", "schools": 12}, ok=False, error_code="confirmation_required"
    )
    assert len(bridge.sent) == 1
    assert [r.error_code for r in replies] == ["confirmation_required"]


@pytest.mark.expect_log(r"asked for a confirmation without")
def test_send_confirmed_passes_on_a_confirmation_request_it_cannot_read(qapp, caplog):
    bridge = FakeBridge()
    replies = []
    send_confirmed(bridge.request, "send_command", {}, replies.append, lambda _a, _n: True)
    bridge.answer("send_command", {"schools": "many"}, ok=False, error_code="confirmation_required")
    assert len(bridge.sent) == 1 and replies[0].error_code == "confirmation_required"
    assert "asked for a confirmation without" in caplog.text
