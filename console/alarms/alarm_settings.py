"""The operator's alarm preferences at this workstation, kept with the console's settings file:
sounds muted, cameras opened by themselves for new priority-1 incidents, and the screen whose wall
shows an incident's cameras ("" for the main wall)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QWidget

KEY_MUTED = "alarms/muted"
KEY_AUTO_CAMERAS = "alarms/auto_open_cameras"
KEY_WALL_SCREEN = "alarms/wall_screen"


class AlarmSettings:
    def __init__(self, path: Path) -> None:
        self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    def _flag(self, key: str, default: bool) -> bool:
        value = self._qs.value(key, default)
        return value in (True, "true", "1", 1) if not isinstance(value, bool) else value

    def muted(self) -> bool:
        return self._flag(KEY_MUTED, False)

    def set_muted(self, muted: bool) -> None:
        self._qs.setValue(KEY_MUTED, muted)
        self._qs.sync()

    def auto_open_cameras(self) -> bool:
        return self._flag(KEY_AUTO_CAMERAS, False)

    def set_auto_open_cameras(self, on: bool) -> None:
        self._qs.setValue(KEY_AUTO_CAMERAS, on)
        self._qs.sync()

    def wall_screen(self) -> str:
        return str(self._qs.value(KEY_WALL_SCREEN, "") or "")

    def set_wall_screen(self, name: str) -> None:
        self._qs.setValue(KEY_WALL_SCREEN, name)
        self._qs.sync()


class AlarmSettingsDialog(QDialog):
    """Where the incident cameras go and whether they open by themselves."""

    def __init__(self, settings: AlarmSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmSettings")
        self.setWindowTitle(self.tr("Alarm settings"))
        self._settings = settings
        form = QFormLayout(self)
        self.auto_box = QCheckBox(self.tr("Open the cameras of new priority-1 incidents by themselves"), self)
        self.auto_box.setChecked(settings.auto_open_cameras())
        self.screen_box = QComboBox(self)
        self.screen_box.addItem(self.tr("Main wall (this window)"), "")
        for screen in QGuiApplication.screens():
            size = screen.geometry()
            self.screen_box.addItem(f"{screen.name()} ({size.width()}×{size.height()})", screen.name())
        index = self.screen_box.findData(settings.wall_screen())
        self.screen_box.setCurrentIndex(max(index, 0))
        self.mute_box = QCheckBox(self.tr("Mute alarm sounds"), self)
        self.mute_box.setChecked(settings.muted())
        form.addRow(self.auto_box)
        form.addRow(self.tr("Incident cameras on:"), self.screen_box)
        form.addRow(self.mute_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        self._settings.set_auto_open_cameras(self.auto_box.isChecked())
        self._settings.set_wall_screen(str(self.screen_box.currentData() or ""))
        self._settings.set_muted(self.mute_box.isChecked())
        super().accept()
