"""An incident's cameras on the wall, with the procedure beside them.

With the main wall chosen (the default, and the only choice on one screen) the school's cameras
go onto a new page of the wall page, after the operator's own pages, which stay as they were; the
procedure is the incident panel in the alarm dock beside it. With another screen chosen, a window
on that screen shows the cameras on a wall of its own with an incident panel at its side.
Alarmed schools' tiles get the wall's alarm border either way.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QWidget

from console.pages.wall_page import WallPage
from console.pages.wall_playback import PoolFactory, WallPlayback
from widgets.video_wall import VideoWall, WallCamera

log = logging.getLogger(__name__)


class IncidentWallWindow(QWidget):
    """A wall window on another screen: the incident's cameras and the procedure beside them."""

    def __init__(self, pool_factory: PoolFactory, side_panel: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("incidentWall")
        self.wall = VideoWall(self)
        self.playback = WallPlayback(self.wall, pool_factory, parent=self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.wall)
        splitter.addWidget(side_panel)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([1400, 460])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.side_panel = side_panel
        self.setWindowTitle(self.tr("SafeCampus incident cameras"))

    def closeEvent(self, event: object) -> None:
        self.playback.close()
        super().closeEvent(event)  # type: ignore[arg-type]


class IncidentCameras(QObject):
    """Signals: wallPageWanted() when the cameras went onto the main wall page (show that page)."""

    wallPageWanted = Signal()

    def __init__(
        self,
        wall_page: WallPage,
        pool_factory: PoolFactory,
        make_side_panel: Callable[[], QWidget],
        screen_name: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._wall_page = wall_page
        self._pool_factory = pool_factory
        self._make_side_panel = make_side_panel
        self._screen_name = screen_name
        self._window: IncidentWallWindow | None = None
        self._alarm_schools: set[int] = set()

    def cameras_of(self, school_code: str) -> list[WallCamera]:
        catalog = self._wall_page.catalog()
        if catalog is None:
            return []
        for district in catalog.districts:
            for school in district.schools:
                if school.code == school_code:
                    return list(school.cameras)
        return []

    def set_alarm_schools(self, school_codes: set[str]) -> None:
        """Give the tiles of these schools (open incidents) the alarm border."""
        catalog = self._wall_page.catalog()
        ids = {
            school.id
            for district in (catalog.districts if catalog else [])
            for school in district.schools
            if school.code in school_codes
        }
        self._alarm_schools = ids
        self._wall_page.wall.set_alarm_schools(ids)
        if self._window is not None:
            self._window.wall.set_alarm_schools(ids)

    def open(self, school_code: str) -> int:
        """Put the school's cameras on the chosen wall; how many cameras (0: none known)."""
        cameras = self.cameras_of(school_code)
        if not cameras:
            log.info("incident cameras: school %s has no cameras in the registry", school_code)
            return 0
        screen = self._chosen_screen()
        if screen is None:
            self._on_main_wall(cameras)
            self.wallPageWanted.emit()
        else:
            self._on_screen(screen, cameras)
        log.info("incident cameras: %d cameras of %s on %s", len(cameras), school_code,
                 screen.name() if screen else "the main wall")  # fmt: skip
        return len(cameras)

    def _chosen_screen(self) -> QScreen | None:
        name = self._screen_name()
        if not name:
            return None
        main = self._wall_page.window().screen()
        for screen in QGuiApplication.screens():
            if screen.name() == name and screen is not main:
                return screen
        return None  # that monitor is gone or is this window's own: the main wall

    def _on_main_wall(self, cameras: list[WallCamera]) -> None:
        wall = self._wall_page.wall
        per_page = wall.wall_layout().tile_count
        slots = list(wall.cameras())
        # A new page after the operator's own, so their wall is still there a page back.
        used = max((i + 1 for i, c in enumerate(slots) if c is not None), default=0)
        start = math.ceil(used / per_page) * per_page
        slots = slots[:start] + [None] * (start - len(slots[:start])) + cameras
        wall.set_cameras(slots, start // per_page)

    def _on_screen(self, screen: QScreen, cameras: list[WallCamera]) -> None:
        if self._window is None:
            self._window = IncidentWallWindow(self._pool_factory, self._make_side_panel())
            self._window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            self._window.destroyed.connect(self._forget_window)
        window = self._window
        window.wall.set_cameras(cameras)
        window.wall.set_alarm_schools(self._alarm_schools)
        window.setGeometry(screen.availableGeometry())
        window.show()
        window.raise_()

    def _forget_window(self) -> None:
        self._window = None

    @property
    def window(self) -> IncidentWallWindow | None:
        return self._window

    def shutdown(self) -> None:
        if self._window is not None:
            self._window.close()
