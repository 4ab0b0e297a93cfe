"""The idle lock: after a spell without input the console locks behind a screen of its own.

`IdleLock` watches the whole application's input through an event filter and, after
`idle_lock_s` seconds without a key, click, wheel or mouse movement, emits `lockRequested()`. It
keeps one single-shot timer aimed at the deadline instead of restarting a timer on every mouse
movement: an input only stores the time, and the timer re-aims when it fires early.

`LockScreen` is an overlay over the main window. It paints opaque (nothing of the city shows
while the operator is away) and, while it is up, an input guard drops every key, mouse, wheel and
shortcut event meant for anything outside it, so nothing beneath it takes input. Only a modal
dialog (the login dialog after "Switch operator") gets through. Unlocking sends `login` again for
the same operator through the `submit` it is given.

IdleLock signals: lockRequested().
LockScreen signals: unlocked(dict) with the fresh login result; switchOperatorRequested().
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.access.login_dialog import INFO_STYLE, SubmitLogin, login_failure_text, set_message
from console.hub.bridge import HubReply

log = logging.getLogger(__name__)

# What counts as the operator being there.
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.HoverMove,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
    }
)
# What the lock screen keeps from everything beneath it.
BLOCKED_EVENTS = frozenset(
    {
        *INPUT_EVENTS,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.KeyRelease,
        QEvent.Type.Shortcut,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.ContextMenu,
        QEvent.Type.TouchEnd,
        QEvent.Type.TabletRelease,
        QEvent.Type.TabletMove,
    }
)
MIN_IDLE_LOCK_S = 5  # shorter would lock an operator out while they read
OVERLAY_COLOR = QColor(8, 13, 20, 250)
PANEL_WIDTH = 440


class IdleLock(QObject):
    lockRequested = Signal()

    def __init__(
        self,
        idle_lock_s: int = 600,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._idle_s = max(int(idle_lock_s), MIN_IDLE_LOCK_S)
        self._clock = clock
        self._last_input = clock()
        self._running = False
        self._timer = QTimer(self)
        self._timer.setObjectName("idleLockTimer")
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)

    @property
    def idle_lock_s(self) -> int:
        return self._idle_s

    @property
    def is_running(self) -> bool:
        return self._running

    def start(self, idle_lock_s: int | None = None) -> None:
        """Watch input from now on (after a login or an unlock); *idle_lock_s* from the hub's login."""
        if idle_lock_s is not None:
            self._idle_s = max(int(idle_lock_s), MIN_IDLE_LOCK_S)
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("the idle lock needs a running QApplication")
        if not self._running:
            app.installEventFilter(self)
            self._running = True
        self._last_input = self._clock()
        self._timer.start(self._idle_s * 1000)

    def stop(self) -> None:
        """Stop watching (logout, lock, shutdown): no timer and no filter is left behind."""
        self._timer.stop()
        if self._running:
            app = QCoreApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            self._running = False

    def note_activity(self) -> None:
        self._last_input = self._clock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._last_input = self._clock()
        return False

    def _check(self) -> None:
        idle = self._clock() - self._last_input
        if idle + 0.05 < self._idle_s:
            # There was input since the timer was aimed: aim again at the new deadline.
            self._timer.start(max(int((self._idle_s - idle) * 1000), 50))
            return
        log.info("no input for %d s: locking the console", self._idle_s)
        self.stop()
        self.lockRequested.emit()


class _InputGuard(QObject):
    """Drops input meant for anything outside the lock screen (or the active modal dialog)."""

    def __init__(self, screen: LockScreen) -> None:
        super().__init__(screen)
        self._screen = screen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in BLOCKED_EVENTS:
            return False
        if isinstance(watched, QWidget):
            if watched is self._screen or self._screen.isAncestorOf(watched):
                return False
            modal = QApplication.activeModalWidget()
            if modal is not None and watched.window() is modal:
                return False
        elif event.type() not in (QEvent.Type.Shortcut, QEvent.Type.ShortcutOverride):
            return False  # input to a non-widget (a window handle): its widget gets it next
        return True


class LockScreen(QWidget):
    unlocked = Signal(dict)
    switchOperatorRequested = Signal()

    def __init__(self, submit: SubmitLogin, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self._submit = submit
        self._username = ""
        self._display_name = ""
        self._busy = False
        self._attempt = 0
        self._guard = _InputGuard(self)
        self._guarding = False
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)
        self.setAutoFillBackground(False)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.panel = QFrame(self)
        self.panel.setObjectName("lockPanel")
        self.panel.setFixedWidth(PANEL_WIDTH)
        self.panel.setStyleSheet(
            "QFrame#lockPanel { background: #101b28; border: 1px solid #274059; border-radius: 6px; }"
        )
        row.addWidget(self.panel)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)

        layout = QVBoxLayout(self.panel)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(10)
        self.title_label = QLabel(self.panel)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setStyleSheet("font-size: 16pt; font-weight: bold; color: #ffffff;")
        self.operator_label = QLabel(self.panel)
        self.operator_label.setObjectName("lockOperator")
        self.operator_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.operator_label.setWordWrap(True)
        self.hint_label = QLabel(self.panel)
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet(INFO_STYLE)
        self.password_edit = QLineEdit(self.panel)
        self.password_edit.setObjectName("lockPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.returnPressed.connect(self.try_unlock)
        self.message_label = QLabel(self.panel)
        self.message_label.setObjectName("lockMessage")
        self.message_label.setWordWrap(True)
        buttons = QHBoxLayout()
        self.switch_button = QPushButton(self.panel)
        self.switch_button.setObjectName("switchOperatorButton")
        self.switch_button.clicked.connect(self._switch_clicked)
        self.unlock_button = QPushButton(self.panel)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        for widget in (self.title_label, self.operator_label, self.hint_label, self.password_edit):
            layout.addWidget(widget)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)

        parent.installEventFilter(self)
        self.hide()
        self.retranslate_ui()

    # --- locking ---------------------------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return self._guarding

    @property
    def username(self) -> str:
        return self._username

    def lock(self, username: str, display_name: str = "") -> None:
        """Cover the window for *username*; only their password (or a switch of operator) opens it."""
        self._username = username
        self._display_name = display_name or username
        self._attempt += 1
        self._set_busy(False)
        self.password_edit.clear()
        set_message(self.message_label, "", error=False)
        self.retranslate_ui()
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        if not self._guarding:
            app = QCoreApplication.instance()
            if app is not None:
                app.installEventFilter(self._guard)
            self._guarding = True
        self.show()
        self.raise_()
        self.password_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        log.info("console locked for operator %s", username)

    def release(self) -> None:
        """Take the screen away (after an unlock, or once another operator has logged in)."""
        self._attempt += 1
        self._set_busy(False)
        self.password_edit.clear()
        if self._guarding:
            app = QCoreApplication.instance()
            if app is not None:
                app.removeEventFilter(self._guard)
            self._guarding = False
        self.hide()

    def try_unlock(self) -> bool:
        if self._busy or not self._guarding:
            return False
        password = self.password_edit.text()
        if not password:
            set_message(self.message_label, self.tr("Enter your password."), error=True)
            return False
        self._attempt += 1
        attempt = self._attempt
        self._set_busy(True)
        set_message(self.message_label, self.tr("Checking…"), error=False)
        self._submit(self._username, password, lambda reply: self._on_reply(attempt, reply))
        return True

    def _on_reply(self, attempt: int, reply: HubReply) -> None:
        if attempt != self._attempt:
            return
        self._set_busy(False)
        self.password_edit.clear()
        if reply.ok:
            result = dict(reply.result)
            self.release()
            self.unlocked.emit(result)
            return
        set_message(self.message_label, login_failure_text(reply), error=True)
        self.password_edit.setFocus()

    def _switch_clicked(self) -> None:
        self._attempt += 1  # an unlock still on its way no longer counts
        self._set_busy(False)
        self.password_edit.clear()
        self.switchOperatorRequested.emit()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.password_edit.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)

    # --- covering the window ---------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if (
            parent is not None
            and watched is parent
            and event.type() == QEvent.Type.Resize
            and self.isVisible()
        ):
            self.setGeometry(parent.rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), OVERLAY_COLOR)
        painter.end()

    def retranslate_ui(self) -> None:
        self.title_label.setText(self.tr("Console locked"))
        if self._display_name and self._display_name != self._username:
            who = f"{self._display_name} ({self._username})"
        else:
            who = self._username
        self.operator_label.setText(self.tr("Operator: %1").replace("%1", who))
        self.hint_label.setText(self.tr("Locked after a time without input. Enter your password to go on."))
        self.password_edit.setPlaceholderText(self.tr("Password"))
        self.unlock_button.setText(self.tr("Unlock"))
        self.switch_button.setText(self.tr("Switch operator"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
