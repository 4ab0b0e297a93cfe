"""Who is at the console: first administrator, login, idle lock, logout and session loss.

The hub decides who may do what; this flow only makes sure an operator is logged in through the
hub before the console shows live data or sends anything, and that an idle console locks. The
password is handed to the hub's login request and never kept.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from console.access.current_operator import CurrentOperator, LoginResultError
from console.access.idle_lock import IdleLock, LockScreen
from console.access.login_dialog import FirstAdministratorDialog, LoginDialog
from console.access.role_names import role_name
from console.cli import PASSWORD_ENV, Options
from console.db_bridge import DatabaseBridge, JobContext
from console.hub.bridge import HubBridge, HubReply
from services.access.accounts import AccountError, OperatorInfo, create_first_administrator
from services.access.demo_accounts import DEMO_ACCOUNTS

log = logging.getLogger(__name__)


class LoginFlow(QObject):
    """Signals: operatorChanged(str) with "name (role)" or "" when nobody is logged in."""

    operatorChanged = Signal(str)

    def __init__(
        self,
        hub: HubBridge,
        database: DatabaseBridge,
        window: QWidget,
        options: Options,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._hub = hub
        self._database = database
        self._window = window
        self._options = options
        self.operator = CurrentOperator(self)
        self.idle_lock = IdleLock(parent=self)
        self.lock_screen = LockScreen(self._submit, window)
        self.lock_screen.hide()
        self._dialog: LoginDialog | None = None
        self._first_admin: FirstAdministratorDialog | None = None
        self._ready = False  # the database has said whether operators exist
        self._auto_login_tried = False

        hub.loggedIn.connect(self._on_logged_in)
        hub.sessionEnded.connect(self._on_session_ended)
        hub.connectionChanged.connect(self._on_connection)
        self.idle_lock.lockRequested.connect(self.lock)
        self.lock_screen.switchOperatorRequested.connect(self.log_out)

    # --- start ---------------------------------------------------------------------------------
    def start(self, operators_in_database: int) -> None:
        """Called once the database is open: ask for the first administrator or for a login."""
        self._ready = True
        if operators_in_database == 0 and self._hub_is_embedded():
            self._ask_first_administrator()
            return
        self._ask_login()

    def _hub_is_embedded(self) -> bool:
        return self._options.hub_endpoint is None

    def _ask_first_administrator(self) -> None:
        if self._options.no_dialogs:
            log.error("no operator account exists: create one with `safecampus-hub operator add`")
            return
        dialog = FirstAdministratorDialog(parent=self._window)
        dialog.created.connect(self._create_first_administrator)
        self._first_admin = dialog
        dialog.open()

    def _create_first_administrator(self, username: str, display_name: str, password: str) -> None:
        def job(ctx: JobContext) -> OperatorInfo:
            from sqlalchemy.orm import Session

            with Session(ctx.engine) as session, session.begin():
                return create_first_administrator(session, username, display_name, password)

        def done(_info: object) -> None:
            log.info("first administrator %s created", username)
            self._close_first_admin()
            self._ask_login(username)

        def failed(error: BaseException) -> None:
            log.error("the first administrator was not created: %s", error)
            self._close_first_admin()
            if isinstance(error, AccountError) and error.code == "exists":
                self._ask_login(username)  # someone else created one meanwhile
            else:
                self._ask_first_administrator()

        self._database.submit(job, on_done=done, on_error=failed)

    def _close_first_admin(self) -> None:
        if self._first_admin is not None:
            self._first_admin.close()
            self._first_admin.deleteLater()
            self._first_admin = None

    # --- login ---------------------------------------------------------------------------------
    def _submit(self, username: str, password: str, on_reply: Callable[[HubReply], None]) -> None:
        self._hub.login(username, password, on_reply)

    def _on_connection(self, connected: bool, detail: str) -> None:
        if self._dialog is not None:
            self._dialog.set_hub_connected(connected, detail)
        if connected and self._ready:
            self._try_auto_login()

    def _try_auto_login(self) -> bool:
        user = self._options.login_user
        password = os.environ.get(PASSWORD_ENV, "")
        if self._auto_login_tried or not user or not password or self.operator.is_logged_in:
            return False
        if not self._hub.is_connected:
            return True  # tried when the hub connects
        self._auto_login_tried = True

        def answered(reply: HubReply) -> None:
            if not reply.ok:
                log.error("automatic login of %s failed: %s: %s", user, reply.error_code, reply.error)
                self._show_login_dialog(user)

        self._hub.login(user, password, answered)
        return True

    def _ask_login(self, username: str = "") -> None:
        if self.operator.is_logged_in:
            return
        if self._try_auto_login():
            return
        self._show_login_dialog(username or self._options.login_user or "")

    def _show_login_dialog(self, username: str = "") -> None:
        if self._options.no_dialogs or self._dialog is not None:
            return
        demo = DEMO_ACCOUNTS if self._options.demo else ()
        dialog = LoginDialog(
            self._submit,
            demo_accounts=demo,
            hub_connected=self._hub.is_connected,
            username=username,
            parent=self._window,
        )
        dialog.rejected.connect(self._on_dialog_rejected)
        self._dialog = dialog
        dialog.open()

    def _on_dialog_rejected(self) -> None:
        # Without an operator the console shows nothing live; closing the dialog quits.
        self._drop_dialog()
        if not self.operator.is_logged_in:
            log.info("login cancelled: closing the console")
            self._window.close()

    def _drop_dialog(self) -> None:
        dialog, self._dialog = self._dialog, None
        if dialog is not None:
            dialog.rejected.disconnect(self._on_dialog_rejected)
            dialog.close()
            dialog.deleteLater()

    def _on_logged_in(self, result: dict[str, object]) -> None:
        try:
            self.operator.set_from_login(result)
        except LoginResultError:
            return
        self._drop_dialog()
        if self.lock_screen.is_locked:
            self.lock_screen.release()
        self.idle_lock.start(self.operator.idle_lock_s)
        self.operatorChanged.emit(self.describe())

    def describe(self) -> str:
        if not self.operator.is_logged_in:
            return ""
        return f"{self.operator.name_for_display} ({role_name(self.operator.role)})"

    # --- lock, logout, loss ----------------------------------------------------------------------
    def lock(self) -> None:
        if not self.operator.is_logged_in or self.lock_screen.is_locked:
            return
        self.idle_lock.stop()
        self.lock_screen.lock(self.operator.username, self.operator.name_for_display)
        log.info("console locked after %d s without input", self.operator.idle_lock_s)

    def log_out(self) -> None:
        if self.operator.is_logged_in:
            self._hub.logout()
        self._forget_operator()
        self._show_login_dialog()

    def _on_session_ended(self, reason: str) -> None:
        log.info("the operator's session ended: %s", reason)
        self._forget_operator()
        self._show_login_dialog()

    def _forget_operator(self) -> None:
        self.idle_lock.stop()
        if self.lock_screen.is_locked:
            self.lock_screen.release()
        self.operator.clear()
        self.operatorChanged.emit("")

    def shutdown(self) -> None:
        self.idle_lock.stop()
        if self.lock_screen.is_locked:
            self.lock_screen.release()
        self._drop_dialog()
        self._close_first_admin()
