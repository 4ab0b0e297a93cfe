"""The audit record page (审计记录): search, page through, verify and export what operators did.

Filters (time range, operator, action, result, free text) go to the hub's `audit_search`; the
table shows one page (newest first) and the pager moves through the rest. "Verify record" asks the
hub to check the whole hash chain and shows where it breaks, if it does. "Export CSV…" writes
every entry matching the filters to a file on a worker thread, with progress and cancel.

Call `shutdown()` when the console closes: it ends an export still running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
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

from console.access.audit_export import AuditExport
from console.access.audit_model import AuditModel, parse_entries, result_name
from console.access.hub_requests import Requester, hub_error_text
from console.access.login_dialog import ERROR_STYLE, set_message
from console.hub.bridge import HubReply
from services.access.audit import RESULTS
from services.access.roles import REQUEST_PERMISSIONS, SELF_REQUESTS

log = logging.getLogger(__name__)

PAGE_SIZE = 100
DEFAULT_SPAN_S = 24 * 3600
DATE_TIME_FORMAT = "yyyy-MM-dd HH:mm"
# Suggestions for the action filter; the field also takes any other action name.
KNOWN_ACTIONS = tuple(sorted({"login", "resume", *SELF_REQUESTS, *REQUEST_PERMISSIONS}))
OK_STYLE = "color: #5fd38d;"

ChooseExportPath = Callable[[], str]


def minute_start(moment: QDateTime) -> int:
    seconds = moment.toSecsSinceEpoch()
    return seconds - seconds % 60


class AuditPage(QWidget):
    def __init__(self, bridge: Requester, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditPage")
        self._bridge = bridge
        self._offset = 0
        self._total = 0
        self._query: dict[str, Any] = {}
        self._search_serial = 0
        self.export: AuditExport | None = None
        # Replaced in tests; asks where the CSV goes ("" when the operator cancels).
        self.choose_export_path: ChooseExportPath = self._ask_export_path

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        bar = QFrame(self)
        bar.setObjectName("filterBar")
        grid = QGridLayout(bar)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(8)
        self.title_label = QLabel(bar)
        self.title_label.setObjectName("pageTitle")
        grid.addWidget(self.title_label, 0, 0, 1, 2)

        now = QDateTime.currentDateTime()
        self.since_label = QLabel(bar)
        self.since_edit = QDateTimeEdit(now.addSecs(-DEFAULT_SPAN_S), bar)
        self.until_label = QLabel(bar)
        self.until_edit = QDateTimeEdit(now, bar)
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(DATE_TIME_FORMAT)
        self.until_now_check = QCheckBox(bar)
        self.until_now_check.setChecked(True)
        self.until_now_check.toggled.connect(lambda on: self.until_edit.setEnabled(not on))
        self.until_edit.setEnabled(False)
        self.operator_label = QLabel(bar)
        self.operator_edit = QLineEdit(bar)
        self.operator_edit.setObjectName("auditOperator")
        self.action_label = QLabel(bar)
        self.action_combo = QComboBox(bar)
        self.action_combo.setObjectName("auditAction")
        self.action_combo.setEditable(True)
        self.action_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.action_combo.addItems(["", *KNOWN_ACTIONS])
        self.action_combo.setMinimumWidth(160)
        self.result_label = QLabel(bar)
        self.result_combo = QComboBox(bar)
        self.result_combo.setObjectName("auditResult")
        self.text_label = QLabel(bar)
        self.text_edit = QLineEdit(bar)
        self.text_edit.setObjectName("auditText")
        self.search_button = QPushButton(bar)
        self.search_button.setObjectName("auditSearch")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.operator_edit.returnPressed.connect(self.search)
        self.text_edit.returnPressed.connect(self.search)

        grid.addWidget(self.since_label, 1, 0)
        grid.addWidget(self.since_edit, 1, 1)
        grid.addWidget(self.until_label, 1, 2)
        grid.addWidget(self.until_edit, 1, 3)
        grid.addWidget(self.until_now_check, 1, 4)
        grid.addWidget(self.operator_label, 1, 5)
        grid.addWidget(self.operator_edit, 1, 6)
        grid.addWidget(self.action_label, 2, 0)
        grid.addWidget(self.action_combo, 2, 1)
        grid.addWidget(self.result_label, 2, 2)
        grid.addWidget(self.result_combo, 2, 3)
        grid.addWidget(self.text_label, 2, 5)
        grid.addWidget(self.text_edit, 2, 6)
        grid.addWidget(self.search_button, 2, 7)
        grid.setColumnStretch(6, 1)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for label in (
            self.since_label,
            self.until_label,
            self.operator_label,
            self.action_label,
            self.result_label,
            self.text_label,
        ):
            label.setAlignment(right)
        layout.addWidget(bar)

        tools = QHBoxLayout()
        self.verify_button = QPushButton(self)
        self.verify_button.setObjectName("auditVerify")
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("auditExport")
        self.export_button.clicked.connect(self._export_clicked)
        self.export_progress = QProgressBar(self)
        self.export_progress.setMaximumWidth(220)
        self.export_progress.setVisible(False)
        self.cancel_export_button = QPushButton(self)
        self.cancel_export_button.setVisible(False)
        self.cancel_export_button.clicked.connect(self.cancel_export)
        self.verify_label = QLabel(self)
        self.verify_label.setObjectName("auditVerifyResult")
        self.verify_label.setWordWrap(True)
        tools.addWidget(self.verify_button)
        tools.addWidget(self.verify_label, 1)
        tools.addWidget(self.export_progress)
        tools.addWidget(self.cancel_export_button)
        tools.addWidget(self.export_button)
        layout.addLayout(tools)

        self.model = AuditModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((150, 110, 100, 130, 130, 170, 70)):
            header.resizeSection(column, width)
        layout.addWidget(self.table, 1)

        pager = QHBoxLayout()
        self.message_label = QLabel(self)
        self.message_label.setObjectName("auditMessage")
        self.message_label.setWordWrap(True)
        self.previous_button = QPushButton(self)
        self.previous_button.clicked.connect(self.previous_page)
        self.page_label = QLabel(self)
        self.page_label.setObjectName("auditPageLabel")
        self.next_button = QPushButton(self)
        self.next_button.clicked.connect(self.next_page)
        pager.addWidget(self.message_label, 1)
        pager.addWidget(self.previous_button)
        pager.addWidget(self.page_label)
        pager.addWidget(self.next_button)
        layout.addLayout(pager)
        self.retranslate_ui()
        self._update_pager()

    # --- searching -------------------------------------------------------------------------------
    def query(self) -> dict[str, Any]:
        """The filters as `audit_search` arguments (without limit and offset)."""
        # The fields show minutes: "from 10:15" starts at 10:15:00, "to 10:20" ends at 10:20:59.999.
        since = float(minute_start(self.since_edit.dateTime()))
        until = None
        if not self.until_now_check.isChecked():
            until = minute_start(self.until_edit.dateTime()) + 59.999
        return {
            "since": since,
            "until": until,
            "operator": self.operator_edit.text().strip(),
            "action": self.action_combo.currentText().strip(),
            "result": str(self.result_combo.currentData() or ""),
            "text": self.text_edit.text().strip(),
        }

    def search(self) -> None:
        """Search from the first page with the current filters."""
        query = self.query()
        if query["until"] is not None and query["until"] < query["since"]:
            set_message(
                self.message_label, self.tr("The end of the time range is before its start."), error=True
            )
            return
        self._query = query
        self._load_page(0)

    def next_page(self) -> None:
        if self._offset + PAGE_SIZE < self._total:
            self._load_page(self._offset + PAGE_SIZE)

    def previous_page(self) -> None:
        if self._offset > 0:
            self._load_page(max(self._offset - PAGE_SIZE, 0))

    def _load_page(self, offset: int) -> None:
        self._search_serial += 1
        serial = self._search_serial
        set_message(self.message_label, self.tr("Searching…"), error=False)
        self.search_button.setEnabled(False)
        args = {**self._query, "limit": PAGE_SIZE, "offset": offset}
        self._bridge.request("audit_search", args, lambda reply: self._on_page(serial, offset, reply))

    def _on_page(self, serial: int, offset: int, reply: HubReply) -> None:
        if serial != self._search_serial:
            return  # a newer search has been sent since
        self.search_button.setEnabled(True)
        if not reply.ok:
            set_message(
                self.message_label,
                self.tr("The search failed: %1").replace("%1", hub_error_text(reply.error_code, reply.error)),
                error=True,
            )
            return
        entries = parse_entries(reply.result.get("entries"))
        total = reply.result.get("total")
        self._total = total if isinstance(total, int) and not isinstance(total, bool) else len(entries)
        self._offset = offset
        self.model.set_entries(entries)
        set_message(
            self.message_label,
            self.tr("No entry matches.") if not self._total else "",
            error=False,
        )
        self._update_pager()

    def _update_pager(self) -> None:
        locale = QLocale()
        if self._total:
            first = self._offset + 1
            last = self._offset + self.model.rowCount()
            text = (
                self.tr("%1–%2 of %3")
                .replace("%1", locale.toString(first))
                .replace("%2", locale.toString(last))
                .replace("%3", locale.toString(self._total))
            )
        else:
            text = ""
        self.page_label.setText(text)
        self.previous_button.setEnabled(self._offset > 0)
        self.next_button.setEnabled(self._offset + PAGE_SIZE < self._total)

    # --- verifying -------------------------------------------------------------------------------
    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.verify_label.setStyleSheet("")
        self.verify_label.setText(self.tr("Verifying the whole record…"))
        self._bridge.request("audit_verify", {}, self._on_verified)

    def _on_verified(self, reply: HubReply) -> None:
        self.verify_button.setEnabled(True)
        if not reply.ok:
            self.verify_label.setStyleSheet(ERROR_STYLE)
            self.verify_label.setText(
                self.tr("Could not verify: %1").replace("%1", hub_error_text(reply.error_code, reply.error))
            )
            return
        result = reply.result
        checked = QLocale().toString(int(result.get("checked") or 0))
        if result.get("ok") is True:
            self.verify_label.setStyleSheet(OK_STYLE)
            self.verify_label.setText(
                self.tr("Record intact: %1 entries checked, up to entry #%2.")
                .replace("%1", checked)
                .replace("%2", str(result.get("head_seq", "")))
            )
            return
        self.verify_label.setStyleSheet(ERROR_STYLE)
        bad = result.get("first_bad_seq")
        problem = str(result.get("problem") or "")
        if isinstance(bad, int):
            text = self.tr("Record damaged from entry #%1: %2").replace("%1", str(bad)).replace("%2", problem)
        else:
            text = self.tr("Record damaged: %1").replace("%1", problem)
        self.verify_label.setText(text)
        log.error("the audit record failed verification: first bad entry %s: %s", bad, problem)

    # --- exporting -------------------------------------------------------------------------------
    def _ask_export_path(self) -> str:
        stamp = QDateTime.currentDateTime().toString("yyyyMMdd-HHmm")
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export the audit record"), f"audit-{stamp}.csv", self.tr("CSV files (*.csv)")
        )
        return path

    def _export_clicked(self) -> None:
        path = self.choose_export_path()
        if path:
            self.start_export(Path(path))

    def start_export(self, path: Path) -> AuditExport | None:
        """Export every entry matching the current filters to *path*."""
        if self.export is not None and self.export.is_active:
            return None
        self._forget_export()
        query = self.query()
        export = AuditExport(self._bridge, query, path, parent=self)
        export.progress.connect(self._on_export_progress)
        export.finished.connect(self._on_exported)
        export.failed.connect(self._on_export_failed)
        self.export = export
        self.export_progress.setRange(0, 0)
        self.export_progress.setVisible(True)
        self.cancel_export_button.setVisible(True)
        self.export_button.setEnabled(False)
        set_message(self.message_label, self.tr("Exporting to %1…").replace("%1", str(path)), error=False)
        export.start()
        return export

    def cancel_export(self) -> None:
        if self.export is not None and self.export.is_active:
            self.export.shutdown()
            set_message(self.message_label, self.tr("Export cancelled; no file was written."), error=False)
        self._export_ended()

    def _on_export_progress(self, written: int, total: int) -> None:
        if total > 0:
            self.export_progress.setRange(0, total)
            self.export_progress.setValue(min(written, total))

    def _on_exported(self, path: str, rows: int) -> None:
        self._export_ended()
        set_message(
            self.message_label,
            self.tr("Exported %1 entries to %2.").replace("%1", QLocale().toString(rows)).replace("%2", path),
            error=False,
        )

    def _on_export_failed(self, reason: str) -> None:
        self._export_ended()
        set_message(self.message_label, self.tr("The export failed: %1").replace("%1", reason), error=True)

    def _export_ended(self) -> None:
        self.export_progress.setVisible(False)
        self.cancel_export_button.setVisible(False)
        self.export_button.setEnabled(True)

    def _forget_export(self) -> None:
        if self.export is not None:
            self.export.shutdown()
            self.export.deleteLater()
            self.export = None

    def shutdown(self) -> None:
        """End an export still running (its unfinished file is removed)."""
        self._forget_export()

    # --- text ------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.title_label.setText(self.tr("Audit record"))
        self.since_label.setText(self.tr("From:"))
        self.until_label.setText(self.tr("To:"))
        self.until_now_check.setText(self.tr("Until now"))
        self.operator_label.setText(self.tr("Operator:"))
        self.operator_edit.setPlaceholderText(self.tr("User name"))
        self.action_label.setText(self.tr("Action:"))
        action_edit = self.action_combo.lineEdit()
        if action_edit is not None:
            action_edit.setPlaceholderText(self.tr("Any action"))
        self.result_label.setText(self.tr("Result:"))
        self.text_label.setText(self.tr("Text:"))
        self.text_edit.setPlaceholderText(self.tr("Target or details contain…"))
        self.search_button.setText(self.tr("Search"))
        self.verify_button.setText(self.tr("Verify record"))
        self.export_button.setText(self.tr("Export CSV…"))
        self.cancel_export_button.setText(self.tr("Cancel export"))
        self.previous_button.setText(self.tr("‹ Previous"))
        self.next_button.setText(self.tr("Next ›"))
        current = self.result_combo.currentData()
        self.result_combo.clear()
        self.result_combo.addItem(self.tr("Any result"), "")
        for result in sorted(RESULTS):
            self.result_combo.addItem(result_name(result), result)
        self.result_combo.setCurrentIndex(max(self.result_combo.findData(current or ""), 0))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)
        self._update_pager()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
