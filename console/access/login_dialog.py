"""Logging in: the login dialog, the first administrator's dialog and the change of password.

The dialogs do not talk to the hub themselves: they call the function they are given (the
composition root routes it through the hub bridge) and handle the reply on the GUI thread, so the
window keeps painting while the hub checks the password.

LoginDialog signals: loggedIn(dict) with the hub's login result.
FirstAdministratorDialog signals: created(str username, str display_name, str password).
ChangePasswordDialog signals: passwordChanged().
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QDateTime, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.access.hub_requests import ReplyHandler, hub_error_text
from console.access.password_policy import PasswordCheck, new_password_problem, password_problem, policy_text
from console.access.role_names import role_name
from console.hub.bridge import HubReply
from services.access.demo_accounts import DemoAccount

log = logging.getLogger(__name__)

# submit(username, password, on_reply): sends `login` to the hub; on_reply runs on the GUI thread.
SubmitLogin = Callable[[str, str, ReplyHandler], None]
# request(action, args, on_reply): one hub request; HubBridge.request fits.
Request = Callable[[str, dict[str, Any], ReplyHandler], object]

ERROR_STYLE = "color: #ff7b7b;"
INFO_STYLE = "color: #9fb3c8;"
DIALOG_WIDTH = 500


def format_clock(epoch_s: float) -> str:
    """HH:mm today, or with the date when it is another day (a lock may run past midnight)."""
    moment = QDateTime.fromSecsSinceEpoch(int(epoch_s))
    if moment.date() == QDateTime.currentDateTime().date():
        return moment.toString("HH:mm")
    return moment.toString("yyyy-MM-dd HH:mm")


def login_failure_text(reply: HubReply) -> str:
    """Why a login failed, in the operator's words (shared by the login dialog and the lock screen)."""
    if reply.error_code == "unauthorized":
        # The same sentence for a wrong name and a wrong password: no hint which one exists.
        return QCoreApplication.translate("LoginMessages", "Wrong user name or password.")
    if reply.error_code == "locked":
        until = reply.result.get("locked_until")
        if isinstance(until, int | float) and not isinstance(until, bool) and until > 0:
            return QCoreApplication.translate(
                "LoginMessages", "Too many failed attempts: this account is locked until %1."
            ).replace("%1", format_clock(float(until)))
        return QCoreApplication.translate(
            "LoginMessages", "Too many failed attempts: this account is locked."
        )
    if reply.error_code == "forbidden":
        return QCoreApplication.translate("LoginMessages", "This account is disabled. Ask an administrator.")
    if reply.error_code == "not_connected":
        return QCoreApplication.translate(
            "LoginMessages", "The hub is not connected yet: the login is retried as soon as it connects."
        )
    return hub_error_text(reply.error_code, reply.error)


def set_message(label: QLabel, text: str, *, error: bool) -> None:
    label.setProperty("error", error)
    label.setStyleSheet(ERROR_STYLE if error else INFO_STYLE)
    label.setText(text)


class LoginDialog(QDialog):
    """User name and password; in demo mode also the demo accounts, which fill the fields on click."""

    loggedIn = Signal(dict)

    def __init__(
        self,
        submit: SubmitLogin,
        *,
        demo_accounts: Sequence[DemoAccount] = (),
        hub_connected: bool = True,
        username: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setModal(True)
        self.setMinimumWidth(DIALOG_WIDTH)
        self._submit = submit
        self._demo_accounts = list(demo_accounts)
        self._attempt = 0  # replies to an earlier attempt are ignored
        self._busy = False
        self._hub_connected = hub_connected
        self._retry_when_connected = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(10)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("loginTitle")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setStyleSheet("font-size: 18pt; font-weight: bold; color: #ffffff;")
        self.subtitle_label = QLabel(self)
        self.subtitle_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle_label.setStyleSheet(INFO_STYLE)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
        layout.addSpacing(8)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.username_label = QLabel(self)
        self.username_edit = QLineEdit(username, self)
        self.username_edit.setObjectName("loginUsername")
        self.password_label = QLabel(self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("loginPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.username_label, self.username_edit)
        form.addRow(self.password_label, self.password_edit)
        layout.addLayout(form)

        self.message_label = QLabel(self)
        self.message_label.setObjectName("loginMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setMinimumHeight(36)
        layout.addWidget(self.message_label)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.login_button = QPushButton(self)
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)
        self.login_button.setMinimumWidth(120)
        self.login_button.clicked.connect(self.try_login)
        buttons.addWidget(self.login_button)
        layout.addLayout(buttons)
        self.password_edit.returnPressed.connect(self.try_login)
        self.username_edit.returnPressed.connect(self.password_edit.setFocus)

        self.demo_label = QLabel(self)
        self.demo_label.setObjectName("sectionTitle")
        self.demo_table = QTableWidget(self)
        self.demo_table.setObjectName("demoAccounts")
        self._build_demo_table()
        layout.addWidget(self.demo_label)
        layout.addWidget(self.demo_table)
        demo = bool(self._demo_accounts)
        self.demo_label.setVisible(demo)
        self.demo_table.setVisible(demo)

        self.retranslate_ui()
        if not hub_connected:
            set_message(self.message_label, self._waiting_text(), error=False)
        (self.password_edit if username else self.username_edit).setFocus()

    # --- demo accounts ---------------------------------------------------------------------------
    def _build_demo_table(self) -> None:
        table = self.demo_table
        table.setColumnCount(3)
        table.setRowCount(len(self._demo_accounts))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.setAlternatingRowColors(True)
        table.cellClicked.connect(lambda row, _column: self.use_demo_account(row))
        rows = max(len(self._demo_accounts), 1)
        table.setFixedHeight(header.sizeHint().height() + rows * 30 + 6)
        for row in range(rows if self._demo_accounts else 0):
            table.setRowHeight(row, 30)

    def _fill_demo_rows(self) -> None:
        for row, (username, _display_name, role, _district, password) in enumerate(self._demo_accounts):
            for column, text in enumerate((username, role_name(str(role)), password)):
                item = QTableWidgetItem(text)
                item.setToolTip(self.tr("Click to fill in this account"))
                self.demo_table.setItem(row, column, item)

    def use_demo_account(self, row: int) -> None:
        """Fill the fields with demo account *row* (the operator still presses Log in)."""
        if not 0 <= row < len(self._demo_accounts) or self._busy:
            return
        username, _display_name, _role, _district, password = self._demo_accounts[row]
        self.username_edit.setText(username)
        self.password_edit.setText(password)
        self.login_button.setFocus()

    # --- logging in ------------------------------------------------------------------------------
    def try_login(self) -> bool:
        """Send the login; True when it went out (False when busy or a field is empty)."""
        if self._busy:
            return False
        username = self.username_edit.text().strip()
        password = self.password_edit.text()
        if not username or not password:
            set_message(self.message_label, self.tr("Enter your user name and password."), error=True)
            (self.username_edit if not username else self.password_edit).setFocus()
            return False
        self._attempt += 1
        attempt = self._attempt
        self._retry_when_connected = False
        self._set_busy(True)
        set_message(self.message_label, self.tr("Checking…"), error=False)
        self._submit(username, password, lambda reply: self._on_reply(attempt, reply))
        return True

    def _on_reply(self, attempt: int, reply: HubReply) -> None:
        if attempt != self._attempt:
            return  # an answer to an attempt the operator has already moved on from
        self._set_busy(False)
        if reply.ok:
            set_message(self.message_label, "", error=False)
            self.password_edit.clear()
            self.loggedIn.emit(dict(reply.result))
            self.accept()
            return
        log.info("login refused: %s", reply.error_code)
        set_message(self.message_label, login_failure_text(reply), error=True)
        if reply.error_code == "not_connected":
            self._retry_when_connected = True
            return
        self.password_edit.clear()
        self.password_edit.setFocus()

    def set_hub_connected(self, connected: bool, _detail: str = "") -> None:
        """The hub link came up or went down (HubBridge.connectionChanged fits this slot)."""
        self._hub_connected = connected
        if connected and self._retry_when_connected and not self._busy:
            self.try_login()
        elif not connected and not self._busy and not self._retry_when_connected:
            set_message(self.message_label, self._waiting_text(), error=False)
        elif connected and self.message_label.text() == self._waiting_text():
            set_message(self.message_label, "", error=False)

    def _waiting_text(self) -> str:
        return self.tr("Waiting for the hub to connect…")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.username_edit, self.password_edit, self.login_button, self.demo_table):
            widget.setEnabled(not busy)
        self.login_button.setText(self.tr("Logging in…") if busy else self.tr("Log in"))
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    @property
    def is_busy(self) -> bool:
        return self._busy

    def reject(self) -> None:
        self._attempt += 1  # a late answer must not log anyone in
        self._set_busy(False)
        super().reject()

    # --- text ------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Log in"))
        self.title_label.setText(self.tr("SafeCampus Command Centre"))
        self.subtitle_label.setText(self.tr("Log in with your operator account"))
        self.username_label.setText(self.tr("User name:"))
        self.password_label.setText(self.tr("Password:"))
        self.login_button.setText(self.tr("Logging in…") if self._busy else self.tr("Log in"))
        self.demo_label.setText(self.tr("Demo accounts (demo data only; click to fill in)"))
        self.demo_table.setHorizontalHeaderLabels(
            [self.tr("User name"), self.tr("Role"), self.tr("Password")]
        )
        self._fill_demo_rows()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class FirstAdministratorDialog(QDialog):
    """Creates the first administrator when the hub has no operator yet (set-up)."""

    created = Signal(str, str, str)

    def __init__(
        self, check_password: PasswordCheck = password_problem, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("firstAdministratorDialog")
        self.setModal(True)
        self.setMinimumWidth(DIALOG_WIDTH + 60)
        self._check_password = check_password
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        self.intro_label = QLabel(self)
        self.intro_label.setWordWrap(True)
        layout.addWidget(self.intro_label)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.username_label = QLabel(self)
        self.username_edit = QLineEdit(self)
        self.display_name_label = QLabel(self)
        self.display_name_edit = QLineEdit(self)
        self.password_label = QLabel(self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_label = QLabel(self)
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.username_label, self.username_edit)
        form.addRow(self.display_name_label, self.display_name_edit)
        form.addRow(self.password_label, self.password_edit)
        form.addRow(self.repeat_label, self.repeat_edit)
        layout.addLayout(form)
        self.policy_label = QLabel(self)
        self.policy_label.setWordWrap(True)
        self.policy_label.setStyleSheet(INFO_STYLE)
        layout.addWidget(self.policy_label)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        self.create_button = QPushButton(self)
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.try_create)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)
        self.retranslate_ui()

    def try_create(self) -> bool:
        """Emit created(...) and close when the entries are acceptable; else say what is wrong."""
        username = self.username_edit.text().strip()
        display_name = self.display_name_edit.text().strip()
        password = self.password_edit.text()
        if not username or not display_name:
            set_message(self.message_label, self.tr("Enter a user name and a display name."), error=True)
            return False
        problem = new_password_problem(username, password, self.repeat_edit.text(), self._check_password)
        if problem is not None:
            set_message(self.message_label, problem, error=True)
            return False
        self.created.emit(username, display_name, password)
        self.password_edit.clear()
        self.repeat_edit.clear()
        self.accept()
        return True

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("First administrator"))
        self.intro_label.setText(
            self.tr(
                "No operator exists yet. Create the first administrator: this account then creates "
                "the other operators."
            )
        )
        self.username_label.setText(self.tr("User name:"))
        self.display_name_label.setText(self.tr("Display name:"))
        self.password_label.setText(self.tr("Password:"))
        self.repeat_label.setText(self.tr("Repeat password:"))
        self.policy_label.setText(self.tr("Password rule: %1").replace("%1", policy_text()))
        self.cancel_button.setText(self.tr("Cancel"))
        self.create_button.setText(self.tr("Create administrator"))


class ChangePasswordDialog(QDialog):
    """The operator changes their own password (asked at login when the hub says it must change)."""

    passwordChanged = Signal()

    def __init__(
        self,
        request: Request,
        username: str,
        *,
        check_password: PasswordCheck = password_problem,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("changePasswordDialog")
        self.setModal(True)
        self.setMinimumWidth(DIALOG_WIDTH)
        self._request = request
        self._username = username
        self._check_password = check_password
        self._busy = False
        layout = QVBoxLayout(self)
        self.intro_label = QLabel(self)
        self.intro_label.setWordWrap(True)
        layout.addWidget(self.intro_label)
        form = QFormLayout()
        self.old_label = QLabel(self)
        self.old_edit = QLineEdit(self)
        self.new_label = QLabel(self)
        self.new_edit = QLineEdit(self)
        self.repeat_label = QLabel(self)
        self.repeat_edit = QLineEdit(self)
        for edit in (self.old_edit, self.new_edit, self.repeat_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.old_label, self.old_edit)
        form.addRow(self.new_label, self.new_edit)
        form.addRow(self.repeat_label, self.repeat_edit)
        layout.addLayout(form)
        self.policy_label = QLabel(self)
        self.policy_label.setWordWrap(True)
        self.policy_label.setStyleSheet(INFO_STYLE)
        layout.addWidget(self.policy_label)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        self.change_button = QPushButton(self)
        self.change_button.setDefault(True)
        self.change_button.clicked.connect(self.try_change)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.change_button)
        layout.addLayout(buttons)
        self.retranslate_ui()

    def set_required(self, required: bool) -> None:
        """When the hub requires the change, there is no way round it but logging out."""
        self.cancel_button.setVisible(not required)

    def try_change(self) -> bool:
        if self._busy:
            return False
        new = self.new_edit.text()
        problem = new_password_problem(self._username, new, self.repeat_edit.text(), self._check_password)
        if problem is not None:
            set_message(self.message_label, problem, error=True)
            return False
        self._busy = True
        self.change_button.setEnabled(False)
        set_message(self.message_label, self.tr("Changing the password…"), error=False)
        self._request(
            "change_password", {"old_password": self.old_edit.text(), "new_password": new}, self._on_reply
        )
        return True

    def _on_reply(self, reply: HubReply) -> None:
        self._busy = False
        self.change_button.setEnabled(True)
        if reply.ok:
            for edit in (self.old_edit, self.new_edit, self.repeat_edit):
                edit.clear()
            self.passwordChanged.emit()
            self.accept()
            return
        if reply.error_code == "unauthorized":
            text = self.tr("The current password is wrong.")
        else:
            text = hub_error_text(reply.error_code, reply.error)
        set_message(self.message_label, text, error=True)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Change password"))
        self.intro_label.setText(self.tr("Choose a new password for %1.").replace("%1", self._username))
        self.old_label.setText(self.tr("Current password:"))
        self.new_label.setText(self.tr("New password:"))
        self.repeat_label.setText(self.tr("Repeat new password:"))
        self.policy_label.setText(self.tr("Password rule: %1").replace("%1", policy_text()))
        self.cancel_button.setText(self.tr("Cancel"))
        self.change_button.setText(self.tr("Change password"))
