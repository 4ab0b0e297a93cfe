"""The incidents page: the history (resolved ones too), searchable by school and period, with the
same incident panel (and its PDF report) as the queue. Loaded from the hub (incident_history)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.access.hub_requests import Requester, hub_error_text
from console.alarms.alarm_types import AlarmTypeBook
from console.alarms.incident_model import COL_SCHOOL, IncidentModel, IncidentRole
from console.alarms.incident_panel import IncidentPanel
from console.hub.bridge import HubReply

HISTORY_LIMIT = 500
PERIOD_DAYS = (1, 7, 30, 365)


class IncidentsPage(QWidget):
    """Signals: reportRequested(str incident id)."""

    reportRequested = Signal(str)

    def __init__(
        self,
        requester: Requester,
        types: AlarmTypeBook,
        school_code_for: Callable[[str], str] = lambda text: text,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("incidentsPage")
        self._requester = requester
        self._school_code_for = school_code_for
        self.model = IncidentModel(types, show_resolved=True, parent=self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        bar = QHBoxLayout()
        self.title_label = QLabel(self)
        self.title_label.setObjectName("pageTitle")
        self.school_edit = QLineEdit(self)
        self.school_edit.setObjectName("incidentSchoolFilter")
        self.school_edit.setClearButtonEnabled(True)
        self.school_edit.returnPressed.connect(self.refresh)
        self.period_box = QComboBox(self)
        self.period_box.setObjectName("incidentPeriod")
        for days in PERIOD_DAYS:
            self.period_box.addItem("", days)
        self.period_box.setCurrentIndex(1)
        self.period_box.activated.connect(lambda _i: self.refresh())
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(lambda _c=False: self.refresh())
        self.status_label = QLabel(self)
        for widget in (self.title_label, self.school_edit, self.period_box, self.refresh_button):
            bar.addWidget(widget)
        bar.addWidget(self.status_label, 1)
        layout.addLayout(bar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.table = QTableView(self.splitter)
        self.table.setObjectName("incidentHistoryTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(COL_SCHOOL, QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(self._on_clicked)
        self.panel = IncidentPanel(requester, types, self.model.school_name, parent=self.splitter)
        self.panel.reportRequested.connect(self.reportRequested)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.panel)
        self.splitter.setSizes([900, 480])
        layout.addWidget(self.splitter, 1)
        self._loaded_once = False
        self.retranslate_ui()

    def refresh(self) -> None:
        days = int(self.period_box.currentData() or 7)
        args: dict[str, object] = {"since": time.time() - days * 86_400, "limit": HISTORY_LIMIT}
        school = self._school_code_for(self.school_edit.text().strip())
        if school:
            args["school"] = school
        self.status_label.setText(self.tr("Loading…"))
        self._requester.request("incident_history", args, self._on_history)

    def _on_history(self, reply: HubReply) -> None:
        if not reply.ok:
            self.status_label.setText(hub_error_text(reply.error_code, reply.error))
            return
        incidents = reply.result.get("incidents", [])
        self.model.apply(incidents if isinstance(incidents, list) else [], complete=True)
        self.status_label.setText(self.tr("%1 incidents").replace("%1", str(self.model.rowCount())))
        current = self.panel.incident()
        if current is not None:
            self.panel.show_incident(self.model.incident(current.incident_id))

    def _on_clicked(self, index: QModelIndex) -> None:
        incident = index.data(IncidentRole)
        if incident is not None:
            self.panel.show_incident(incident)

    def set_operator(self, username: str, can_work: bool) -> None:
        self.model.set_operator(username)
        self.panel.set_operator(username, can_work)

    def set_school_names(self, names: dict[str, str]) -> None:
        self.model.set_school_names(names)

    def retranslate_ui(self) -> None:
        self.title_label.setText(self.tr("Incidents"))
        self.school_edit.setPlaceholderText(self.tr("School code (all schools when empty)"))
        texts = {1: self.tr("Last day"), 7: self.tr("Last 7 days"), 30: self.tr("Last 30 days"),
                 365: self.tr("Last year")}  # fmt: skip
        for i in range(self.period_box.count()):
            self.period_box.setItemText(i, texts[int(self.period_box.itemData(i))])
        self.refresh_button.setText(self.tr("Refresh"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.refresh()
