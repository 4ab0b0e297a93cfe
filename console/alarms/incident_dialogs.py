"""The small questions the incident panel asks: a skip reason, the resolution, a transfer target.

Each is a function returning the answer (None when cancelled) so the panel can be given other
functions in tests; the dialogs keep Cancel as the default button, so Enter alone never resolves.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class ResolveDialog(QDialog):
    """The outcome (required) and whether it was a false alarm."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resolveIncident")
        self.setWindowTitle(self.tr("Resolve the incident"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Outcome (what happened, what was done):"), self))
        self.outcome_edit = QPlainTextEdit(self)
        self.outcome_edit.setObjectName("resolveOutcome")
        layout.addWidget(self.outcome_edit)
        self.false_alarm_box = QCheckBox(self.tr("False alarm"), self)
        self.false_alarm_box.setObjectName("resolveFalseAlarm")
        layout.addWidget(self.false_alarm_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Resolve"))
        ok.setAutoDefault(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.outcome_edit.textChanged.connect(self._update)
        self._update()

    def outcome(self) -> str:
        return self.outcome_edit.toPlainText().strip()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.outcome()))


def ask_resolution(parent: QWidget | None) -> tuple[str, bool] | None:
    dialog = ResolveDialog(parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.outcome():
            return None
        return dialog.outcome(), dialog.false_alarm_box.isChecked()
    finally:
        dialog.deleteLater()


def ask_skip_reason(parent: QWidget | None, step_text: str) -> str | None:
    title = QCoreApplication.translate("IncidentDialogs", "Skip a step")
    label = QCoreApplication.translate("IncidentDialogs", "Why is “%1” skipped?").replace("%1", step_text)
    text, ok = QInputDialog.getText(parent, title, label)
    return text.strip() if ok and text.strip() else None


class TransferDialog(QDialog):
    """The operator to hand the incident to (the hub checks they may handle alarms)."""

    def __init__(self, candidates: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transferIncident")
        self.setWindowTitle(self.tr("Transfer the incident"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Operator (user name) who takes over:"), self))
        self.operator_box = QComboBox(self)
        self.operator_box.setEditable(True)
        self.operator_box.addItems(list(candidates))
        self.operator_box.setCurrentText("")
        layout.addWidget(self.operator_box)
        layout.addWidget(QLabel(self.tr("They are asked to accept; until then you keep it."), self))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Transfer"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def operator(self) -> str:
        return self.operator_box.currentText().strip()


def ask_transfer_target(parent: QWidget | None, candidates: Sequence[str]) -> str | None:
    dialog = TransferDialog(candidates, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.operator():
            return None
        return dialog.operator()
    finally:
        dialog.deleteLater()
