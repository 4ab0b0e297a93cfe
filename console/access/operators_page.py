"""The administrator's page of operator accounts (操作员管理).

Lists the hub's operators and changes them through hub requests: a new operator, an edit (display
name, role, district), disable / enable, a new password, unlock after too many failed logins.
Every change is followed by a fresh list from the hub, so the table shows what the hub holds, not
what the page hoped for. Errors stay in the message line under the table.

The page is given the city's districts (for district viewers) with `set_districts`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
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

from console.access.hub_requests import Requester, hub_error_text
from console.access.login_dialog import set_message
from console.access.operator_dialogs import OperatorDialog, PasswordResetDialog
from console.access.operators_model import OperatorRecord, OperatorsModel, parse_operators
from console.hub.bridge import HubReply
from console.pages.map_page import interface_is_chinese
from services.db.records import DistrictRecord

Confirm = Callable[[str, str], bool]


def ask_confirmation(parent: QWidget, title: str, text: str) -> bool:
    return QMessageBox.question(parent, title, text) == QMessageBox.StandardButton.Yes


class OperatorsPage(QWidget):
    def __init__(self, bridge: Requester, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operatorsPage")
        self._bridge = bridge
        self._districts: list[DistrictRecord] = []
        self._loading = False
        self._select_after_refresh = ""  # the operator just created or changed
        # Replaced in tests; asks before an account is disabled.
        self.confirm: Confirm = lambda title, text: ask_confirmation(self, title, text)
        self.operator_dialog: OperatorDialog | None = None
        self.password_dialog: PasswordResetDialog | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        bar = QFrame(self)
        bar.setObjectName("filterBar")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(8, 6, 8, 6)
        self.title_label = QLabel(bar)
        self.title_label.setObjectName("pageTitle")
        bar_layout.addWidget(self.title_label)
        bar_layout.addStretch(1)
        self.new_button = QPushButton(bar)
        self.new_button.setObjectName("newOperatorButton")
        self.edit_button = QPushButton(bar)
        self.disable_button = QPushButton(bar)
        self.disable_button.setObjectName("disableOperatorButton")
        self.reset_button = QPushButton(bar)
        self.unlock_button = QPushButton(bar)
        self.refresh_button = QPushButton(bar)
        self.new_button.clicked.connect(self.new_operator)
        self.edit_button.clicked.connect(self.edit_selected)
        self.disable_button.clicked.connect(self.toggle_disabled_selected)
        self.reset_button.clicked.connect(self.reset_password_selected)
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.refresh_button.clicked.connect(self.refresh)
        for button in (
            self.new_button,
            self.edit_button,
            self.disable_button,
            self.reset_button,
            self.unlock_button,
            self.refresh_button,
        ):
            bar_layout.addWidget(button)
        layout.addWidget(bar)

        self.model = OperatorsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("operatorsTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultSectionSize(170)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        layout.addWidget(self.table, 1)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("operatorsMessage")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        self.retranslate_ui()
        self._update_buttons()

    # --- data in ---------------------------------------------------------------------------------
    def set_districts(self, districts: Sequence[DistrictRecord]) -> None:
        """The city's districts: names in the table, choices for a district viewer."""
        self._districts = list(districts)
        self.model.set_district_names(dict(self._district_choices()))

    def _district_choices(self) -> list[tuple[str, str]]:
        chinese = interface_is_chinese()
        return [(d.adcode, d.name if chinese or not d.name_en else d.name_en) for d in self._districts]

    def refresh(self) -> None:
        """Ask the hub for the operators again."""
        self._loading = True
        self._update_buttons()
        self._bridge.request("list_operators", {}, self._on_list)

    def _on_list(self, reply: HubReply) -> None:
        self._loading = False
        if not reply.ok:
            self._show_error(
                self.tr("Could not load the operators: %1").replace(
                    "%1", hub_error_text(reply.error_code, reply.error)
                )
            )
            self._update_buttons()
            return
        selected = self._select_after_refresh or self.selected_username()
        self._select_after_refresh = ""
        self.model.set_operators(parse_operators(reply.result.get("operators")))
        if selected:
            self.select_operator(selected)
        self._update_buttons()

    # --- selection -------------------------------------------------------------------------------
    def selected_record(self) -> OperatorRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.record(self.proxy.mapToSource(rows[0]).row())

    def selected_username(self) -> str:
        record = self.selected_record()
        return record.username if record is not None else ""

    def select_operator(self, username: str) -> bool:
        row = self.model.row_of(username)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().select(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        return True

    # --- changes ---------------------------------------------------------------------------------
    def new_operator(self) -> OperatorDialog:
        dialog = OperatorDialog(self._district_choices(), parent=self)
        self._open_operator_dialog(dialog)
        return dialog

    def edit_selected(self) -> OperatorDialog | None:
        record = self.selected_record()
        if record is None:
            return None
        dialog = OperatorDialog(self._district_choices(), record, parent=self)
        self._open_operator_dialog(dialog)
        return dialog

    def _open_operator_dialog(self, dialog: OperatorDialog) -> None:
        if self.operator_dialog is not None:
            self.operator_dialog.close()
        self.operator_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._operator_dialog_accepted(dialog))
        dialog.destroyed.connect(lambda: self._forget_dialog(dialog))
        dialog.open()

    def _operator_dialog_accepted(self, dialog: OperatorDialog) -> None:
        values = dialog.values()
        username = str(values["username"])
        if dialog.creating:
            self._send(
                "create_operator", values, self.tr("Operator %1 created.").replace("%1", username), username
            )
        elif len(values) > 1:
            self._send(
                "update_operator", values, self.tr("Operator %1 saved.").replace("%1", username), username
            )
        else:
            self._show_message(self.tr("Nothing changed."))

    def toggle_disabled_selected(self) -> bool:
        record = self.selected_record()
        if record is None:
            return False
        disable = not record.disabled
        if disable and not self.confirm(
            self.tr("Disable this operator?"),
            self.tr("%1 can no longer log in until an administrator enables the account again.").replace(
                "%1", record.username
            ),
        ):
            return False
        done = (self.tr("Operator %1 disabled.") if disable else self.tr("Operator %1 enabled.")).replace(
            "%1", record.username
        )
        self._send(
            "update_operator", {"username": record.username, "disabled": disable}, done, record.username
        )
        return True

    def reset_password_selected(self) -> PasswordResetDialog | None:
        record = self.selected_record()
        if record is None:
            return None
        if self.password_dialog is not None:
            self.password_dialog.close()
        dialog = PasswordResetDialog(record.username, parent=self)
        self.password_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        username = record.username
        dialog.accepted.connect(
            lambda: self._send(
                "reset_password",
                {"username": username, "new_password": dialog.password()},
                self.tr("New password set for %1.").replace("%1", username),
                username,
            )
        )
        dialog.destroyed.connect(lambda: self._forget_dialog(dialog))
        dialog.open()
        return dialog

    def unlock_selected(self) -> bool:
        record = self.selected_record()
        if record is None:
            return False
        self._send(
            "unlock_operator",
            {"username": record.username},
            self.tr("Operator %1 unlocked.").replace("%1", record.username),
            record.username,
        )
        return True

    def _send(self, action: str, args: dict[str, Any], done_text: str, username: str) -> None:
        self._show_message(self.tr("Sending to the hub…"))
        self._bridge.request(action, args, lambda reply: self._on_changed(reply, done_text, username))

    def _on_changed(self, reply: HubReply, done_text: str, username: str) -> None:
        if reply.ok:
            self._show_message(done_text)
            self._select_after_refresh = username
            self.refresh()
            return
        self._show_error(
            self.tr("The hub refused: %1").replace("%1", hub_error_text(reply.error_code, reply.error))
        )

    def _forget_dialog(self, dialog: QDialog) -> None:
        if self.operator_dialog is dialog:
            self.operator_dialog = None
        if self.password_dialog is dialog:
            self.password_dialog = None

    # --- state -----------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        record = self.selected_record()
        selected = record is not None
        self.edit_button.setEnabled(selected)
        self.disable_button.setEnabled(selected)
        self.reset_button.setEnabled(selected)
        self.unlock_button.setEnabled(record is not None and record.locked_until is not None)
        self.disable_button.setText(
            self.tr("Enable") if record is not None and record.disabled else self.tr("Disable")
        )
        self.refresh_button.setEnabled(not self._loading)

    def _show_message(self, text: str) -> None:
        set_message(self.message_label, text, error=False)

    def _show_error(self, text: str) -> None:
        set_message(self.message_label, text, error=True)

    # --- text ------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.title_label.setText(self.tr("Operators"))
        self.new_button.setText(self.tr("New operator…"))
        self.edit_button.setText(self.tr("Edit…"))
        self.reset_button.setText(self.tr("Reset password…"))
        self.unlock_button.setText(self.tr("Unlock"))
        self.refresh_button.setText(self.tr("Refresh"))
        self._update_buttons()
        self.model.set_district_names(dict(self._district_choices()))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
