"""The live progress of a broadcast: counts per state, latency, the per-school list, stop all or
one school, and CSV export of the per-school delivery (written off the GUI thread).

The panel follows every broadcast sent from this console in this session (and any opened from
the history), each in its own delivery book, all fed from the hub's delivery updates; the combo
box at the top picks the one shown.

Signals: statusMessage(str).
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.access.hub_requests import hub_error_text
from console.broadcast.background import BackgroundWork
from console.broadcast.jobs import HubRequests
from console.broadcast.progress_model import COL_SCHOOL, CodeRole, DeliveryFilter, DeliveryTableModel
from console.broadcast.wording import PRIORITY_COLORS, STATE_COLORS, priority_name, state_name
from console.hub.bridge import HubReply
from services.broadcast.delivery import STATE_ORDER, BroadcastState, DeliveryBook
from services.broadcast.export import write_delivery_csv
from services.protocol.console_messages import DeliveryUpdate

log = logging.getLogger(__name__)

PROBLEM_STATES = (BroadcastState.FAILED, BroadcastState.UNREACHABLE, BroadcastState.EXPIRED)
# Filter choices: None = all, a tuple of states otherwise.
FILTERS: tuple[tuple[str, tuple[BroadcastState, ...] | None], ...] = (
    ("all", None),
    ("problems", PROBLEM_STATES),
    *((s.value, (s,)) for s in STATE_ORDER),
)


@dataclass(slots=True)
class TrackedBroadcast:
    broadcast_id: str
    command_id: str
    title: str
    priority: str
    started_at: float
    book: DeliveryBook


class ProgressPanel(QWidget):
    statusMessage = Signal(str)

    def __init__(
        self,
        hub: HubRequests,
        work: BackgroundWork,
        school_name: Callable[[str], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("broadcastProgress")
        self._hub = hub
        self._work = work
        self._school_name = school_name
        self._tracked: dict[str, TrackedBroadcast] = {}  # by command id
        self._current: TrackedBroadcast | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.broadcast_box = QComboBox(self)
        self.broadcast_box.setObjectName("trackedBroadcasts")
        self.broadcast_box.setMinimumWidth(320)
        self.broadcast_box.activated.connect(lambda _i: self.show_broadcast(self.broadcast_box.currentData()))
        self.title_label = QLabel(self)
        self.title_label.setObjectName("broadcastTitle")
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.priority_label = QLabel(self)
        self.priority_label.setObjectName("broadcastPriority")
        top.addWidget(self.broadcast_box)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.priority_label)
        layout.addLayout(top)

        counts = QFrame(self)
        counts.setObjectName("broadcastCounts")
        counts_layout = QHBoxLayout(counts)
        counts_layout.setContentsMargins(0, 4, 0, 4)
        self.count_labels: dict[BroadcastState, QLabel] = {}
        for state in STATE_ORDER:
            label = QLabel(counts)
            label.setObjectName(f"count_{state.value}")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumWidth(96)
            label.setStyleSheet(
                f"border: 1px solid {STATE_COLORS[state].name()}; border-radius: 4px; padding: 4px;"
                f"color: {STATE_COLORS[state].name()};"
            )
            counts_layout.addWidget(label)
            self.count_labels[state] = label
        layout.addWidget(counts)
        summary = QHBoxLayout()
        self.reach_bar = QProgressBar(self)
        self.reach_bar.setObjectName("broadcastReach")
        self.latency_label = QLabel(self)
        self.latency_label.setObjectName("broadcastLatency")
        summary.addWidget(self.reach_bar, 1)
        summary.addWidget(self.latency_label)
        layout.addLayout(summary)

        bar = QHBoxLayout()
        self.filter_box = QComboBox(self)
        self.filter_box.setObjectName("deliveryFilter")
        for key, _states in FILTERS:
            self.filter_box.addItem("", key)
        self.filter_box.currentIndexChanged.connect(self._on_filter)
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("deliverySearch")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(lambda text: self.proxy.set_text(text))
        self.stop_all_button = QPushButton(self)
        self.stop_all_button.setObjectName("broadcastStopAll")
        self.stop_all_button.setStyleSheet(
            "QPushButton:enabled { background: #7a1f28; border-color: #ff3040; }"
        )
        self.stop_all_button.clicked.connect(lambda _c=False: self.stop_all())
        self.stop_school_button = QPushButton(self)
        self.stop_school_button.setObjectName("broadcastStopSchool")
        self.stop_school_button.clicked.connect(lambda _c=False: self.stop_selected())
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("broadcastExport")
        self.export_button.clicked.connect(lambda _c=False: self._choose_export())
        for widget in (self.filter_box, self.search_edit):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.stop_school_button, self.stop_all_button, self.export_button):
            bar.addWidget(widget)
        layout.addLayout(bar)

        self.model = DeliveryTableModel(school_name, self)
        self.model.flushed.connect(self._refresh_summary)
        self.proxy = DeliveryFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("deliveryTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # arrival order until a header is clicked
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        # The reason takes the spare width; names are short enough for a fixed, resizable column.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(COL_SCHOOL, 340)
        layout.addWidget(self.table, 1)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("progressStatus")
        layout.addWidget(self.status_label)
        self.retranslate_ui()
        self._refresh_summary()

    # --- following broadcasts --------------------------------------------------------------------
    def track(
        self,
        *,
        broadcast_id: str,
        command_id: str,
        title: str,
        priority: str,
        schools: list[str],
        no_agent: list[str],
        started_at: float | None = None,
    ) -> None:
        """Follow a broadcast the hub accepted and show it."""
        tracked = TrackedBroadcast(
            broadcast_id,
            command_id,
            title,
            priority,
            started_at or time.time(),
            DeliveryBook(schools, no_agent),
        )
        # Latency runs from the moment the broadcast was sent: per-school "sent" updates are
        # coalesced away when a school starts playing within the same update interval.
        tracked.book.origin = tracked.started_at
        self._tracked[command_id] = tracked
        self.broadcast_box.insertItem(0, self._entry_text(tracked), command_id)
        self.broadcast_box.setCurrentIndex(0)
        self.show_broadcast(command_id)

    def open_past(self, entry: dict[str, Any]) -> None:
        """Show a broadcast from the history: its per-school delivery comes from command_status."""
        command_id = str(entry.get("command_id") or "")
        broadcast_id = str(entry.get("broadcast_id") or "")
        if not command_id:
            self.statusMessage.emit(self.tr("The hub did not say which command carried this broadcast."))
            return
        if command_id not in self._tracked:
            sent_at = entry.get("sent_at")
            self.track(
                broadcast_id=broadcast_id,
                command_id=command_id,
                title=str(entry.get("title") or ""),
                priority=str(entry.get("priority") or ""),
                schools=[],
                no_agent=[],
                started_at=float(sent_at) if isinstance(sent_at, int | float) else None,
            )
        else:
            self.show_broadcast(command_id)
        self._hub.request(
            "command_status", {"command_id": command_id}, lambda r: self._on_status(command_id, r)
        )

    def _on_status(self, command_id: str, reply: HubReply) -> None:
        tracked = self._tracked.get(command_id)
        if tracked is None:
            return
        if not reply.ok:
            self.status_label.setText(hub_error_text(reply.error_code, reply.error))
            return
        deliveries = reply.result.get("deliveries", [])
        tracked.book.apply_status(deliveries if isinstance(deliveries, list) else [])
        if self._current is tracked:
            self.model.reset(tracked.book)

    def show_broadcast(self, command_id: object) -> None:
        tracked = self._tracked.get(str(command_id))
        if tracked is None:
            return
        self._current = tracked
        index = self.broadcast_box.findData(tracked.command_id)
        if index >= 0 and index != self.broadcast_box.currentIndex():
            self.broadcast_box.setCurrentIndex(index)
        self.model.reset(tracked.book)
        self.title_label.setText(tracked.title or tracked.broadcast_id)
        color = PRIORITY_COLORS.get(tracked.priority, "#7b8794")
        self.priority_label.setText(priority_name(tracked.priority))
        self.priority_label.setStyleSheet(
            f"background: {color}; color: #101418; font-weight: bold; padding: 3px 10px; border-radius: 4px;"
        )

    def current(self) -> TrackedBroadcast | None:
        return self._current

    def apply_deliveries(self, updates: list[DeliveryUpdate]) -> None:
        """The hub's delivery news (bridge.deliveriesChanged): each to the broadcast it belongs to."""
        current = self._current
        mine: list[DeliveryUpdate] = []
        for update in updates:
            tracked = self._tracked.get(update.command_id)
            if tracked is None:
                continue
            if tracked is current:
                mine.append(update)
            else:
                tracked.book.apply_update(
                    update.school, update.state, update.reason, update.at, update.started_at
                )
        if mine:
            self.model.apply(mine)

    # --- summary ---------------------------------------------------------------------------------
    def _refresh_summary(self) -> None:
        book = self.model.book
        counts = book.counts()
        locale = QLocale()
        for state, label in self.count_labels.items():
            label.setText(f"{state_name(state)}\n{locale.toString(counts[state])}")
        total = len(book.rows)
        reached = counts[BroadcastState.PLAYING] + counts[BroadcastState.DONE]
        self.reach_bar.setRange(0, max(total, 1))
        self.reach_bar.setValue(reached)
        self.reach_bar.setFormat(
            self.tr("%1 of %2 schools playing or done")
            .replace("%1", locale.toString(reached))
            .replace("%2", locale.toString(total))
        )
        latencies = book.latencies()
        if latencies:
            p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
            self.latency_label.setText(
                self.tr("Send to playing: median %1 ms · p95 %2 ms · max %3 ms")
                .replace("%1", locale.toString(round(statistics.median(latencies) * 1000)))
                .replace("%2", locale.toString(round(p95 * 1000)))
                .replace("%3", locale.toString(round(latencies[-1] * 1000)))
            )
        else:
            self.latency_label.setText(self.tr("Send to playing: no school playing yet"))
        has = self._current is not None
        self.stop_all_button.setEnabled(has and not book.is_finished())
        self.stop_school_button.setEnabled(has)
        self.export_button.setEnabled(has and total > 0)

    def _on_filter(self, index: int) -> None:
        self.proxy.set_states(FILTERS[index][1] if 0 <= index < len(FILTERS) else None)

    # --- stop --------------------------------------------------------------------------------------
    def stop_all(self) -> None:
        tracked = self._current
        if tracked is None:
            return
        self._hub.request(
            "broadcast_stop", {"broadcast_id": tracked.broadcast_id}, lambda reply: self._on_stopped(reply, 0)
        )
        self.status_label.setText(self.tr("Stopping the broadcast in every school…"))

    def selected_schools(self) -> list[str]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return sorted(str(self.proxy.index(row, 0).data(CodeRole)) for row in rows)

    def stop_selected(self) -> None:
        self.stop_schools(self.selected_schools())

    def stop_schools(self, schools: list[str]) -> None:
        tracked = self._current
        if tracked is None:
            return
        if not schools:
            self.status_label.setText(self.tr("Select the schools to stop in the list first."))
            return
        self._hub.request(
            "broadcast_stop",
            {"broadcast_id": tracked.broadcast_id, "schools": schools},
            lambda reply: self._on_stopped(reply, len(schools)),
        )

    def _on_stopped(self, reply: HubReply, schools: int) -> None:
        if not reply.ok:
            self.status_label.setText(
                self.tr("Stop refused: %1").replace("%1", hub_error_text(reply.error_code, reply.error))
            )
            return
        if schools:
            self.status_label.setText(self.tr("Stop sent to %1 schools.").replace("%1", str(schools)))
        else:
            self.status_label.setText(self.tr("Stop sent to every school of the broadcast."))

    # --- export ------------------------------------------------------------------------------------
    def _choose_export(self) -> None:
        tracked = self._current
        if tracked is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export delivery"),
            f"broadcast-{tracked.broadcast_id}.csv",
            self.tr("CSV files (*.csv)"),
        )
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> None:
        """Write the shown broadcast's per-school delivery to *path* on the broadcast worker."""
        if self._current is None:
            return
        rows = self.model.snapshot()
        names = {row.school: self._school_name(row.school) for row in rows}
        origin = self.model.book.origin
        self.export_button.setEnabled(False)
        self.status_label.setText(self.tr("Exporting…"))
        self._work.submit(
            lambda _progress: write_delivery_csv(path, rows, names, origin),
            on_done=lambda count: self._exported(path, count),
            on_error=self._export_failed,
        )

    def _exported(self, path: Path, count: int) -> None:
        self.export_button.setEnabled(True)
        self.status_label.setText(
            self.tr("Exported %1 schools to %2").replace("%1", str(count)).replace("%2", str(path))
        )

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        log.error("the delivery export failed: %s", error)
        self.status_label.setText(self.tr("The export failed: %1").replace("%1", str(error)))

    # --- text ----------------------------------------------------------------------------------------
    def _entry_text(self, tracked: TrackedBroadcast) -> str:
        when = QLocale().toString(
            QDateTime.fromSecsSinceEpoch(int(tracked.started_at)), QLocale.FormatType.ShortFormat
        )
        return f"{when} · {priority_name(tracked.priority)} · {tracked.title or tracked.broadcast_id}"

    def shutdown(self) -> None:
        self.model.stop_timer()

    def retranslate_ui(self) -> None:
        names = {"all": self.tr("All schools"), "problems": self.tr("Failed, unreachable or expired")}
        for i in range(self.filter_box.count()):
            key = str(self.filter_box.itemData(i))
            self.filter_box.setItemText(i, names.get(key) or state_name(BroadcastState(key)))
        self.search_edit.setPlaceholderText(self.tr("Find a school…"))
        self.stop_all_button.setText(self.tr("Stop all"))
        self.stop_school_button.setText(self.tr("Stop selected schools"))
        self.export_button.setText(self.tr("Export CSV…"))
        if self._current is None:
            self.title_label.setText(self.tr("No broadcast followed yet"))
        for i in range(self.broadcast_box.count()):
            tracked = self._tracked.get(str(self.broadcast_box.itemData(i)))
            if tracked is not None:
                self.broadcast_box.setItemText(i, self._entry_text(tracked))
        self._refresh_summary()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
