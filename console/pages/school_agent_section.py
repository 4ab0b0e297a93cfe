"""The school panel's section about the school's agent: presence, version, devices, commands.

It shows plain data handed in by the map page (the hub's `school_agent` and `school_commands`
answers, then live presence and delivery updates for this school).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain_names import delivery_state_name, device_kind_name, device_state_name, presence_name
from console.pages.agents_model import format_time, status_name
from services.protocol.console_messages import DeliveryUpdate, SchoolPresence


def _table(parent: QWidget, columns: int) -> QTableWidget:
    table = QTableWidget(0, columns, parent)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class SchoolAgentSection(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("schoolAgentSection")
        self._presence: SchoolPresence | None = None
        self._enrollment = ""  # status of the school's current key, "" = none
        self._commands: list[dict[str, Any]] = []
        self._note = ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._labels = [QLabel(self) for _ in range(4)]
        self.presence_value = QLabel(self)
        self.presence_value.setObjectName("agentPresence")
        self.version_value = QLabel(self)
        self.last_seen_value = QLabel(self)
        self.enrollment_value = QLabel(self)
        for label, value in zip(
            self._labels,
            (self.presence_value, self.version_value, self.last_seen_value, self.enrollment_value),
            strict=True,
        ):
            form.addRow(label, value)
        layout.addLayout(form)
        self.devices_table = _table(self, 4)
        layout.addWidget(self.devices_table, 2)
        self.commands_title = QLabel(self)
        self.commands_title.setObjectName("sectionTitle")
        layout.addWidget(self.commands_title)
        self.commands_table = _table(self, 5)
        layout.addWidget(self.commands_table, 3)
        self.retranslate_ui()

    # --- data in ---------------------------------------------------------------------------------
    def clear(self, note: str = "") -> None:
        self._presence = None
        self._enrollment = ""
        self._commands = []
        self._note = note
        self._render()

    def set_agent(self, result: dict[str, Any]) -> None:
        """The hub's answer to `school_agent`."""
        raw = result.get("presence")
        self._presence = msgspec.convert(raw, SchoolPresence) if raw else None
        agents = result.get("agents") or []
        current = [a for a in agents if a.get("status") == "accepted"] or agents
        self._enrollment = str(current[-1].get("status", "")) if current else ""
        self._note = ""
        self._render()

    def set_presence(self, presence: SchoolPresence) -> None:
        self._presence = presence
        self._render()

    def set_commands(self, commands: Sequence[dict[str, Any]]) -> None:
        """The hub's answer to `school_commands` (newest first)."""
        self._commands = [dict(c) for c in commands]
        self._render_commands()

    def apply_deliveries(self, deliveries: Iterable[DeliveryUpdate]) -> bool:
        """Move this school's listed commands to their new states; True if any row changed."""
        by_id = {c["command_id"]: c for c in self._commands}
        changed = False
        for delivery in deliveries:
            command = by_id.get(delivery.command_id)
            if command is not None:
                command.update(state=delivery.state, reason=delivery.reason, at=delivery.at)
                changed = True
        if changed:
            self._render_commands()
        return changed

    def command_state(self, command_id: str) -> str | None:
        for command in self._commands:
            if command["command_id"] == command_id:
                return str(command["state"])
        return None

    def knows_command(self, command_id: str) -> bool:
        return any(c["command_id"] == command_id for c in self._commands)

    # --- drawing ---------------------------------------------------------------------------------
    def _render(self) -> None:
        presence = self._presence
        if presence is None:
            self.presence_value.setText(self._note or self.tr("No agent has reported"))
            self.version_value.setText("—")
            self.last_seen_value.setText("—")
            self.devices_table.setRowCount(0)
        else:
            self.presence_value.setText(presence_name(presence.presence))
            self.version_value.setText(presence.agent_version or "—")
            self.last_seen_value.setText(format_time(presence.last_seen))
            self.devices_table.setRowCount(len(presence.devices))
            for row, device in enumerate(presence.devices):
                cells = (
                    device.device_id,
                    device_kind_name(device.kind),
                    device_state_name(device.state),
                    device.detail,
                )
                for column, text in enumerate(cells):
                    self.devices_table.setItem(row, column, QTableWidgetItem(text))
        self.enrollment_value.setText(
            status_name(self._enrollment) if self._enrollment else self.tr("Not enrolled")
        )
        self._render_commands()

    def _render_commands(self) -> None:
        self.commands_table.setRowCount(len(self._commands))
        for row, command in enumerate(self._commands):
            reason = str(command.get("reason") or "")
            cells = (
                str(command.get("action", "")),
                format_time(command.get("issued_at")),
                str(command.get("operator", "")),
                delivery_state_name(str(command.get("state", ""))),
                reason,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if reason:
                    item.setToolTip(reason)
                self.commands_table.setItem(row, column, item)

    # --- text ------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        for label, text in zip(
            self._labels,
            (self.tr("Presence"), self.tr("Version"), self.tr("Last seen"), self.tr("Enrollment")),
            strict=True,
        ):
            label.setText(text)
        self.devices_table.setHorizontalHeaderLabels(
            [self.tr("Device"), self.tr("Kind"), self.tr("State"), self.tr("Detail")]
        )
        self.commands_title.setText(self.tr("Recent commands"))
        self.commands_table.setHorizontalHeaderLabels(
            [
                self.tr("Action"),
                self.tr("Issued at"),
                self.tr("Operator"),
                self.tr("Delivery"),
                self.tr("Reason"),
            ]
        )
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
