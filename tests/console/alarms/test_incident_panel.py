"""The incident panel: the procedure cannot be bypassed, requests go to the hub, refusals show,
district viewers only look, transfers are offered to the receiver."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from console.alarms.incident_data import incident_from_wire
from console.alarms.incident_panel import IncidentPanel
from console.hub.bridge import HubReply
from tests.console.alarms.conftest import FakeRequester, incident_dict

pytestmark = pytest.mark.gui

STEPS_OPEN = [{"key": "confirm_on_camera", "state": "open"}, {"key": "call_110", "state": "open"}]


def make_panel(qtbot, requester, me="wang", can_work=True, **incident) -> IncidentPanel:
    panel = IncidentPanel(requester)
    qtbot.addWidget(panel)
    panel.set_operator(me, can_work)
    panel.show_incident(incident_from_wire(incident_dict(incident_id="inc", **incident)))
    return panel


def test_resolve_is_enabled_only_when_every_step_is_done_or_skipped(qtbot, requester):
    panel = make_panel(qtbot, requester, state="acknowledged", owner="wang", steps=STEPS_OPEN)
    assert not panel.resolve_button.isEnabled()
    panel.resolve()  # even called directly, nothing is sent while the checklist is open
    assert "incident_resolve" not in requester.actions()

    # One step done, one still open.
    panel.show_incident(incident_from_wire(incident_dict(
        incident_id="inc", state="acknowledged", owner="wang", version=2,
        steps=[{"key": "confirm_on_camera", "state": "done", "by": "wang", "at": time.time()},
               {"key": "call_110", "state": "open"}])))  # fmt: skip
    assert not panel.resolve_button.isEnabled()

    # The last step skipped with a reason: resolve opens up.
    panel.show_incident(incident_from_wire(incident_dict(
        incident_id="inc", state="acknowledged", owner="wang", version=3,
        steps=[{"key": "confirm_on_camera", "state": "done", "by": "wang", "at": time.time()},
               {"key": "call_110", "state": "skipped", "reason": "police already on site", "by": "wang",
                "at": time.time()}])))  # fmt: skip
    assert panel.resolve_button.isEnabled()
    panel.ask_resolution = lambda: ("Intruder left; gate locked", True)
    qtbot.mouseClick(panel.resolve_button, Qt.MouseButton.LeftButton)
    assert requester.sent[-1] == (
        "incident_resolve",
        {"incident_id": "inc", "outcome": "Intruder left; gate locked", "false_alarm": True},
    )


def test_resolve_needs_ownership(qtbot, requester):
    steps = [{"key": "confirm_on_camera", "state": "done"}]
    panel = make_panel(qtbot, requester, state="acknowledged", owner="li", steps=steps)
    assert not panel.resolve_button.isEnabled()
    assert not panel.take_button.isEnabled()  # someone else owns it


def test_steps_are_marked_and_skipped_only_with_a_reason(qtbot, requester):
    panel = make_panel(qtbot, requester, state="acknowledged", owner="wang", steps=STEPS_OPEN)
    done = panel.findChild(QPushButton, "stepDone_confirm_on_camera")
    qtbot.mouseClick(done, Qt.MouseButton.LeftButton)
    assert requester.sent[-1] == (
        "incident_step",
        {"incident_id": "inc", "step": "confirm_on_camera", "done": True},
    )

    skip = panel.findChild(QPushButton, "stepSkip_call_110")
    panel.ask_skip_reason = lambda _text: None  # the operator gave no reason
    qtbot.mouseClick(skip, Qt.MouseButton.LeftButton)
    assert len(requester.sent) == 2  # the timeline request and the step; no skip went out
    panel.ask_skip_reason = lambda _text: "police already on site"
    qtbot.mouseClick(skip, Qt.MouseButton.LeftButton)
    assert requester.sent[-1] == (
        "incident_step",
        {"incident_id": "inc", "step": "call_110", "done": False, "reason": "police already on site"},
    )


def test_workflow_buttons_send_requests(qtbot, requester):
    panel = make_panel(qtbot, requester)
    qtbot.mouseClick(panel.ack_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.take_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.action_buttons["call_110"], Qt.MouseButton.LeftButton)
    panel.note_edit.setText("门卫已到场")
    qtbot.mouseClick(panel.note_button, Qt.MouseButton.LeftButton)
    assert requester.sent[1:] == [
        ("incident_ack", {"incident_id": "inc"}),
        ("incident_take", {"incident_id": "inc"}),
        ("incident_action", {"incident_id": "inc", "kind": "call_110"}),
        ("incident_note", {"incident_id": "inc", "text": "门卫已到场"}),
    ]
    assert panel.note_edit.text() == ""  # cleared once the hub took the note


def test_a_refusal_is_shown_with_the_hubs_reason(qtbot):
    def answer(action, _args):
        if action == "incident_take":
            return HubReply(1, action, False, error_code="conflict", error="owned by li")
        return HubReply(1, action, False, error_code="not_found", error="")

    requester = FakeRequester(answer=answer)
    panel = make_panel(qtbot, requester)
    panel.show()
    qtbot.mouseClick(panel.take_button, Qt.MouseButton.LeftButton)
    assert panel.error_label.isVisible()
    assert "owned by li" in panel.error_label.text()
    assert "conflicts" in panel.error_label.text()


def test_district_viewer_sees_the_incident_read_only(qtbot, requester):
    panel = make_panel(qtbot, requester, me="viewer", can_work=False, steps=STEPS_OPEN)
    panel.show()
    assert panel.read_only_label.isVisible()
    for button in (panel.ack_button, panel.take_button, panel.resolve_button, panel.note_button,
                   *panel.action_buttons.values()):  # fmt: skip
        assert not button.isVisible()
    assert panel.findChild(QPushButton, "stepDone_call_110") is None
    panel.acknowledge()  # even if reached, the panel sends it; the hub refuses: nothing is hidden there
    assert panel.checklist.rowCount() == 2


def test_receiver_of_a_transfer_gets_accept_and_decline(qtbot, requester):
    panel = make_panel(qtbot, requester, me="li", state="acknowledged", owner="wang", transfer_to="li")
    panel.show()
    assert panel.accept_button.isVisible() and panel.accept_button.isEnabled()
    assert "wang" in panel.transfer_label.text()
    qtbot.mouseClick(panel.decline_button, Qt.MouseButton.LeftButton)
    assert requester.sent[-1] == ("incident_decline", {"incident_id": "inc"})


def test_transfer_asks_for_the_operator(qtbot, requester):
    panel = make_panel(qtbot, requester, state="acknowledged", owner="wang")
    panel.ask_transfer_target = lambda names: "li"
    qtbot.mouseClick(panel.transfer_button, Qt.MouseButton.LeftButton)
    assert requester.sent[-1] == ("incident_transfer", {"incident_id": "inc", "to": "li"})


def test_panel_timers_turn_red(qtbot, requester):
    now = time.time()
    panel = make_panel(qtbot, requester, now=now - 120)  # ack was due 60 s ago
    assert panel.timer_overdue() == (True, False)
    assert "overdue" in panel.ack_timer_label.text()


def test_timeline_is_requested_and_shown(qtbot):
    t = time.time()

    def answer(action, args):
        if action == "incident_timeline":
            return HubReply(1, action, True, {
                "incident": incident_dict(incident_id="inc", now=t),
                "alarms": [{"event_id": "e1", "occurred_at": t, "received_at": t, "source": "gate-1",
                            "location": "东门", "details": {}}],
                "entries": [{"at": t + 5, "by": "wang", "what": "acknowledged", "detail": ""}],
            })  # fmt: skip
        return HubReply(1, action, True, {})

    panel = make_panel(qtbot, FakeRequester(answer=answer), now=t)
    texts = [panel.timeline_list.item(i).text() for i in range(panel.timeline_list.count())]
    assert len(texts) == 2
    assert "gate-1" in texts[0]
    assert "Acknowledged by wang" in texts[1]
