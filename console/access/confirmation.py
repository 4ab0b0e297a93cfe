"""The second confirmation of a city-wide emergency or drill action.

A slip of the hand must never set off an alarm in every school: the dialog names the action and
the number of schools, and its confirm button only enables once the operator has typed that number
(or 确认). Cancel is the default button, so Enter alone cancels.

`send_confirmed` is the request loop around it: the hub answers an unconfirmed city-wide
`send_command` with error_code "confirmation_required" and a one-time confirmation id; after the
operator confirms, the same request goes again with args["confirmation"] set to that id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.access.hub_requests import ReplyHandler
from console.hub.bridge import HubReply

log = logging.getLogger(__name__)

CONFIRM_WORD = "确认"  # accepted in every language: the word the bureau's own procedures use
Request = Callable[[str, dict[str, Any], ReplyHandler], object]
# ask(action_text, schools) -> True when the operator confirmed.
Ask = Callable[[str, int], bool]


class CityWideConfirmationDialog(QDialog):
    def __init__(self, action_text: str, schools: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cityWideConfirmation")
        self.setModal(True)
        self.setMinimumWidth(480)
        self._schools = schools
        self.setWindowTitle(self.tr("Confirm a wide-area action"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        self.warning_label = QLabel(self.tr("This action reaches schools in more than one district."), self)
        self.warning_label.setStyleSheet("font-size: 13pt; font-weight: bold; color: #ff7b7b;")
        self.warning_label.setWordWrap(True)
        self.action_label = QLabel(self.tr("Action: %1").replace("%1", action_text), self)
        self.action_label.setObjectName("confirmationAction")
        self.action_label.setWordWrap(True)
        count = QLocale().toString(schools)
        self.schools_label = QLabel(self.tr("Schools: %1").replace("%1", count), self)
        self.schools_label.setObjectName("confirmationSchools")
        self.prompt_label = QLabel(
            self.tr("To confirm, type the number of schools (%1) or %2:")
            .replace("%1", str(schools))
            .replace("%2", CONFIRM_WORD),
            self,
        )
        self.prompt_label.setWordWrap(True)
        self.answer_edit = QLineEdit(self)
        self.answer_edit.setObjectName("confirmationAnswer")
        self.answer_edit.textChanged.connect(self._update_button)
        for widget in (
            self.warning_label,
            self.action_label,
            self.schools_label,
            self.prompt_label,
            self.answer_edit,
        ):
            layout.addWidget(widget)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("confirmationCancel")
        self.confirm_button = QPushButton(self.tr("Confirm and send"), self)
        self.confirm_button.setObjectName("confirmationConfirm")
        self.confirm_button.setStyleSheet(
            "QPushButton:enabled { background: #7a1f28; border-color: #ff3040; }"
        )
        # Enter must never confirm: Cancel is the default, the confirm button never becomes one.
        self.cancel_button.setDefault(True)
        self.cancel_button.setAutoDefault(True)
        self.confirm_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button.clicked.connect(self.accept)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        layout.addLayout(buttons)
        self._update_button()

    def answer_matches(self) -> bool:
        answer = self.answer_edit.text().strip().replace(",", "").replace("，", "")
        return answer in (str(self._schools), CONFIRM_WORD)

    def _update_button(self) -> None:
        self.confirm_button.setEnabled(self.answer_matches())

    def accept(self) -> None:
        if not self.answer_matches():
            return  # the button is disabled; this also guards a programmatic accept
        super().accept()


def confirm_city_wide(parent: QWidget | None, action_text: str, schools: int) -> bool:
    """Ask the operator to confirm *action_text* to *schools* schools; True when confirmed."""
    dialog = CityWideConfirmationDialog(action_text, schools, parent)
    try:
        confirmed = dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
    log.info("city-wide %s to %d schools %s", action_text, schools, "confirmed" if confirmed else "cancelled")
    return confirmed


def send_confirmed(
    request: Request,
    action: str,
    args: dict[str, Any],
    on_reply: ReplyHandler,
    ask: Ask,
    describe: Callable[[dict[str, Any]], str] = lambda result: str(result.get("action", "")),
) -> None:
    """Send *action*; when the hub wants a second confirmation, ask and (if confirmed) send again.

    *on_reply* gets the final reply: the hub's answer, or the "confirmation_required" reply itself
    when the operator declined (so the caller can say nothing was sent).
    """

    def first_reply(reply: HubReply) -> None:
        if reply.ok or reply.error_code != "confirmation_required" or "confirmation" in args:
            on_reply(reply)
            return
        confirmation = reply.result.get("confirmation")
        schools = reply.result.get("schools")
        if not isinstance(confirmation, str) or not isinstance(schools, int):
            log.error("the hub asked for a confirmation without its id or school count: %r", reply.result)
            on_reply(reply)
            return
        if not ask(describe(reply.result), schools):
            on_reply(reply)
            return
        request(action, {**args, "confirmation": confirmation}, on_reply)

    request(action, dict(args), first_reply)


__all__ = ["CONFIRM_WORD", "CityWideConfirmationDialog", "confirm_city_wide", "send_confirmed"]
