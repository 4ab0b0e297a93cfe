"""The alarm queue: every open incident in priority order, its timers, the counts and alarm rate.

Meant for a right-hand dock that is always in sight. A row shows the type's colour and icon, the
school, the location, the age, the alarm count, who has it, and the acknowledge and process
countdowns, which turn red once overdue. The clock columns refresh once a second (only while the
panel is shown). Selecting a row emits incidentSelected(id); activating it (double-click, Enter)
emits incidentActivated(id).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.alarms.incident_model import (
    COL_ACK,
    COL_AGE,
    COL_ALARMS,
    COL_DUE,
    COL_LOCATION,
    COL_SCHOOL,
    COL_STATUS,
    COL_TYPE,
    IncidentModel,
    IncidentRole,
)

TICK_MS = 1000
_Index = QModelIndex | QPersistentModelIndex


class AlarmQueuePanel(QWidget):
    incidentSelected = Signal(str)
    incidentActivated = Signal(str)
    muteToggled = Signal(bool)

    def __init__(self, model: IncidentModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmQueue")
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        top = QHBoxLayout()
        self.title_label = QLabel(self)
        self.title_label.setObjectName("pageTitle")
        self.rate_label = QLabel(self)
        self.rate_label.setObjectName("alarmRate")
        self.mute_button = QToolButton(self)
        self.mute_button.setObjectName("alarmMute")
        self.mute_button.setCheckable(True)
        self.mute_button.toggled.connect(self._on_mute)
        top.addWidget(self.title_label)
        top.addStretch(1)
        top.addWidget(self.rate_label)
        top.addWidget(self.mute_button)
        layout.addLayout(top)
        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("alarmCounts")
        layout.addWidget(self.counts_label)

        self.table = QTableView(self)
        self.table.setObjectName("alarmQueueTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        # Fixed row heights: the view never measures rows, which keeps a long queue cheap.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        widths = {COL_TYPE: 84, COL_SCHOOL: 120, COL_LOCATION: 80, COL_AGE: 48, COL_ALARMS: 36,
                  COL_STATUS: 60, COL_ACK: 54, COL_DUE: 54}  # fmt: skip
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(COL_SCHOOL, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.activated.connect(self._on_activated)
        self.table.doubleClicked.connect(self._on_activated)
        layout.addWidget(self.table, 1)

        self.tick_timer = QTimer(self)
        self.tick_timer.setObjectName("alarmQueueTick")
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(model.tick)
        model.countsChanged.connect(self._update_counts)
        self.retranslate_ui()

    # --- actions -------------------------------------------------------------------------------
    def select_incident(self, incident_id: str) -> bool:
        row = self.model.row_of(incident_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def selected_incident_id(self) -> str:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return ""
        incident = rows[0].data(IncidentRole)
        return incident.incident_id if incident is not None else ""

    def set_muted(self, muted: bool) -> None:
        self.mute_button.setChecked(muted)

    def _on_mute(self, muted: bool) -> None:
        self._update_mute_text()
        self.muteToggled.emit(muted)

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        incident_id = self.selected_incident_id()
        if incident_id:
            self.incidentSelected.emit(incident_id)

    def _on_activated(self, index: QModelIndex) -> None:
        incident = index.data(IncidentRole)
        if incident is not None:
            self.incidentActivated.emit(incident.incident_id)

    # --- text ----------------------------------------------------------------------------------
    def _update_counts(self) -> None:
        counts = self.model.counts()
        text = (
            self.tr("New %1 · in hand %2 · overdue %3")
            .replace("%1", str(counts.open))
            .replace("%2", str(counts.acknowledged))
            .replace("%3", str(counts.overdue))
        )
        self.counts_label.setText(text)
        self.counts_label.setStyleSheet("color: #ff4d4f; font-weight: bold;" if counts.overdue else "")
        self.rate_label.setText(
            self.tr("%1 alarms/min").replace("%1", f"{self.model.alarm_rate_per_min:.1f}")
        )

    def _update_mute_text(self) -> None:
        muted = self.mute_button.isChecked()
        self.mute_button.setText(self.tr("Sound off") if muted else self.tr("Sound on"))
        self.mute_button.setToolTip(
            self.tr("Alarm sounds are off: click to turn them on")
            if muted
            else self.tr("Alarm sounds are on: click to mute them")
        )

    def retranslate_ui(self) -> None:
        self.title_label.setText(self.tr("Alarm queue"))
        self._update_mute_text()
        self._update_counts()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)

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
