"""The video wall page: camera tree, the wall, layouts, pages, tours, snapshots, load indicator.

    page = WallPage(bridge, data_dir, pool_factory=lambda: PlayerPool(workers=2))
    page.load_catalog()      # once the database is open: fills the tree, restores the last wall
    ...
    page.shutdown()          # saves the current wall, stops every player and worker

Self-contained: it needs the database bridge (catalogue, and the file work: saved layouts and
snapshots run on its worker), the data folder and a PlayerPool factory (the pool is made when the
first tile is shown). What each tile decodes is decided by WallPlayback (services.video). Camera
logins are decrypted with the data folder's secrets key when the catalogue loads (wall_data.py);
a district viewer's page (set_scope) loads, offers and plays only their district.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QLocale, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPainter,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.db_bridge import DatabaseBridge, JobContext
from console.pages.wall_camera_tree import CameraTree
from console.pages.wall_data import CameraCatalog, load_camera_catalog
from console.pages.wall_playback import PoolFactory, WallPlayback
from console.video.layouts import OperatorLayouts, SavedLayout, layouts_path, load_layouts, save_layouts
from console.video.stream_access import LoginProblem, StreamAccess, StreamAccessResolver, plain_access
from services.access.secrets import secrets_key_path
from widgets.video_wall import VideoWall, WallCamera, WallLayout, standard_layouts

log = logging.getLogger(__name__)

DEFAULT_TOUR_MINIMUM_S = 10.0
SAVE_DELAY_MS = 1500
SNAPSHOT_FOLDER = "snapshots"
CURRENT_LAYOUT = "__current__"


def burn_in(image: QImage, camera: WallCamera, when: float) -> QImage:
    """A copy of *image* with the camera, school and time written on it (evidence needs them)."""
    out = image.convertToFormat(QImage.Format.Format_RGB32)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when))
    painter = QPainter(out)
    font = QFont()
    font.setPixelSize(max(10, out.height() // 18))
    painter.setFont(font)
    band = QRect(0, out.height() - font.pixelSize() - 8, out.width(), font.pixelSize() + 8)
    painter.fillRect(band, QColor(0, 0, 0, 160))
    painter.setPen(QColor("#ffffff"))
    text = f"{camera.name} · {camera.school_name} · {camera.code} · {stamp}"
    painter.drawText(
        band.adjusted(4, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text
    )
    painter.end()
    return out


class WallWindow(QWidget):
    """A wall in a top-level window of its own (another monitor): same cameras, its own players."""

    def __init__(
        self,
        pool_factory: PoolFactory,
        parent: QWidget | None = None,
        stream_access: StreamAccessResolver = plain_access,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("detachedWall")
        self.wall = VideoWall(self)
        self.playback = WallPlayback(self.wall, pool_factory, parent=self, stream_access=stream_access)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.wall)
        QShortcut(QKeySequence(Qt.Key.Key_PageDown), self, self.wall.next_page)
        QShortcut(QKeySequence(Qt.Key.Key_PageUp), self, self.wall.previous_page)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.setWindowTitle(self.tr("SafeCampus video wall"))
        self.resize(1280, 760)

    def closeEvent(self, event: QEvent) -> None:  # type: ignore[override]
        self.playback.close()
        super().closeEvent(event)  # type: ignore[arg-type]


class WallPage(QWidget):
    """Signals: snapshotSaved(str path), layoutsChanged() (the saved named layouts changed)."""

    snapshotSaved = Signal(str)
    layoutsChanged = Signal()

    def __init__(
        self,
        bridge: DatabaseBridge,
        data_dir: Path,
        pool_factory: PoolFactory,
        operator: str = "default",
        tour_minimum_s: float = DEFAULT_TOUR_MINIMUM_S,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("wallPage")
        self._bridge = bridge
        self.data_dir = data_dir
        self._pool_factory = pool_factory
        self._layouts_path = layouts_path(data_dir, operator)
        self._layouts = OperatorLayouts()
        self._catalog: CameraCatalog | None = None
        self._tour_minimum_s = tour_minimum_s
        self._detached: list[WallWindow] = []
        self._full_screen = False
        self._scope: str | None = None  # a district viewer's district adcode
        self._key_path = secrets_key_path(data_dir)

        self.tree = CameraTree(self)
        self.wall = VideoWall(self)
        self.playback = WallPlayback(self.wall, pool_factory, parent=self, stream_access=self._stream_access)
        self._build_toolbar()
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(2)
        right_layout.addWidget(self._toolbar)
        right_layout.addWidget(self.wall, 1)
        self._wall_layout = right_layout
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 1100])
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.splitter)

        self.tour_timer = QTimer(self)
        self.tour_timer.setObjectName("wallTour")
        # A coarse timer may fire up to 5 % early: a page would show for less than the minimum dwell.
        self.tour_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.tour_timer.timeout.connect(self.wall.next_page)
        self._save_timer = QTimer(self)
        self._save_timer.setObjectName("wallLayoutSave")
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_current)
        self._exit_full_screen = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.wall)
        self._exit_full_screen.activated.connect(lambda: self.set_full_screen(False))

        self.wall.pageChanged.connect(lambda _p: self._update_page_label())
        self.wall.camerasChanged.connect(self._on_wall_changed)
        self.wall.pageChanged.connect(lambda _p: self._save_timer.start())
        self.playback.loadChanged.connect(self._show_load)
        self.retranslate_ui()
        self._update_page_label()

    # --- toolbar -------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        # A QToolBar, not a row layout: when the alarm dock leaves the wall little room, what does
        # not fit goes into the toolbar's » menu instead of squeezing every button to "…" and the
        # camera tree to a sliver.
        bar = self._toolbar = QToolBar(self)
        bar.setObjectName("wallToolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        self.layout_box = QComboBox(self)
        self.layout_box.setObjectName("wallLayoutChooser")
        for layout in standard_layouts():
            self.layout_box.addItem("", layout)
        self.layout_box.setCurrentIndex(1)
        self.layout_box.activated.connect(lambda i: self.set_wall_layout(self.layout_box.itemData(i)))
        self.previous_button = self._button("wallPreviousPage", self.wall.previous_page)
        self.page_label = QLabel(self)
        self.next_button = self._button("wallNextPage", self.wall.next_page)
        self.tour_button = self._button("wallTourButton", None)
        self.tour_button.setCheckable(True)
        self.tour_button.toggled.connect(self.set_tour_running)
        self.dwell_box = QSpinBox(self)
        self.dwell_box.setObjectName("wallTourDwell")
        self.dwell_box.setRange(max(1, round(self._tour_minimum_s)), 3600)
        self.dwell_box.setValue(max(10, round(self._tour_minimum_s)))
        self.dwell_box.valueChanged.connect(lambda _v: self._restart_tour())
        self.saved_box = QComboBox(self)
        self.saved_box.setObjectName("wallSavedLayouts")
        self.saved_box.activated.connect(self._restore_chosen)
        self.save_button = self._button("wallSaveLayout", self._ask_layout_name)
        self.snapshot_button = self._button("wallSnapshot", self.snapshot_selected)
        self.full_screen_button = self._button("wallFullScreen", lambda: self.set_full_screen(True))
        self.detach_button = self._button("wallDetach", self.detach)
        self.load_label = QLabel(self)
        self.load_label.setObjectName("wallLoad")
        self.step_down_label = QLabel(self)
        self.step_down_label.setObjectName("wallStepDown")
        self.step_down_label.setStyleSheet("color: #f5b82e")
        for widget in (self.layout_box, self.previous_button, self.page_label, self.next_button,
                       self.tour_button, self.dwell_box, self.saved_box, self.save_button,
                       self.snapshot_button, self.full_screen_button, self.detach_button):  # fmt: skip
            bar.addWidget(widget)
        spacer = QWidget(bar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addWidget(self.step_down_label)
        bar.addWidget(self.load_label)

    def _button(self, name: str, slot: Callable[[], object] | None) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        if slot is not None:
            button.clicked.connect(lambda _checked=False: slot())
        return button

    def retranslate_ui(self) -> None:
        for i in range(self.layout_box.count()):
            layout: WallLayout = self.layout_box.itemData(i)
            text = (
                self.tr("1 big + 5") if layout.name == "6" else self.tr("%n tile(s)", "", layout.tile_count)
            )
            self.layout_box.setItemText(i, text)
        self.previous_button.setText(self.tr("◀ Page"))
        self.previous_button.setToolTip(self.tr("Previous page of cameras"))
        self.next_button.setText(self.tr("Page ▶"))
        self.next_button.setToolTip(self.tr("Next page of cameras"))
        self.tour_button.setText(self.tr("Tour"))
        self.tour_button.setToolTip(self.tr("Show the pages in turn, each for the time on the right"))
        self.dwell_box.setSuffix(self.tr(" s"))
        self.save_button.setText(self.tr("Save layout…"))
        self.snapshot_button.setText(self.tr("Snapshot"))
        self.snapshot_button.setToolTip(self.tr("Save the selected tile's picture as a PNG"))
        self.full_screen_button.setText(self.tr("Full screen"))
        self.full_screen_button.setToolTip(self.tr("Show the wall on the whole screen (Esc goes back)"))
        self.detach_button.setText(self.tr("Detach"))
        self.detach_button.setToolTip(self.tr("Open this wall in a window of its own, for another monitor"))
        self.tree.retranslate_ui()
        self._refresh_saved_box()
        self._update_page_label()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _update_page_label(self) -> None:
        self.page_label.setText(
            self.tr("Page {0} of {1}").format(self.wall.page() + 1, self.wall.page_count())
        )

    def _show_load(self, live: int, tiles: int, cores: float, step_down: str) -> None:
        self.load_label.setText(
            self.tr("Live {0}/{1} · decoding CPU {2:.2f} cores").format(live, tiles, cores)
        )
        self.step_down_label.setText(step_down)

    # --- data ----------------------------------------------------------------------------------
    def load_catalog(self) -> None:
        """Load the camera tree and the operator's saved layouts (database open by now)."""
        if self._bridge.is_closed:
            return
        path, key_path, scope = self._layouts_path, self._key_path, self._scope
        self._bridge.submit(
            lambda ctx: (load_camera_catalog(ctx, key_path, scope), load_layouts(path)),
            on_done=self._on_catalog,
            on_error=self._on_catalog_failed,
        )

    def _on_catalog(self, loaded: tuple[CameraCatalog, OperatorLayouts]) -> None:
        catalog, layouts = loaded
        self._set_catalog(catalog)
        # Named layouts saved before the file was read are kept too.
        self._layouts = OperatorLayouts(layouts.current, {**layouts.named, **self._layouts.named})
        self._refresh_saved_box()
        if layouts.current is not None:
            self.apply_saved(layouts.current)
        self._keep_to_scope()

    def _set_catalog(self, catalog: CameraCatalog) -> None:
        self._catalog = catalog
        english = QLocale().language() != QLocale.Language.Chinese
        self.tree.set_catalog(catalog, english)
        if catalog.scope != self._scope:
            self._load_scoped_catalog()  # the scope changed while this was loading

    # --- district scope ------------------------------------------------------------------------
    def set_scope(self, adcode: str | None) -> None:
        """Offer, show and play only district *adcode*'s cameras (a district viewer's), or the
        whole city (None). Cameras of other districts leave the wall; the catalogue is loaded
        again for the district, so other districts' camera logins are not even decrypted."""
        adcode = adcode or None
        self.tree.set_scope(adcode)
        if adcode == self._scope:
            return
        self._scope = adcode
        self._keep_to_scope()
        if self._catalog is not None:
            self._load_scoped_catalog()

    def scope(self) -> str | None:
        return self._scope

    def _in_scope(self, camera: WallCamera) -> bool:
        if self._scope is None:
            return True
        catalog = self._catalog
        return catalog is not None and catalog.camera_adcode(camera.camera_id) == self._scope

    def _keep_to_scope(self) -> None:
        """Empty the tiles (here and on detached walls) holding a camera outside the scope."""
        for wall in [self.wall, *(w.wall for w in self._detached)]:
            cameras = wall.cameras()
            kept = [c if c is None or self._in_scope(c) else None for c in cameras]
            if kept != cameras:
                wall.set_cameras(kept, wall.page())

    def _load_scoped_catalog(self) -> None:
        if self._bridge.is_closed:
            return
        key_path, scope = self._key_path, self._scope
        self._bridge.submit(
            lambda ctx: load_camera_catalog(ctx, key_path, scope),
            on_done=self._on_scoped_catalog,
            on_error=self._on_catalog_failed,
        )

    def _on_scoped_catalog(self, catalog: CameraCatalog) -> None:
        if catalog.scope != self._scope:
            return  # superseded: a newer load for the current scope is under way
        self._set_catalog(catalog)
        self._keep_to_scope()

    def _stream_access(self, camera: WallCamera, url: str) -> StreamAccess:
        """What a tile's player opens: within the scope only, with the camera's login if stored."""
        catalog = self._catalog
        if self._scope is not None and (
            catalog is None or catalog.scope != self._scope or camera.camera_id not in catalog.cameras
        ):
            return StreamAccess("", LoginProblem.OUT_OF_DISTRICT)
        return catalog.stream_access(camera, url) if catalog is not None else StreamAccess(url)

    def _on_catalog_failed(self, error: BaseException) -> None:
        log.error("the wall's camera list could not be loaded: %s", error)

    def catalog(self) -> CameraCatalog | None:
        return self._catalog

    # --- layouts -------------------------------------------------------------------------------
    def set_wall_layout(self, layout: WallLayout) -> None:
        self.wall.set_wall_layout(layout)
        for i in range(self.layout_box.count()):
            if self.layout_box.itemData(i).name == layout.name:
                self.layout_box.setCurrentIndex(i)
        self._update_page_label()
        self._save_timer.start()

    def current_saved(self, name: str = CURRENT_LAYOUT) -> SavedLayout:
        ids = tuple(c.camera_id if c is not None else None for c in self.wall.cameras())
        return SavedLayout(
            name, self.wall.wall_layout(), ids, self.wall.page(), float(self.dwell_box.value())
        )

    def apply_saved(self, saved: SavedLayout) -> None:
        cameras = self._catalog.cameras if self._catalog else {}
        missing = [cid for cid in saved.camera_ids if cid is not None and cid not in cameras]
        if missing:
            log.info(
                "layout %r: %d cameras no longer in the registry are left empty", saved.name, len(missing)
            )
        self.wall.set_wall_layout(saved.layout)
        self.wall.set_cameras(
            [cameras.get(cid) if cid is not None else None for cid in saved.camera_ids], saved.page
        )
        self.dwell_box.setValue(max(self.dwell_box.minimum(), round(saved.tour_dwell_s)))
        for i in range(self.layout_box.count()):
            if self.layout_box.itemData(i).name == saved.layout.name:
                self.layout_box.setCurrentIndex(i)
        self._update_page_label()

    def save_named_layout(self, name: str) -> None:
        name = name.strip()
        if not name:
            return
        self._layouts.named[name] = self.current_saved(name)
        self._refresh_saved_box()
        self._write_layouts()
        self.layoutsChanged.emit()

    def saved_layout_names(self) -> list[str]:
        return sorted(self._layouts.named)

    def restore_named_layout(self, name: str) -> bool:
        saved = self._layouts.named.get(name)
        if saved is None:
            return False
        self.apply_saved(saved)
        return True

    def _ask_layout_name(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Save layout"), self.tr("Name of this layout:"))
        if ok:
            self.save_named_layout(name)

    def _restore_chosen(self, row: int) -> None:
        if row > 0:
            self.restore_named_layout(self.saved_box.itemText(row))
        self.saved_box.setCurrentIndex(0)

    def _refresh_saved_box(self) -> None:
        self.saved_box.clear()
        self.saved_box.addItem(self.tr("Saved layouts…"))
        for name in self.saved_layout_names():
            self.saved_box.addItem(name)

    def _on_wall_changed(self) -> None:
        self._update_page_label()
        self._save_timer.start()

    def save_current(self) -> None:
        """Remember the wall as it is now (restored on the next start)."""
        self._layouts.current = self.current_saved()
        self._write_layouts()

    def _write_layouts(self) -> None:
        snapshot = OperatorLayouts(self._layouts.current, dict(self._layouts.named))
        path = self._layouts_path
        if self._bridge.is_closed:
            save_layouts(path, snapshot)  # at exit: the worker is gone, the file still matters
            return
        self._bridge.submit(
            lambda _ctx: save_layouts(path, snapshot),
            on_error=lambda e: log.error("could not save the wall layouts to %s: %s", path, e),
        )

    # --- tour ----------------------------------------------------------------------------------
    def set_tour_running(self, on: bool) -> None:
        if self.tour_button.isChecked() != on:
            self.tour_button.setChecked(on)  # comes back here through toggled
            return
        if on:
            self.tour_timer.start(self.tour_dwell_ms())
        else:
            self.tour_timer.stop()

    def tour_dwell_ms(self) -> int:
        return round(1000 * max(self._tour_minimum_s, float(self.dwell_box.value())))

    def set_tour_dwell(self, seconds: float) -> None:
        self.dwell_box.setValue(round(seconds))

    def _restart_tour(self) -> None:
        if self.tour_timer.isActive():
            self.tour_timer.start(self.tour_dwell_ms())

    # --- snapshot ------------------------------------------------------------------------------
    def snapshot_selected(self) -> Path | None:
        index = max(0, self.wall.selected())
        return self.snapshot(index)

    def snapshot(self, index: int) -> Path | None:
        """Save tile *index*'s picture (camera and time burned in) under the data folder's
        snapshots/; the file is written on the worker, snapshotSaved(path) tells when."""
        camera = self.wall.tile_camera(index)
        image = self.wall.tile_image(index)
        if camera is None or image is None:
            log.info("snapshot: tile %d has no picture yet", index)
            return None
        now = time.time()
        picture = burn_in(image, camera, now)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + f"-{int(now * 1000) % 1000:03d}"
        path = self.data_dir / SNAPSHOT_FOLDER / f"{camera.code}_{stamp}.png"

        def write(_ctx: JobContext) -> str:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not picture.save(str(path), "PNG"):  # type: ignore[call-overload]
                raise OSError(f"could not write {path}")
            return str(path)

        self._bridge.submit(
            write,
            on_done=self.snapshotSaved.emit,
            on_error=lambda e: log.error("snapshot not saved: %s", e),
        )
        return path

    # --- screens -------------------------------------------------------------------------------
    def set_full_screen(self, on: bool) -> None:
        if on == self._full_screen:
            return
        self._full_screen = on
        if on:
            self._wall_layout.removeWidget(self.wall)
            self.wall.setParent(None)
            self.wall.setWindowTitle(self.tr("SafeCampus video wall"))
            self.wall.showFullScreen()
        else:
            self.wall.hide()
            self.wall.setParent(self)
            self._wall_layout.addWidget(self.wall, 1)
            self.wall.show()

    def is_full_screen(self) -> bool:
        return self._full_screen

    def detach(self) -> WallWindow:
        """Open a copy of this wall in a window of its own, on the next monitor if there is one."""
        window = WallWindow(self._pool_factory, None, stream_access=self._stream_access)
        window.wall.set_wall_layout(self.wall.wall_layout())
        window.wall.set_cameras(self.wall.cameras(), self.wall.page())
        screens = QGuiApplication.screens()
        mine = self.screen()
        others = [s for s in screens if s is not mine]
        if others:
            window.setGeometry(others[0].availableGeometry())
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        window.destroyed.connect(
            lambda _o=None, w=window: self._detached.remove(w) if w in self._detached else None
        )
        self._detached.append(window)
        window.show()
        return window

    def showEvent(self, event: QShowEvent) -> None:
        self.playback.prepare()  # the workers are ready by the time a camera is dropped
        super().showEvent(event)

    # --- main window integration (LayoutAware) ---------------------------------------------------
    def layout_state(self) -> QByteArray:
        return self.splitter.saveState()

    def restore_layout_state(self, data: QByteArray) -> None:
        self.splitter.restoreState(data)

    def reset_layout(self) -> None:
        self.splitter.setSizes([260, 1100])

    def shutdown(self) -> None:
        """Save the wall, stop tours, players and detached walls."""
        self.tour_timer.stop()
        if self._save_timer.isActive() or self._catalog is not None:
            self._save_timer.stop()
            self._layouts.current = self.current_saved()
            try:
                save_layouts(self._layouts_path, self._layouts)
            except OSError as exc:
                log.error("could not save the wall layouts to %s: %s", self._layouts_path, exc)
        for window in list(self._detached):
            window.close()
        if self._full_screen:
            self.set_full_screen(False)
        self.playback.close()
