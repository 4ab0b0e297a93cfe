"""Shows a new enrollment token once: the token to copy, the school, when it expires, what to do.

The hub stores only the token's hash, so this dialog is the one place the token is ever shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.pages.agents_model import format_time


class TokenDialog(QDialog):
    def __init__(self, school: str, token: str, expires_at: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokenDialog")
        self.setWindowTitle(self.tr("Enrollment token"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.intro_label = QLabel(
            self.tr("Enrollment token for school %1. It is shown only this once: copy it now.").replace(
                "%1", school
            ),
            self,
        )
        self.intro_label.setWordWrap(True)
        layout.addWidget(self.intro_label)
        row = QHBoxLayout()
        self.token_edit = QLineEdit(token, self)
        self.token_edit.setObjectName("tokenText")
        self.token_edit.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.token_edit.setFont(mono)
        self.copy_button = QPushButton(self.tr("Copy"), self)
        self.copy_button.clicked.connect(self.copy_token)
        row.addWidget(self.token_edit, 1)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        self.expiry_label = QLabel(self.tr("Valid until %1.").replace("%1", format_time(expires_at)), self)
        layout.addWidget(self.expiry_label)
        self.howto_label = QLabel(
            self.tr(
                "On the school's agent: safecampus-agent enroll --config FILE --token TOKEN, then accept "
                "its request on this page."
            ),
            self,
        )
        self.howto_label.setWordWrap(True)
        self.howto_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.howto_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @property
    def token(self) -> str:
        return self.token_edit.text()

    def copy_token(self) -> None:
        QGuiApplication.clipboard().setText(self.token)
        self.copy_button.setText(self.tr("Copied"))
