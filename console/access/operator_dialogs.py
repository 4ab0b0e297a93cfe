"""The administrator's dialogs for one operator: create or edit the account, set a new password.

They only collect and check the entries; the operators page sends them to the hub. The checks here
spare the obvious round trips; the hub checks everything again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.access.login_dialog import INFO_STYLE, set_message
from console.access.operators_model import OperatorRecord
from console.access.password_policy import PasswordCheck, new_password_problem, password_problem, policy_text
from console.access.role_names import DISTRICT_ROLE, ROLES, role_name
from services.access.accounts import USERNAME_PATTERN


class OperatorDialog(QDialog):
    """A new operator (every field) or an existing one (display name, role, district)."""

    def __init__(
        self,
        districts: Sequence[tuple[str, str]],
        record: OperatorRecord | None = None,
        *,
        check_password: PasswordCheck = password_problem,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("operatorDialog")
        self.setMinimumWidth(480)
        self._record = record
        self._check_password = check_password
        creating = record is None
        self.setWindowTitle(self.tr("New operator") if creating else self.tr("Edit operator"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.username_edit = QLineEdit(record.username if record else "", self)
        self.username_edit.setReadOnly(not creating)
        self.display_name_edit = QLineEdit(record.display_name if record else "", self)
        self.role_combo = QComboBox(self)
        for role in ROLES:
            self.role_combo.addItem(role_name(role), role)
        self.role_combo.setCurrentIndex(
            max(self.role_combo.findData(record.role if record else "operator"), 0)
        )
        self.district_combo = QComboBox(self)
        self.district_combo.addItem(self.tr("Choose a district…"), "")
        for code, name in districts:
            self.district_combo.addItem(name, code)
        if record is not None and record.district_code:
            found = self.district_combo.findData(record.district_code)
            if found < 0:  # a district the console does not list: keep it rather than lose it
                self.district_combo.addItem(record.district_code, record.district_code)
                found = self.district_combo.count() - 1
            self.district_combo.setCurrentIndex(found)
        self.role_combo.currentIndexChanged.connect(self._role_changed)
        form.addRow(self.tr("User name:"), self.username_edit)
        form.addRow(self.tr("Display name:"), self.display_name_edit)
        form.addRow(self.tr("Role:"), self.role_combo)
        self.district_label = QLabel(self.tr("District:"), self)
        form.addRow(self.district_label, self.district_combo)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.policy_label = QLabel(self.tr("Password rule: %1").replace("%1", policy_text()), self)
        self.policy_label.setWordWrap(True)
        self.policy_label.setStyleSheet(INFO_STYLE)
        if creating:
            form.addRow(self.tr("Password:"), self.password_edit)
            form.addRow(self.tr("Repeat password:"), self.repeat_edit)
        else:
            self.password_edit.hide()
            self.repeat_edit.hide()
            self.policy_label.hide()
        layout.addLayout(form)
        layout.addWidget(self.policy_label)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("operatorDialogMessage")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = QPushButton(self.tr("Create") if creating else self.tr("Save"), self)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.accept)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout.addLayout(buttons)
        self._role_changed()

    @property
    def creating(self) -> bool:
        return self._record is None

    def _role_changed(self) -> None:
        scoped = self.role_combo.currentData() == DISTRICT_ROLE
        self.district_combo.setEnabled(scoped)
        self.district_label.setEnabled(scoped)

    def problem(self) -> str | None:
        """What is wrong with the entries, or None."""
        username = self.username_edit.text().strip()
        if self.creating and not USERNAME_PATTERN.match(username.lower()):
            return self.tr(
                "The user name starts with a letter and has 2 to 32 letters, digits, dots, hyphens or "
                "underscores."
            )
        if not self.display_name_edit.text().strip():
            return self.tr("Enter a display name.")
        if self.role_combo.currentData() == DISTRICT_ROLE and not self.district_combo.currentData():
            return self.tr("A district viewer needs a district.")
        if self.creating:
            return new_password_problem(
                username, self.password_edit.text(), self.repeat_edit.text(), self._check_password
            )
        return None

    def accept(self) -> None:
        problem = self.problem()
        if problem is not None:
            set_message(self.message_label, problem, error=True)
            return
        super().accept()

    def values(self) -> dict[str, Any]:
        """The request arguments: every field for a new operator, only the changes for an edit."""
        role = str(self.role_combo.currentData())
        district = str(self.district_combo.currentData() or "") if role == DISTRICT_ROLE else ""
        fields: dict[str, Any] = {
            "username": self.username_edit.text().strip().lower(),
            "display_name": self.display_name_edit.text().strip(),
            "role": role,
            "district_code": district,
        }
        if self._record is None:
            fields["password"] = self.password_edit.text()
            return fields
        old = {
            "display_name": self._record.display_name,
            "role": self._record.role,
            "district_code": self._record.district_code,
        }
        changes = {k: v for k, v in fields.items() if k != "username" and old.get(k) != v}
        return {"username": self._record.username, **changes}


class PasswordResetDialog(QDialog):
    """A new password for another operator; they must change it at their next login."""

    def __init__(
        self,
        username: str,
        *,
        check_password: PasswordCheck = password_problem,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passwordResetDialog")
        self.setMinimumWidth(440)
        self._username = username
        self._check_password = check_password
        self.setWindowTitle(self.tr("Reset password"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        self.intro_label = QLabel(
            self.tr("A new password for %1. They are asked to change it when they next log in.").replace(
                "%1", username
            ),
            self,
        )
        self.intro_label.setWordWrap(True)
        layout.addWidget(self.intro_label)
        form = QFormLayout()
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("New password:"), self.password_edit)
        form.addRow(self.tr("Repeat password:"), self.repeat_edit)
        layout.addLayout(form)
        self.policy_label = QLabel(self.tr("Password rule: %1").replace("%1", policy_text()), self)
        self.policy_label.setWordWrap(True)
        self.policy_label.setStyleSheet(INFO_STYLE)
        layout.addWidget(self.policy_label)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = QPushButton(self.tr("Set password"), self)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.accept)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout.addLayout(buttons)

    def accept(self) -> None:
        problem = new_password_problem(
            self._username, self.password_edit.text(), self.repeat_edit.text(), self._check_password
        )
        if problem is not None:
            set_message(self.message_label, problem, error=True)
            return
        super().accept()

    def password(self) -> str:
        return self.password_edit.text()
