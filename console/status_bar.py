"""The main window's status bar: hub connection, database, start-up progress and a clock."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QEvent, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class ConsoleStatusBar(QStatusBar):
    """Shows what an operator must always see at a glance.

    The hub state is honest: until the school network reports in, it says "not connected".
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self._hub_connected = False
        self._hub_detail = ""
        self._backend = ""
        self._schools: int | None = None
        self._cameras: int | None = None
        self._progress_text = ""
        self._operator = ""

        self.progress_label = QLabel(self)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(False)
        self.addWidget(self.progress_label)
        self.addWidget(self.progress_bar)
        self.hide_progress()

        self.operator_label = QLabel(self)
        self.operator_label.setObjectName("operatorStatus")
        self.addPermanentWidget(self.operator_label)
        self.hub_label = QLabel(self)
        self.database_label = QLabel(self)
        self.database_label.setObjectName("databaseStatus")
        self.clock_label = QLabel(self)
        self.clock_label.setObjectName("clock")
        for label in (self.hub_label, self.database_label, self.clock_label):
            self.addPermanentWidget(label)

        self._clock = QTimer(self)
        self._clock.setObjectName("statusClockTimer")
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self._tick()
        self.retranslate_ui()

    # --- what the rest of the console sets ------------------------------------------------------
    def set_hub_state(self, connected: bool, detail: str = "") -> None:
        """Called by the school-network bridge when the hub connection changes."""
        self._hub_connected = connected
        self._hub_detail = detail
        self._update_hub()

    def set_operator(self, text: str) -> None:
        """The logged-in operator as "name (role)", or "" when nobody is logged in."""
        self._operator = text
        self._update_operator()

    def _update_operator(self) -> None:
        self.operator_label.setText(self._operator or self.tr("Not logged in"))

    def set_database(self, backend: str, schools: int | None, cameras: int | None) -> None:
        self._backend = backend
        self._schools = schools
        self._cameras = cameras
        self._update_database()

    def show_progress(self, text: str, done: int, total: int) -> None:
        """Show start-up or import progress; *total* 0 means 'busy, amount unknown'."""
        self._progress_text = text
        self.progress_label.setText(text)
        self.progress_bar.setRange(0, max(total, 0))
        if total > 0:
            self.progress_bar.setValue(min(done, total))
        self.progress_label.show()
        self.progress_bar.show()

    def hide_progress(self) -> None:
        self._progress_text = ""
        self.progress_label.hide()
        self.progress_bar.hide()

    # --- text ---------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self._update_operator()
        self._update_hub()
        self._update_database()

    def _update_hub(self) -> None:
        if self._hub_connected:
            text = self.tr("Hub: connected")
            self.hub_label.setObjectName("hubConnected")
        else:
            text = self.tr("Hub: not connected")
            self.hub_label.setObjectName("hubDisconnected")
        if self._hub_detail:
            text = f"{text} ({self._hub_detail})"
        self.hub_label.setText(text)
        # The object name drives the colour in the style sheet: re-polish to apply it.
        self.hub_label.style().unpolish(self.hub_label)
        self.hub_label.style().polish(self.hub_label)

    def _update_database(self) -> None:
        if not self._backend:
            self.database_label.setText(self.tr("Database: opening…"))
            return
        name = BACKEND_NAMES.get(self._backend, self._backend)
        if self._schools is None or self._cameras is None:
            self.database_label.setText(self.tr("Database: %1").replace("%1", name))
            return
        self.database_label.setText(
            self.tr("Database: %1 · %2 schools · %3 cameras")
            .replace("%1", name)
            .replace("%2", f"{self._schools:,}")
            .replace("%3", f"{self._cameras:,}")
        )

    def _tick(self) -> None:
        self.clock_label.setText(QDateTime.currentDateTime().toString("yyyy-MM-dd HH:mm:ss"))

    # --- the clock runs only while visible, so a closed window leaves no timer behind --------------
    def showEvent(self, event: QShowEvent) -> None:
        self._tick()
        self._clock.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._clock.stop()
        super().hideEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
