"""The administrator's page of school agents (学校终端): enrollment requests and decisions.

The table shows every enrollment the hub knows (from its snapshot, then its updates). Accept,
Reject and Revoke ask for confirmation and go to the hub as requests naming the operator; the row
changes when the hub's update says so, not before. "Create enrollment token" asks the hub for a
one-time token for a school and shows it once.

Signals: pendingCountChanged(int) when the number of pending requests changes (for the navigation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.hub.bridge import HubBridge, HubReply
from console.pages.agents_model import STATUSES, AgentsModel, StatusFilter, key_fingerprint, status_name
from console.pages.token_dialog import TokenDialog
from services.db.records import SchoolSummary
from services.protocol.console_messages import AgentInfo, Snapshot

# Which decisions each status allows (docs/protocol.md, section 12).
ALLOWED = {"pending": ("accept", "reject", "revoke"), "accepted": ("revoke",)}

Confirm = Callable[[str, str], bool]
SCHOOL_COLUMN_WIDTH = 320


def ask_confirmation(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


class AgentsPage(QWidget):
    pendingCountChanged = Signal(int)

    def __init__(self, bridge: HubBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agentsPage")
        self._bridge = bridge
        self._pending = 0
        # Replaced in tests; asks the operator before a decision goes to the hub.
        self.confirm: Confirm = lambda title, text: ask_confirmation(self, title, text)
        self.token_dialog: TokenDialog | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        bar = QFrame(self)
        bar.setObjectName("filterBar")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(8, 6, 8, 6)
        self.title_label = QLabel(bar)
        self.title_label.setObjectName("pageTitle")
        self.status_filter = QComboBox(bar)
        self.status_filter.setObjectName("agentStatusFilter")
        self.status_filter.currentIndexChanged.connect(self._filter_changed)
        self.accept_button = QPushButton(bar)
        self.reject_button = QPushButton(bar)
        self.revoke_button = QPushButton(bar)
        self.accept_button.clicked.connect(lambda: self.decide_selected("accept"))
        self.reject_button.clicked.connect(lambda: self.decide_selected("reject"))
        self.revoke_button.clicked.connect(lambda: self.decide_selected("revoke"))
        bar_layout.addWidget(self.title_label)
        bar_layout.addSpacing(16)
        bar_layout.addWidget(self.status_filter)
        bar_layout.addStretch(1)
        for button in (self.accept_button, self.reject_button, self.revoke_button):
            bar_layout.addWidget(button)
        layout.addWidget(bar)

        token_bar = QHBoxLayout()
        self.token_school_label = QLabel(self)
        self.token_school = QComboBox(self)
        self.token_school.setObjectName("tokenSchool")
        self.token_school.setEditable(True)
        self.token_school.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.token_school.setMinimumWidth(320)
        completer = self.token_school.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.token_button = QPushButton(self)
        self.token_button.setObjectName("createTokenButton")
        self.token_button.clicked.connect(self._create_token_clicked)
        token_bar.addWidget(self.token_school_label)
        token_bar.addWidget(self.token_school)
        token_bar.addWidget(self.token_button)
        token_bar.addStretch(1)
        layout.addLayout(token_bar)

        self.model = AgentsModel(self)
        self.proxy = StatusFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("agentsTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultSectionSize(150)
        header.resizeSection(0, SCHOOL_COLUMN_WIDTH)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.proxy.dataChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("agentsMessage")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)

        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.dataChanged):
            signal.connect(self._count_pending)
        bridge.snapshot.connect(self._on_snapshot)
        bridge.agentsChanged.connect(self.model.update_agents)
        # A bound slot, not a lambda: Qt drops it with the page, so a late signal from a bridge
        # that outlives the page cannot reach deleted widgets.
        bridge.connectionChanged.connect(self._on_connection_changed)
        self.retranslate_ui()
        self._update_buttons()

    # --- data in ---------------------------------------------------------------------------------
    def set_schools(self, schools: Sequence[SchoolSummary]) -> None:
        """The city's schools: names for the table, choices for a new token."""
        self.model.set_school_names({s.code: s.name for s in schools})
        current = self.token_school.currentText()
        self.token_school.clear()
        for school in schools:
            self.token_school.addItem(f"{school.name} ({school.code})", school.code)
        self.token_school.setEditText(current)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        self.model.set_agents(snapshot.agents)

    def pending_count(self) -> int:
        return self._pending

    def _count_pending(self) -> None:
        count = self.model.count("pending")
        if count != self._pending:
            self._pending = count
            self.pendingCountChanged.emit(count)

    # --- decisions -------------------------------------------------------------------------------
    def selected_agent(self) -> AgentInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.agent(self.proxy.mapToSource(rows[0]).row())

    def select_agent(self, public_key: str) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.model.agent(self.proxy.mapToSource(index).row()).public_key == public_key:
                self.table.selectionModel().select(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
                )
                return True
        return False

    def decide_selected(self, decision: str) -> bool:
        """Ask, then send *decision* for the selected key; True when the request went out."""
        agent = self.selected_agent()
        if agent is None or decision not in ALLOWED.get(agent.status, ()):
            return False
        titles = {
            "accept": self.tr("Accept this agent?"),
            "reject": self.tr("Reject this agent?"),
            "revoke": self.tr("Revoke this agent?"),
        }
        text = (
            self.tr("School: %1\nKey fingerprint: %2\nStatus: %3")
            .replace("%1", agent.school)
            .replace("%2", key_fingerprint(agent.public_key))
            .replace("%3", status_name(agent.status))
        )
        if decision == "revoke":
            text += "\n\n" + self.tr("A revoked agent is cut off at once and needs a new token to come back.")
        if not self.confirm(titles[decision], text):
            return False
        self._show_message(self.tr("Sending the decision to the hub…"))
        self._bridge.request(
            "decide_enrollment",
            {"public_key": agent.public_key, "decision": decision},
            lambda reply: self._on_decided(reply, agent.school),
        )
        return True

    def _on_decided(self, reply: HubReply, school: str) -> None:
        if reply.ok:
            status = str(reply.result.get("agent", {}).get("status", ""))
            self._show_message(
                self.tr("School %1: the agent is now %2.")
                .replace("%1", school)
                .replace("%2", status_name(status))
            )
        else:
            self._show_error(
                self.tr("The hub refused the decision: %1").replace("%1", reply.error or reply.error_code)
            )

    # --- tokens ----------------------------------------------------------------------------------
    def token_school_code(self) -> str:
        text = self.token_school.currentText().strip()
        index = self.token_school.findText(text)
        if index >= 0:
            return str(self.token_school.itemData(index))
        return text  # a code typed directly

    def _create_token_clicked(self) -> None:
        code = self.token_school_code()
        if not code:
            self._show_error(self.tr("Choose a school first."))
            return
        self.create_token(code)

    def create_token(self, school: str) -> None:
        self._show_message(self.tr("Asking the hub for a token…"))
        self._bridge.request("create_token", {"school": school}, self._on_token)

    def _on_token(self, reply: HubReply) -> None:
        if not reply.ok:
            self._show_error(self.tr("No token: %1").replace("%1", reply.error or reply.error_code))
            return
        school = str(reply.result.get("school", ""))
        self._show_message(self.tr("Token created for school %1.").replace("%1", school))
        if self.token_dialog is not None:
            self.token_dialog.close()
        self.token_dialog = TokenDialog(
            school, str(reply.result.get("token", "")), float(reply.result.get("expires_at", 0.0)), self
        )
        self.token_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.token_dialog.destroyed.connect(self._forget_token_dialog)
        self.token_dialog.show()

    def _forget_token_dialog(self) -> None:
        self.token_dialog = None

    # --- state -----------------------------------------------------------------------------------
    def _filter_changed(self) -> None:
        self.proxy.set_status(str(self.status_filter.currentData() or ""))
        self._update_buttons()

    def _on_connection_changed(self, _connected: bool, _detail: str) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        agent = self.selected_agent()
        allowed = ALLOWED.get(agent.status, ()) if agent is not None else ()
        connected = self._bridge.is_connected
        self.accept_button.setEnabled(connected and "accept" in allowed)
        self.reject_button.setEnabled(connected and "reject" in allowed)
        self.revoke_button.setEnabled(connected and "revoke" in allowed)
        self.token_button.setEnabled(connected)

    def _show_message(self, text: str) -> None:
        self.message_label.setProperty("error", False)
        self.message_label.setText(text)

    def _show_error(self, text: str) -> None:
        self.message_label.setProperty("error", True)
        self.message_label.setText(text)

    # --- text ------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.title_label.setText(self.tr("School agents"))
        self.accept_button.setText(self.tr("Accept"))
        self.reject_button.setText(self.tr("Reject"))
        self.revoke_button.setText(self.tr("Revoke"))
        self.token_school_label.setText(self.tr("School:"))
        self.token_school.lineEdit().setPlaceholderText(self.tr("Name or code of the school…"))
        self.token_button.setText(self.tr("Create enrollment token"))
        current = self.status_filter.currentIndex()
        self.status_filter.blockSignals(True)
        self.status_filter.clear()
        self.status_filter.addItem(self.tr("All statuses"), "")
        for status in STATUSES:
            self.status_filter.addItem(status_name(status), status)
        self.status_filter.setCurrentIndex(max(current, 0))
        self.status_filter.blockSignals(False)
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
