"""The history of broadcasts, filtered by period and priority (the hub's broadcast_history).

Double-clicking a broadcast opens its per-school delivery in the progress panel.

Signals: openRequested(dict entry).
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, QLocale, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.access.hub_requests import hub_error_text
from console.broadcast.jobs import HubRequests
from console.broadcast.wording import PRIORITY_COLORS, priority_name
from console.hub.bridge import HubReply

HISTORY_LIMIT = 200
PERIOD_DAYS = (1, 7, 30, 365)
EntryRole = Qt.ItemDataRole.UserRole + 1


def _count(counts: object, *keys: str) -> int:
    if not isinstance(counts, dict):
        return 0
    return sum(int(counts.get(k, 0)) for k in keys if isinstance(counts.get(k, 0), int))


class HistoryPanel(QWidget):
    openRequested = Signal(dict)

    def __init__(self, hub: HubRequests, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("broadcastHistory")
        self._hub = hub
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.period_box = QComboBox(self)
        self.period_box.setObjectName("historyPeriod")
        for days in PERIOD_DAYS:
            self.period_box.addItem("", days)
        self.period_box.setCurrentIndex(1)
        self.period_box.activated.connect(lambda _i: self.refresh())
        self.priority_box = QComboBox(self)
        self.priority_box.setObjectName("historyPriority")
        for priority in ("", "emergency", "drill", "routine"):
            self.priority_box.addItem("", priority)
        self.priority_box.activated.connect(lambda _i: self.refresh())
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(lambda _c=False: self.refresh())
        self.status_label = QLabel(self)
        for widget in (self.period_box, self.priority_box, self.refresh_button):
            bar.addWidget(widget)
        bar.addWidget(self.status_label, 1)
        layout.addLayout(bar)
        self.table = QTableWidget(0, 8, self)
        self.table.setObjectName("historyTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(self._open_row)
        layout.addWidget(self.table, 1)
        self.retranslate_ui()

    def refresh(self) -> None:
        days = int(self.period_box.currentData() or 7)
        args: dict[str, Any] = {
            "since": time.time() - days * 86_400,
            "until": None,
            "priority": str(self.priority_box.currentData() or ""),
            "limit": HISTORY_LIMIT,
        }
        self.status_label.setText(self.tr("Loading…"))
        self._hub.request("broadcast_history", args, self._on_history)

    def _on_history(self, reply: HubReply) -> None:
        if not reply.ok:
            self.status_label.setText(hub_error_text(reply.error_code, reply.error))
            return
        entries = reply.result.get("broadcasts", [])
        entries = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
        self.show_entries(entries)
        self.status_label.setText(self.tr("%1 broadcasts").replace("%1", str(len(entries))))

    def show_entries(self, entries: list[dict[str, Any]]) -> None:
        locale = QLocale()
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            sent_at = entry.get("sent_at")
            when = (
                locale.toString(QDateTime.fromSecsSinceEpoch(int(sent_at)), QLocale.FormatType.ShortFormat)
                if isinstance(sent_at, int | float)
                else ""
            )
            schools = entry.get("schools")
            count = (
                len(schools) if isinstance(schools, list) else int(schools) if isinstance(schools, int) else 0
            )
            counts = entry.get("counts")
            priority = str(entry.get("priority") or "")
            values = (
                when,
                str(entry.get("title") or entry.get("broadcast_id") or ""),
                priority_name(priority),
                str(entry.get("operator") or ""),
                locale.toString(count),
                locale.toString(_count(counts, "done")),
                locale.toString(_count(counts, "failed", "expired")),
                locale.toString(_count(counts, "unreachable", "not_connected")),
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setData(EntryRole, entry)
                if column == 2 and priority in PRIORITY_COLORS:
                    item.setForeground(QColor(PRIORITY_COLORS[priority]))
                if column >= 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)

    def _open_row(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        entry = item.data(EntryRole) if item is not None else None
        if isinstance(entry, dict):
            self.openRequested.emit(entry)

    def retranslate_ui(self) -> None:
        periods = {
            1: self.tr("Last day"),
            7: self.tr("Last 7 days"),
            30: self.tr("Last 30 days"),
            365: self.tr("Last year"),
        }
        for i in range(self.period_box.count()):
            self.period_box.setItemText(i, periods[int(self.period_box.itemData(i))])
        for i in range(self.priority_box.count()):
            priority = str(self.priority_box.itemData(i))
            self.priority_box.setItemText(
                i, priority_name(priority) if priority else self.tr("All priorities")
            )
        self.refresh_button.setText(self.tr("Refresh"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Sent"),
                self.tr("Title"),
                self.tr("Priority"),
                self.tr("Operator"),
                self.tr("Schools"),
                self.tr("Done"),
                self.tr("Failed"),
                self.tr("Unreachable"),
            ]
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
