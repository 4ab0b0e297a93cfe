"""One incident in full: details, timers, checklist, notes, actions, timeline and the workflow.

Everything the operator does goes to the hub as a request (bridge.request); the hub's update then
changes the incident everywhere, this panel included. A refused request shows its reason
(hub_error_text) in the panel. An operator whose role may not handle alarms (a district viewer)
sees the same panel read-only.

Resolve is enabled only for the owner and only once every step is done or skipped (the hub
refuses it otherwise too). The questions (skip reason, resolution, transfer target) are functions
on the panel so tests can answer them.

Signals: openCamerasRequested(str incident id), reportRequested(str incident id),
showOnMapRequested(str school code).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.access.hub_requests import Requester, hub_error_text
from console.alarms.alarm_types import AlarmTypeBook
from console.alarms.icons import type_pixmap
from console.alarms.incident_data import (
    STEP_DONE,
    STEP_SKIPPED,
    Incident,
    IncidentDataError,
    Timeline,
    timeline_from_wire,
)
from console.alarms.incident_dialogs import ask_resolution, ask_skip_reason, ask_transfer_target
from console.alarms.incident_model import OVERDUE_HEX, clock_text
from console.alarms.wording import action_name, entry_text, state_name
from console.hub.bridge import HubReply

log = logging.getLogger(__name__)

TICK_MS = 1000
ACTION_KINDS = ("call_110", "call_119", "call_principal", "broadcast", "live_voice")


def when_text(at: float | None) -> str:
    return "" if at is None else time.strftime("%H:%M:%S", time.localtime(at))


class IncidentPanel(QWidget):
    openCamerasRequested = Signal(str)
    reportRequested = Signal(str)
    showOnMapRequested = Signal(str)

    def __init__(
        self,
        requester: Requester,
        types: AlarmTypeBook | None = None,
        school_name: Callable[[str], str] = lambda code: code,
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("incidentPanel")
        self._requester = requester
        self._types = types or AlarmTypeBook()
        self._school_name = school_name
        self._clock = clock
        self._incident: Incident | None = None
        self._me = ""
        self._can_work = False
        self._timeline: Timeline | None = None
        self._timeline_pending = False
        self._timeline_dirty = False
        self.known_operators: set[str] = set()
        self._checklist_key: tuple[object, ...] = ()
        # The questions the panel asks; tests replace them.
        self.ask_skip_reason: Callable[[str], str | None] = lambda text: ask_skip_reason(self, text)
        self.ask_resolution: Callable[[], tuple[str, bool] | None] = lambda: ask_resolution(self)
        self.ask_transfer_target: Callable[[Sequence[str]], str | None] = lambda names: ask_transfer_target(
            self, names
        )
        self._build()
        self.tick_timer = QTimer(self)
        self.tick_timer.setObjectName("incidentPanelTick")
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self._update_timers)
        self.retranslate_ui()
        self.show_incident(None)

    # --- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget(scroll)
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)

        head = QHBoxLayout()
        self.icon_label = QLabel(body)
        self.title_label = QLabel(body)
        self.title_label.setObjectName("incidentTitle")
        self.title_label.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.title_label.setWordWrap(True)
        self.state_label = QLabel(body)
        self.state_label.setObjectName("incidentState")
        head.addWidget(self.icon_label)
        head.addWidget(self.title_label, 1)
        head.addWidget(self.state_label)
        layout.addLayout(head)

        self.details = QGridLayout()
        self.details.setHorizontalSpacing(10)
        self._detail_labels: dict[str, tuple[QLabel, QLabel]] = {}
        for row, key in enumerate(("school", "location", "opened", "alarms", "acknowledged", "owner")):
            name, value = QLabel(body), QLabel(body)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.details.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            self.details.addWidget(value, row, 1)
            self._detail_labels[key] = (name, value)
        layout.addLayout(self.details)

        timers = QHBoxLayout()
        self.ack_timer_label = QLabel(body)
        self.ack_timer_label.setObjectName("incidentAckTimer")
        self.process_timer_label = QLabel(body)
        self.process_timer_label.setObjectName("incidentProcessTimer")
        timers.addWidget(self.ack_timer_label)
        timers.addWidget(self.process_timer_label)
        timers.addStretch(1)
        layout.addLayout(timers)

        self.read_only_label = QLabel(body)
        self.read_only_label.setObjectName("incidentReadOnly")
        self.read_only_label.setWordWrap(True)
        self.read_only_label.setStyleSheet("color: #f5b82e;")
        layout.addWidget(self.read_only_label)
        self.transfer_label = QLabel(body)
        self.transfer_label.setObjectName("incidentTransfer")
        self.transfer_label.setWordWrap(True)
        self.transfer_label.setStyleSheet("color: #6cb6ff; font-weight: bold;")
        layout.addWidget(self.transfer_label)

        flow = QGridLayout()
        flow.setSpacing(4)
        self.ack_button = self._button(body, "incidentAck", self.acknowledge)
        self.take_button = self._button(body, "incidentTake", self.take)
        self.release_button = self._button(body, "incidentRelease", self.release)
        self.transfer_button = self._button(body, "incidentTransferButton", self.transfer)
        self.accept_button = self._button(body, "incidentAccept", self.accept_transfer)
        self.decline_button = self._button(body, "incidentDecline", self.decline_transfer)
        self.resolve_button = self._button(body, "incidentResolve", self.resolve)
        self.resolve_button.setStyleSheet("QPushButton:enabled { background: #1f5f3a; }")
        for i, button in enumerate((self.ack_button, self.take_button, self.release_button,
                                    self.transfer_button, self.accept_button, self.decline_button,
                                    self.resolve_button)):  # fmt: skip
            flow.addWidget(button, i // 4, i % 4)
        layout.addLayout(flow)

        tools = QHBoxLayout()
        self.cameras_button = self._button(body, "incidentCameras", self._open_cameras)
        self.map_button = self._button(body, "incidentMap", self._show_on_map)
        self.report_button = self._button(body, "incidentReport", self._report)
        for button in (self.cameras_button, self.map_button, self.report_button):
            tools.addWidget(button)
        tools.addStretch(1)
        layout.addLayout(tools)

        self.actions_box = QGroupBox(body)
        actions = QGridLayout(self.actions_box)
        self.action_buttons: dict[str, QPushButton] = {}
        for i, kind in enumerate(ACTION_KINDS):
            button = self._button(
                self.actions_box, f"incidentAction_{kind}", lambda k=kind: self.record_action(k)
            )
            self.action_buttons[kind] = button
            actions.addWidget(button, i // 3, i % 3)
        self.actions_list = QListWidget(self.actions_box)
        self.actions_list.setObjectName("incidentActions")
        self.actions_list.setMaximumHeight(80)
        actions.addWidget(self.actions_list, 2, 0, 1, 3)

        self.checklist_box = QGroupBox(body)
        checklist = QVBoxLayout(self.checklist_box)
        self.checklist = QTableWidget(0, 4, self.checklist_box)
        self.checklist.setObjectName("incidentChecklist")
        self.checklist.horizontalHeader().hide()
        self.checklist.verticalHeader().hide()
        self.checklist.setShowGrid(False)
        self.checklist.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.checklist.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        header = self.checklist.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        checklist.addWidget(self.checklist)
        layout.addWidget(self.checklist_box)
        # The procedure comes first: it is what the operator works through; actions follow.
        layout.addWidget(self.actions_box)

        self.notes_box = QGroupBox(body)
        notes = QVBoxLayout(self.notes_box)
        self.notes_list = QListWidget(self.notes_box)
        self.notes_list.setObjectName("incidentNotes")
        self.notes_list.setMaximumHeight(100)
        self.notes_list.setWordWrap(True)
        notes.addWidget(self.notes_list)
        note_row = QHBoxLayout()
        self.note_edit = QLineEdit(self.notes_box)
        self.note_edit.setObjectName("incidentNoteEdit")
        self.note_edit.returnPressed.connect(self.add_note)
        self.note_button = self._button(self.notes_box, "incidentAddNote", self.add_note)
        note_row.addWidget(self.note_edit, 1)
        note_row.addWidget(self.note_button)
        notes.addLayout(note_row)
        layout.addWidget(self.notes_box)

        self.timeline_box = QGroupBox(body)
        timeline = QVBoxLayout(self.timeline_box)
        self.timeline_list = QListWidget(self.timeline_box)
        self.timeline_list.setObjectName("incidentTimeline")
        self.timeline_list.setWordWrap(True)
        self.timeline_list.setMinimumHeight(120)
        timeline.addWidget(self.timeline_list)
        layout.addWidget(self.timeline_box)

        self.error_label = QLabel(body)
        self.error_label.setObjectName("incidentError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {OVERDUE_HEX};")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self.empty_label = QLabel(body)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty_label)
        self._body = body
        # Disabled buttons must look disabled on the dark theme: a greyed "Resolve" says "not yet".
        body.setStyleSheet("QPushButton:disabled { color: #56677a; border-color: #243447; }")

    @staticmethod
    def _button(parent: QWidget, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(parent)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # --- data in -------------------------------------------------------------------------------
    def set_operator(self, username: str, can_work: bool) -> None:
        """Who is at the console and whether their role may work on incidents."""
        self._me = username
        self._can_work = can_work
        self._refresh()

    def set_types(self, types: AlarmTypeBook) -> None:
        self._types = types
        self._refresh()

    def incident(self) -> Incident | None:
        return self._incident

    def timeline(self) -> Timeline | None:
        return self._timeline

    def show_incident(self, incident: Incident | None) -> None:
        """Show *incident* (None: nothing selected); a newer version of the same one refreshes it."""
        previous = self._incident
        self._incident = incident
        if incident is None or previous is None or previous.incident_id != incident.incident_id:
            self._timeline = None
            self.timeline_list.clear()
            self._clear_error()
        for name in (incident.owner, incident.acknowledged_by, incident.transfer_to) if incident else ():
            if name:
                self.known_operators.add(name)
        self._refresh()
        if incident is not None and (
            previous is None
            or previous.incident_id != incident.incident_id
            or previous.version != incident.version
        ):
            self.request_timeline()

    # --- workflow (requests) -------------------------------------------------------------------
    def acknowledge(self) -> None:
        self._send("incident_ack")

    def take(self) -> None:
        self._send("incident_take")

    def release(self) -> None:
        self._send("incident_release")

    def transfer(self) -> None:
        candidates = sorted(self.known_operators - {self._me})
        target = self.ask_transfer_target(candidates)
        if target:
            self.known_operators.add(target)
            self._send("incident_transfer", {"to": target})

    def accept_transfer(self) -> None:
        self._send("incident_accept")

    def decline_transfer(self) -> None:
        self._send("incident_decline")

    def mark_step(self, key: str) -> None:
        self._send("incident_step", {"step": key, "done": True})

    def skip_step(self, key: str) -> None:
        incident = self._incident
        if incident is None:
            return
        reason = self.ask_skip_reason(self._types.style(incident.alarm_type).step_text(key))
        if reason:
            self._send("incident_step", {"step": key, "done": False, "reason": reason})

    def add_note(self) -> None:
        text = self.note_edit.text().strip()
        if text:
            self._send("incident_note", {"text": text}, on_ok=lambda _r: self.note_edit.clear())

    def record_action(self, kind: str, detail: str = "") -> None:
        self._send("incident_action", {"kind": kind, "detail": detail} if detail else {"kind": kind})

    def resolve(self) -> None:
        incident = self._incident
        if incident is None or not self.resolve_button.isEnabled():
            return
        answer = self.ask_resolution()
        if answer is not None:
            outcome, false_alarm = answer
            self._send("incident_resolve", {"outcome": outcome, "false_alarm": false_alarm})

    def _send(
        self, action: str, args: dict[str, Any] | None = None, on_ok: Callable[[HubReply], None] | None = None
    ) -> None:
        incident = self._incident
        if incident is None:
            return
        incident_id = incident.incident_id
        self._clear_error()

        def done(reply: HubReply) -> None:
            if not reply.ok:
                log.info("%s on %s refused: %s %s", action, incident_id, reply.error_code, reply.error)
                if self._incident is not None and self._incident.incident_id == incident_id:
                    self.show_error(hub_error_text(reply.error_code, reply.error))
                return
            if on_ok is not None:
                on_ok(reply)

        self._requester.request(action, {"incident_id": incident_id, **(args or {})}, done)

    def request_timeline(self) -> None:
        incident = self._incident
        if incident is None:
            return
        if self._timeline_pending:
            self._timeline_dirty = True  # asked again when the answer in flight comes back
            return
        self._timeline_pending = True
        incident_id = incident.incident_id
        self._requester.request(
            "incident_timeline", {"incident_id": incident_id}, lambda r: self._on_timeline(incident_id, r)
        )

    def _on_timeline(self, incident_id: str, reply: HubReply) -> None:
        self._timeline_pending = False
        current = self._incident
        if current is None or current.incident_id != incident_id:
            if current is not None:
                self.request_timeline()
            return
        if self._timeline_dirty:
            self._timeline_dirty = False
            self.request_timeline()
        if not reply.ok:
            self.timeline_list.clear()
            self.timeline_list.addItem(
                self.tr("The timeline could not be loaded: %1").replace(
                    "%1", hub_error_text(reply.error_code, reply.error)
                )
            )
            return
        try:
            self._timeline = timeline_from_wire(reply.result)
        except IncidentDataError as exc:
            log.error("the hub's timeline of %s is unusable: %s", incident_id, exc)
            return
        self._fill_timeline()

    # --- errors --------------------------------------------------------------------------------
    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    # --- presentation --------------------------------------------------------------------------
    def _refresh(self) -> None:
        incident = self._incident
        self._body.setEnabled(True)
        shown = incident is not None
        for widget in (self.icon_label, self.title_label, self.state_label, self.actions_box,
                       self.checklist_box, self.notes_box, self.timeline_box, self.cameras_button,
                       self.map_button, self.report_button, self.ack_timer_label,
                       self.process_timer_label):  # fmt: skip
            widget.setVisible(shown)
        for name, value in self._detail_labels.values():
            name.setVisible(shown)
            value.setVisible(shown)
        self.empty_label.setVisible(not shown)
        self.read_only_label.setVisible(shown and not self._can_work)
        if incident is None:
            for button in self._work_buttons():
                button.setVisible(False)
            self.transfer_label.hide()
            self.note_edit.setVisible(False)
            return
        style = self._types.style(incident.alarm_type)
        self.icon_label.setPixmap(type_pixmap(style.colour, style.glyph, 32))
        self.title_label.setText(f"{style.name()} · {self._school_name(incident.school)}")
        self.title_label.setStyleSheet(f"font-size: 14pt; font-weight: bold; color: {style.colour};")
        self.state_label.setText(state_name(incident))
        values = {
            "school": f"{self._school_name(incident.school)} ({incident.school})",
            "location": incident.location or "—",
            "opened": when_text(incident.opened_at),
            "alarms": self.tr("%1 (last %2)")
            .replace("%1", str(incident.alarm_count))
            .replace("%2", when_text(incident.last_alarm_at)),
            "acknowledged": (
                f"{incident.acknowledged_by} {when_text(incident.acknowledged_at)}"
                if incident.acknowledged_by
                else "—"
            ),
            "owner": incident.owner or "—",
        }
        if incident.is_resolved:
            values["owner"] = (
                self.tr("Resolved by %1 at %2: %3")
                .replace("%1", incident.resolved_by)
                .replace("%2", when_text(incident.resolved_at))
                .replace("%3", incident.outcome)
            )
        for key, (_name, value) in self._detail_labels.items():
            value.setText(values[key])
        self._update_transfer_label(incident)
        self._update_buttons(incident)
        self._fill_checklist(incident)
        self._fill_notes(incident)
        self._fill_actions(incident)
        self._update_timers()

    def _work_buttons(self) -> list[QPushButton]:
        return [self.ack_button, self.take_button, self.release_button, self.transfer_button,
                self.accept_button, self.decline_button, self.resolve_button, self.note_button,
                *self.action_buttons.values()]  # fmt: skip

    def _update_transfer_label(self, incident: Incident) -> None:
        if incident.transfer_to and incident.transfer_to == self._me:
            self.transfer_label.setText(
                self.tr("%1 asks you to take over this incident: accept or decline.").replace(
                    "%1", incident.owner
                )
            )
            self.transfer_label.show()
        elif incident.transfer_to:
            self.transfer_label.setText(
                self.tr("Waiting for %1 to accept the transfer.").replace("%1", incident.transfer_to)
            )
            self.transfer_label.show()
        else:
            self.transfer_label.hide()

    def _update_buttons(self, incident: Incident) -> None:
        work = self._can_work and not incident.is_resolved
        mine = work and incident.owner == self._me and bool(self._me)
        offered = work and incident.transfer_to == self._me and bool(self._me)
        for button in self._work_buttons():
            button.setVisible(self._can_work)
        self.note_edit.setVisible(self._can_work)
        self.ack_button.setEnabled(work and incident.is_open)
        self.take_button.setEnabled(work and incident.owner != self._me and not incident.owner)
        self.release_button.setEnabled(mine and not incident.transfer_to)
        self.transfer_button.setEnabled(mine and not incident.transfer_to)
        self.accept_button.setVisible(self._can_work and offered)
        self.decline_button.setVisible(self._can_work and offered)
        self.accept_button.setEnabled(offered)
        self.decline_button.setEnabled(offered)
        self.resolve_button.setEnabled(mine and incident.checklist_complete)
        self.resolve_button.setToolTip(
            ""
            if incident.checklist_complete
            else self.tr("Every step must be done or skipped with a reason before resolving.")
        )
        self.note_button.setEnabled(work)
        self.note_edit.setEnabled(work)
        for button in self.action_buttons.values():
            button.setEnabled(work)

    def _fill_checklist(self, incident: Incident) -> None:
        style = self._types.style(incident.alarm_type)
        mine = self._can_work and not incident.is_resolved and incident.owner == self._me and bool(self._me)
        table = self.checklist
        layout_key = (incident.incident_id, tuple(step.key for step in incident.steps), self._can_work)
        if layout_key != self._checklist_key:
            # New rows (another incident or procedure): the buttons are made once per row, not on
            # every update, so nothing flickers while the hub's updates come in.
            self._checklist_key = layout_key
            table.setRowCount(0)
            table.setRowCount(len(incident.steps))
            for row, step in enumerate(incident.steps):
                if not self._can_work:
                    continue  # a viewer gets no buttons at all
                done = QPushButton(self.tr("Done"))
                done.setObjectName(f"stepDone_{step.key}")
                done.clicked.connect(lambda _c=False, k=step.key: self.mark_step(k))
                skip = QPushButton(self.tr("Skip…"))
                skip.setObjectName(f"stepSkip_{step.key}")
                skip.clicked.connect(lambda _c=False, k=step.key: self.skip_step(k))
                table.setCellWidget(row, 2, done)
                table.setCellWidget(row, 3, skip)
        for row, step in enumerate(incident.steps):
            mark = {STEP_DONE: "✓", STEP_SKIPPED: "⤼"}.get(step.state, "○")
            table.setItem(row, 0, QTableWidgetItem(f"{row + 1}. {style.step_text(step.key)}"))
            if step.state == STEP_DONE:
                status = self.tr("%1 done by %2 at %3")
            elif step.state == STEP_SKIPPED:
                status = self.tr("%1 skipped by %2 at %3: %4").replace("%4", step.reason)
            else:
                status = self.tr("%1 open")
            status = status.replace("%1", mark).replace("%2", step.by).replace("%3", when_text(step.at))
            item = QTableWidgetItem(status)
            item.setForeground(Qt.GlobalColor.green if step.state == STEP_DONE else Qt.GlobalColor.lightGray)
            item.setToolTip(status)
            table.setItem(row, 1, item)
            for column in (2, 3):
                button = table.cellWidget(row, column)
                if button is not None:
                    button.setEnabled(mine and not step.finished)
        table.resizeRowsToContents()
        height = sum(table.rowHeight(r) for r in range(table.rowCount())) + 4
        table.setFixedHeight(max(height, 30))

    def _fill_notes(self, incident: Incident) -> None:
        self.notes_list.clear()
        for note in incident.notes:
            self.notes_list.addItem(f"{when_text(note.at)} {note.by}: {note.text}")
            if note.by:
                self.known_operators.add(note.by)

    def _fill_actions(self, incident: Incident) -> None:
        self.actions_list.clear()
        for action in incident.actions:
            detail = f" ({action.detail})" if action.detail else ""
            self.actions_list.addItem(
                f"{when_text(action.at)} {action.by}: {action_name(action.kind)}{detail}"
            )

    def _fill_timeline(self) -> None:
        self.timeline_list.clear()
        timeline = self._timeline
        if timeline is None:
            return
        for at, text in timeline_lines(timeline):
            self.timeline_list.addItem(f"{when_text(at)}  {text}")
        for entry in timeline.entries:
            if entry.by:
                self.known_operators.add(entry.by)

    def _update_timers(self) -> None:
        incident = self._incident
        if incident is None:
            return
        now = self._clock()
        if incident.is_open:
            remaining = incident.ack_due_at - now
            late = remaining < 0 or incident.escalation == "ack_overdue"
            text = (
                self.tr("Acknowledge within %1") if remaining >= 0 else self.tr("Acknowledgement overdue %1")
            )
            self._timer_label(self.ack_timer_label, text.replace("%1", clock_text(abs(remaining))), late)
        else:
            self._timer_label(self.ack_timer_label, self.tr("Acknowledged"), False)
        if incident.is_resolved:
            self._timer_label(self.process_timer_label, "", False)
            return
        remaining = incident.process_due_at - now
        late = remaining < 0 or incident.escalation == "processing_overdue"
        text = self.tr("Resolve within %1") if remaining >= 0 else self.tr("Processing overdue %1")
        self._timer_label(self.process_timer_label, text.replace("%1", clock_text(abs(remaining))), late)

    @staticmethod
    def _timer_label(label: QLabel, text: str, late: bool) -> None:
        label.setText(text)
        label.setProperty("overdue", late)
        label.setStyleSheet(
            f"color: {OVERDUE_HEX}; font-weight: bold; border: 1px solid {OVERDUE_HEX}; padding: 1px 4px;"
            if late
            else "padding: 1px 4px;"
        )

    def timer_overdue(self) -> tuple[bool, bool]:
        """(acknowledge timer red, process timer red), as shown."""
        return bool(self.ack_timer_label.property("overdue")), bool(
            self.process_timer_label.property("overdue")
        )

    # --- tools ---------------------------------------------------------------------------------
    def _open_cameras(self) -> None:
        if self._incident is not None:
            self.openCamerasRequested.emit(self._incident.incident_id)

    def _show_on_map(self) -> None:
        if self._incident is not None:
            self.showOnMapRequested.emit(self._incident.school)

    def _report(self) -> None:
        if self._incident is not None:
            self.reportRequested.emit(self._incident.incident_id)

    # --- text and life cycle -------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        names = {
            "school": self.tr("School"), "location": self.tr("Location"), "opened": self.tr("Opened"),
            "alarms": self.tr("Alarms"), "acknowledged": self.tr("Acknowledged by"),
            "owner": self.tr("Owner"),
        }  # fmt: skip
        for key, (label, _value) in self._detail_labels.items():
            label.setText(names[key])
        self.read_only_label.setText(
            self.tr("Read only: your role may follow incidents but not work on them.")
        )
        self.ack_button.setText(self.tr("Acknowledge"))
        self.take_button.setText(self.tr("Take"))
        self.release_button.setText(self.tr("Release"))
        self.transfer_button.setText(self.tr("Transfer…"))
        self.accept_button.setText(self.tr("Accept transfer"))
        self.decline_button.setText(self.tr("Decline transfer"))
        self.resolve_button.setText(self.tr("Resolve…"))
        self.cameras_button.setText(self.tr("Open cameras"))
        self.map_button.setText(self.tr("Show on map"))
        self.report_button.setText(self.tr("Report (PDF)"))
        self.actions_box.setTitle(self.tr("Actions"))
        labels = {
            "call_110": self.tr("Called 110"), "call_119": self.tr("Called 119"),
            "call_principal": self.tr("Called principal"), "broadcast": self.tr("Broadcast"),
            "live_voice": self.tr("Live voice"),
        }  # fmt: skip
        for kind, button in self.action_buttons.items():
            button.setText(labels.get(kind, action_name(kind)))
            button.setToolTip(self.tr("Records in the incident that you did this now"))
        self.checklist_box.setTitle(self.tr("Procedure"))
        self.notes_box.setTitle(self.tr("Notes"))
        self.note_edit.setPlaceholderText(self.tr("Add a note…"))
        self.note_button.setText(self.tr("Add"))
        self.timeline_box.setTitle(self.tr("Timeline"))
        self.empty_label.setText(self.tr("Select an incident in the queue."))
        self._refresh()
        self._fill_timeline()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.tick_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.tick_timer.stop()
        super().hideEvent(event)


def timeline_lines(timeline: Timeline) -> list[tuple[float, str]]:
    """The timeline as (time, text) lines in time order: each alarm and each record entry."""
    lines: list[tuple[float, str]] = []
    for alarm in timeline.alarms:
        lines.append((alarm.occurred_at, entry_text("alarm", alarm.source, alarm.location)))
    for entry in timeline.entries:
        lines.append((entry.at, entry_text(entry.what, entry.by, entry.detail)))
    lines.sort(key=lambda line: line[0])
    return lines
