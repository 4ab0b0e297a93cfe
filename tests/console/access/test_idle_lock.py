"""The idle lock and the lock screen over the main window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QLineEdit, QMainWindow, QPushButton, QVBoxLayout, QWidget

import console.access.idle_lock as idle_lock_module
from console.access.idle_lock import IdleLock, LockScreen
from console.access.login_dialog import LoginDialog
from tests.console.access.test_login_dialog import LOGIN_RESULT, FakeLogin

pytestmark = pytest.mark.gui


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def idle(qapp):
    clock = FakeClock()
    lock = IdleLock(60, clock=clock)
    lock.clock = clock  # type: ignore[attr-defined]
    yield lock
    lock.stop()
    lock.deleteLater()


def test_lock_is_requested_after_the_idle_time_without_input(idle, qtbot):
    idle.start()
    assert idle.is_running and idle._timer.isActive()
    idle.clock.now += 61
    with qtbot.waitSignal(idle.lockRequested, timeout=1000):
        idle._check()
    assert not idle.is_running and not idle._timer.isActive()


def test_input_pushes_the_lock_back(idle, qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    idle.start()
    idle.clock.now += 50
    qtbot.keyClick(window, Qt.Key.Key_A)  # the operator is there
    idle.clock.now += 20  # 70 s since the start, 20 s since the key
    with qtbot.assertNotEmitted(idle.lockRequested):
        idle._check()
    # The timer is aimed again at the remaining 40 s (a coarse timer may add up to 5 %).
    assert idle._timer.isActive() and 39_000 <= idle._timer.remainingTime() <= 42_000
    window.close()


def test_the_real_timer_fires_and_stop_leaves_nothing_running(qapp, qtbot, monkeypatch):
    monkeypatch.setattr(idle_lock_module, "MIN_IDLE_LOCK_S", 1)
    lock = IdleLock(1)
    with qtbot.waitSignal(lock.lockRequested, timeout=3000):
        lock.start()
    lock.start(30)
    assert lock.idle_lock_s == 30 and lock._timer.isActive()
    lock.stop()
    assert not lock._timer.isActive() and not lock.is_running
    lock.deleteLater()


class Window(QMainWindow):
    """A main window with something to click, type into and a shortcut."""

    def __init__(self) -> None:
        super().__init__()
        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.edit = QLineEdit(central)
        self.button = QPushButton("Do it", central)
        self.clicks = 0
        self.button.clicked.connect(self._clicked)
        self.red = QWidget(central)
        self.red.setAutoFillBackground(True)
        palette = self.red.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#ff0000"))
        self.red.setPalette(palette)
        self.red.setMinimumHeight(200)
        layout.addWidget(self.edit)
        layout.addWidget(self.button)
        layout.addWidget(self.red)
        self.setCentralWidget(central)
        self.shortcuts = 0
        action = QAction("Shortcut", self)
        action.setShortcut(QKeySequence("Ctrl+K"))
        action.triggered.connect(self._shortcut)
        self.addAction(action)
        self.resize(900, 600)

    def _clicked(self) -> None:
        self.clicks += 1

    def _shortcut(self) -> None:
        self.shortcuts += 1


@pytest.fixture
def locked(qtbot):
    window = Window()
    qtbot.addWidget(window)
    submit = FakeLogin()
    screen = LockScreen(submit, window)
    window.show()
    qtbot.waitExposed(window)
    screen.lock("wangwei", "王伟")
    qtbot.waitUntil(screen.isVisible, timeout=1000)
    yield window, screen, submit
    screen.release()
    window.close()


def test_the_lock_screen_covers_the_window_and_hides_it(locked, qtbot):
    window, screen, _submit = locked
    assert screen.is_locked and screen.geometry() == window.rect()
    assert "王伟 (wangwei)" in screen.operator_label.text()
    image = window.grab().toImage()
    corner = window.red.mapTo(window, QPoint(5, 5))
    pixel = image.pixelColor(corner)
    assert pixel.red() < 40, f"the red panel shows through the lock: {pixel.name()}"
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: screen.geometry() == window.rect(), timeout=1000)


def test_nothing_under_the_lock_takes_input(locked, qtbot):
    window, screen, _submit = locked
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.edit, "abc")
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.clicks == 0 and window.edit.text() == "" and window.shortcuts == 0
    qtbot.keyClicks(screen.password_edit, "pw")
    assert screen.password_edit.text() == "pw"


def test_a_wrong_password_keeps_it_locked_and_the_right_one_unlocks(locked, qtbot):
    window, screen, submit = locked
    qtbot.keyClicks(screen.password_edit, "wrong")
    qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)
    assert submit.attempts == [("wangwei", "wrong")]
    assert not screen.unlock_button.isEnabled()  # busy while the hub checks
    submit.reply(False, error_code="unauthorized", error="wrong user name or password")
    assert screen.is_locked and screen.message_label.text() == "Wrong user name or password."
    screen.password_edit.setText("right-one-1")
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(screen.unlocked, timeout=1000) as got:
        submit.reply(True, {**LOGIN_RESULT, "username": "wangwei"})
    assert got.args[0]["username"] == "wangwei"
    assert not screen.is_locked and not screen.isVisible()
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    assert window.clicks == 1  # input reaches the window again


def test_switch_operator_lets_a_modal_login_dialog_take_input(locked, qtbot):
    window, screen, _submit = locked
    with qtbot.waitSignal(screen.switchOperatorRequested, timeout=1000):
        qtbot.mouseClick(screen.switch_button, Qt.MouseButton.LeftButton)
    assert screen.is_locked  # stays up until someone has logged in
    other = FakeLogin()
    dialog = LoginDialog(other, parent=window)
    dialog.open()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.username_edit, "lina")
    assert dialog.username_edit.text() == "lina"
    dialog.close()
    dialog.deleteLater()
