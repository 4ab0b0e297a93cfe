"""The video wall: every tile painted by ONE widget, refreshed at a steady rate.

One widget for the whole wall (no widget per tile) is what lets a wall of hundreds of tiles stay
responsive: a timer (15 Hz per tile, the tiles in four slices) asks the frame source for each
on-screen tile's newest picture and repaints only the tiles that got one. Overlays (camera and
school, tier, health with its explanation, alarm border, selection) are drawn over the picture;
the text band of each tile is rendered once into a cached image and redrawn only when
its text or size changes.

The wall holds a list of camera slots; a layout of N tiles shows page p = slots[p*N : (p+1)*N].
Double-click maximises a tile (alone on the wall, so the playback side can give it the main
stream) and double-click again goes back. Dropping cameras (a camera, a school's or a district's)
fills slots from the tile under the drop onward.

Signals: tilesChanged() when what is on screen or its size changed (layout, page, cameras,
maximise, resize); camerasChanged() when the slots changed (to save them); pageChanged(int);
selectionChanged(int) (-1 for none); maximisedChanged(bool).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QHideEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QRegion,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from services.school_state import SchoolState
from widgets.theme_colors import STATE_COLOR_HEX
from widgets.video_wall.layouts import WallLayout, grid_layout
from widgets.video_wall.model import (
    CAMERAS_MIME,
    FrameSource,
    TileStatus,
    VisibleTile,
    WallCamera,
    cameras_from_mime,
)

REFRESH_HZ = 15
# Each refresh period is cut in slices, each taking a share of the tiles: the GUI thread is then
# busy a few milliseconds at a time instead of one long block (what an operator feels as lag).
REFRESH_SLICES = 4
BACKGROUND = QColor("#05090d")
EMPTY_TILE = QColor("#101a24")
BAND = QColor(0, 0, 0, 150)
TEXT = QColor("#e6eef6")
SELECTION = QColor("#4fa3ff")
ALARM = QColor(STATE_COLOR_HEX[SchoolState.ALARM])
HEALTH_COLORS = {
    "connecting": QColor("#9fb3c8"),
    "live": QColor("#2ecc71"),
    "stalled": QColor("#f5b82e"),
    "offline": QColor("#ff8a1f"),
    "unsupported": QColor("#ff8a1f"),
}
MIN_TEXT_HEIGHT = 36  # below this a tile shows only its picture and borders


class VideoWall(QWidget):
    tilesChanged = Signal()
    camerasChanged = Signal()
    pageChanged = Signal(int)
    selectionChanged = Signal(int)
    maximisedChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoWall")
        self.setAcceptDrops(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(160, 90))
        self._layout = grid_layout(4)
        self._slots: list[WallCamera | None] = []
        self._page = 0
        self._maximised: int | None = None  # on-screen index of the maximised tile
        self._selected = -1
        self._alarm_schools: frozenset[int] = frozenset()
        self._source: FrameSource | None = None
        self._rects: list[QRect] = []
        self._gaps = QRegion()
        self._visible: list[WallCamera | None] = []
        self._images: list[QImage | None] = []
        self._status: list[TileStatus] = []
        self._bands: dict[int, QImage] = {}
        # What the wall actually showed, per on-screen tile (the benchmark reads these).
        self.frames_shown: list[int] = []
        self.first_frame_at: list[float | None] = []
        self.last_frame_at: list[float] = []
        self.tiles_since = time.monotonic()
        self._font = QFont(self.font())
        self._font.setPixelSize(12)
        self._small_font = QFont(self.font())
        self._small_font.setPixelSize(10)
        self._timer = QTimer(self)
        self._timer.setObjectName("videoWallRefresh")
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(round(1000 / (REFRESH_HZ * REFRESH_SLICES)))
        self._timer.timeout.connect(self._refresh_slice)
        self._slice = 0
        self._rebuild()

    # --- content -------------------------------------------------------------------------------
    def set_frame_source(self, source: FrameSource | None) -> None:
        self._source = source

    def wall_layout(self) -> WallLayout:
        return self._layout

    def set_wall_layout(self, layout: WallLayout) -> None:
        first = self._page * self._layout.tile_count
        self._layout = layout
        self._maximised = None
        self._page = first // layout.tile_count  # keep the first camera on screen
        self._rebuild()
        self.pageChanged.emit(self._page)

    def cameras(self) -> list[WallCamera | None]:
        return list(self._slots)

    def set_cameras(self, cameras: Sequence[WallCamera | None], page: int = 0) -> None:
        self._slots = list(cameras)
        self._maximised = None
        self._page = max(0, min(page, self.page_count() - 1))
        self._rebuild()
        self.camerasChanged.emit()
        self.pageChanged.emit(self._page)

    def set_alarm_schools(self, school_ids: Iterable[int]) -> None:
        ids = frozenset(school_ids)
        if ids == self._alarm_schools:
            return
        self._alarm_schools = ids
        self.tilesChanged.emit()  # an alarmed tile goes live
        self.update()

    # --- pages ---------------------------------------------------------------------------------
    def page(self) -> int:
        return self._page

    def page_count(self) -> int:
        return max(1, math.ceil(len(self._slots) / self._layout.tile_count))

    def set_page(self, page: int) -> None:
        page = page % self.page_count()
        if page == self._page and self._maximised is None:
            return
        self._page, self._maximised = page, None
        self._rebuild()
        self.pageChanged.emit(page)

    def next_page(self) -> None:
        self.set_page(self._page + 1)

    def previous_page(self) -> None:
        self.set_page(self._page - 1)

    # --- tiles on screen -------------------------------------------------------------------------
    def tile_count(self) -> int:
        return len(self._rects)

    def tile_rect(self, index: int) -> QRect:
        return QRect(self._rects[index])

    def tile_camera(self, index: int) -> WallCamera | None:
        return self._visible[index] if 0 <= index < len(self._visible) else None

    def tile_image(self, index: int) -> QImage | None:
        return self._images[index] if 0 <= index < len(self._images) else None

    def tile_status(self, index: int) -> TileStatus:
        return self._status[index]

    def is_maximised(self) -> bool:
        return self._maximised is not None

    def selected(self) -> int:
        return self._selected

    def visible_tiles(self) -> list[VisibleTile]:
        tiles = []
        for index, (camera, rect) in enumerate(zip(self._visible, self._rects, strict=True)):
            if camera is None:
                continue
            tiles.append(
                VisibleTile(
                    index=index,
                    camera=camera,
                    width=rect.width(),
                    height=rect.height(),
                    focused=index == self._selected or self._maximised is not None,
                    alarm=camera.school_id in self._alarm_schools,
                )
            )
        return tiles

    def tile_at(self, pos: QPoint) -> int:
        for index, rect in enumerate(self._rects):
            if rect.contains(pos):
                return index
        return -1

    def select(self, index: int) -> None:
        if index == self._selected:
            return
        self._selected = index
        self.selectionChanged.emit(index)
        self.tilesChanged.emit()  # a focused tile goes live on an overview wall
        self.update()

    def toggle_maximise(self, index: int) -> None:
        """Show on-screen tile *index* alone on the wall, or go back to the layout."""
        if self._maximised is not None:
            restored = self._maximised
            self._maximised = None
            self._rebuild()
            self.select(restored)
        else:
            if self.tile_camera(index) is None:
                return
            self._maximised = self._page * self._layout.tile_count + index
            self._selected = 0
            self._rebuild()
        self.maximisedChanged.emit(self._maximised is not None)

    def set_tile_status(self, index: int, status: TileStatus) -> None:
        if not 0 <= index < len(self._status):
            return
        self._status[index] = status
        self._bands.pop(index, None)
        self.update(self._rects[index])

    # --- frames --------------------------------------------------------------------------------
    def _refresh_slice(self) -> None:
        # Contiguous runs of tiles, so each slice repaints one compact band of the wall.
        self._slice = (self._slice + 1) % REFRESH_SLICES
        count = len(self._visible)
        self.refresh_frames(
            self._slice * count // REFRESH_SLICES, (self._slice + 1) * count // REFRESH_SLICES
        )

    def refresh_frames(self, first: int = 0, end: int | None = None) -> None:
        """Take the new picture, if any, of tiles first..end-1 (all by default) and repaint only those."""
        source = self._source
        if source is None:
            return
        dirty = QRegion()
        now = time.monotonic()
        for index in range(first, len(self._visible) if end is None else end):
            if self._visible[index] is None:
                continue
            image = source.new_frame(index)
            if image is None:
                continue
            self._images[index] = image
            self.frames_shown[index] += 1
            if self.first_frame_at[index] is None:
                self.first_frame_at[index] = now
            self.last_frame_at[index] = now
            dirty += self._rects[index]
        if not dirty.isEmpty():
            self.update(dirty)

    def showEvent(self, event: QShowEvent) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    # --- painting ------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        region = event.region()
        # Only the gaps between tiles need the background; the tiles cover the rest.
        for gap in region.intersected(self._gaps):
            painter.fillRect(gap, BACKGROUND)
        for index, rect in enumerate(self._rects):
            if region.intersects(rect):
                self._paint_tile(painter, index, rect)
        painter.end()

    def _paint_letterboxed(self, painter: QPainter, rect: QRect, image: QImage) -> None:
        """Keep the picture's shape: centred, with bars where the tile's shape differs."""
        target = QRect(QPoint(0, 0), image.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio))
        if abs(target.width() - image.width()) <= 2 and abs(target.height() - image.height()) <= 2:
            target.setSize(image.size())  # decoded at this size: a plain copy, no scaling
        target.moveCenter(rect.center())
        target = target.intersected(rect)
        if target.size() == image.size():
            painter.drawImage(target.topLeft(), image)
        else:
            painter.drawImage(target, image)
        for bar in _bars(rect, target):
            painter.fillRect(bar, BACKGROUND)

    def _paint_tile(self, painter: QPainter, index: int, rect: QRect) -> None:
        camera = self._visible[index]
        image = self._images[index]
        if image is not None and not image.isNull():
            dw, dh = rect.width() - image.width(), rect.height() - image.height()
            if 0 <= dw <= 2 and 0 <= dh <= 2:
                # Decoded at the tile's size (rounded down to even): a plain copy, no scaling. The
                # common case, kept this short: it runs for every new picture of every tile.
                painter.drawImage(rect.topLeft(), image)
                if dw:
                    painter.fillRect(rect.right() - dw + 1, rect.top(), dw, rect.height(), BACKGROUND)
                if dh:
                    painter.fillRect(rect.left(), rect.bottom() - dh + 1, rect.width(), dh, BACKGROUND)
            else:
                self._paint_letterboxed(painter, rect, image)
        else:
            painter.fillRect(rect, EMPTY_TILE)
        if rect.height() >= MIN_TEXT_HEIGHT:
            band = self._bands.get(index)
            if band is None or band.width() != rect.width():
                band = self._bands[index] = self._render_band(index, rect)
            painter.drawImage(rect.topLeft(), band)
            status = self._status[index]
            if camera is not None and status.health != "live":
                self._paint_health(painter, rect, status, dimmed=image is not None)
            elif camera is None:
                painter.setFont(self._small_font)
                painter.setPen(TEXT)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.tr("Drag a camera here"))
        if camera is not None and camera.school_id in self._alarm_schools:
            painter.setPen(QPen(ALARM, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        if index == self._selected:
            painter.setPen(QPen(SELECTION, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(0, 0, -1, -1))

    def _render_band(self, index: int, rect: QRect) -> QImage:
        """The tile's top text band (camera, school, tier, health dot), drawn once and cached."""
        height = 18
        band = QImage(rect.width(), height, QImage.Format.Format_ARGB32_Premultiplied)
        band.fill(Qt.GlobalColor.transparent)
        camera = self._visible[index]
        if camera is None:
            return band
        status = self._status[index]
        p = QPainter(band)
        p.fillRect(band.rect(), BAND)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(HEALTH_COLORS.get(status.health, TEXT))
        p.drawEllipse(QRect(5, 5, 8, 8))
        p.setFont(self._small_font)
        tier_width = QFontMetrics(self._small_font).horizontalAdvance(status.tier_text) + 8
        p.setPen(TEXT)
        if status.tier_text and rect.width() > 3 * tier_width:
            tier_rect = QRect(rect.width() - tier_width, 0, tier_width - 4, height)
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            p.drawText(tier_rect, right, status.tier_text)
        else:
            tier_width = 0
        p.setFont(self._font)
        label = f"{camera.name} · {camera.school_name}"
        text_rect = QRect(18, 0, rect.width() - 22 - tier_width, height)
        elided = QFontMetrics(self._font).elidedText(label, Qt.TextElideMode.ElideRight, text_rect.width())
        p.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)
        p.end()
        return band

    def _paint_health(self, painter: QPainter, rect: QRect, status: TileStatus, dimmed: bool) -> None:
        body = rect.adjusted(6, 20, -6, -4)
        if dimmed:
            painter.fillRect(body, QColor(0, 0, 0, 120))
        painter.setPen(HEALTH_COLORS.get(status.health, TEXT))
        painter.setFont(self._font)
        text = status.health_text
        if status.explanation and body.height() >= 60:
            text = f"{text}\n{status.explanation}"
        painter.drawText(body, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)

    # --- geometry ------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rebuild(keep_pictures=True)

    def _rebuild(self, keep_pictures: bool = False) -> None:
        """Recompute what is on screen and where; tell the playback side."""
        width, height = max(1, self.width()), max(1, self.height())
        if self._maximised is not None:
            camera = self._slots[self._maximised] if self._maximised < len(self._slots) else None
            visible: list[WallCamera | None] = [camera]
            self._rects = [QRect(0, 0, width, height)]
        else:
            n = self._layout.tile_count
            first = self._page * n
            visible = [self._slots[i] if i < len(self._slots) else None for i in range(first, first + n)]
            self._rects = self._layout.tile_rects(width, height)
        tiles = QRegion()
        for rect in self._rects:
            tiles += rect
        self._gaps = QRegion(0, 0, width, height).subtracted(tiles)
        same = keep_pictures and visible == self._visible
        self._visible = visible
        self._bands.clear()
        if not same:
            count = len(visible)
            self._images = [None] * count
            self._status = [TileStatus() for _ in range(count)]
            self.frames_shown = [0] * count
            self.first_frame_at = [None] * count
            self.last_frame_at = [0.0] * count
            self.tiles_since = time.monotonic()
            if self._maximised is None and self._selected >= count:
                self._selected = -1
        self.update()
        self.tilesChanged.emit()

    # --- mouse and drops -------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.select(self.tile_at(event.position().toPoint()))
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            index = self.tile_at(event.position().toPoint())
            if index >= 0:
                self.toggle_maximise(index)
                return
        super().mouseDoubleClickEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(CAMERAS_MIME):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(CAMERAS_MIME) and self.tile_at(event.position().toPoint()) >= 0:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        cameras = cameras_from_mime(event.mimeData())
        index = self.tile_at(event.position().toPoint())
        if not cameras or index < 0:
            event.ignore()
            return
        self.drop_cameras(index, cameras)
        event.acceptProposedAction()

    def drop_cameras(self, index: int, cameras: Sequence[WallCamera]) -> None:
        """Fill slots from on-screen tile *index* onward with *cameras* (pages grow as needed)."""
        if self._maximised is not None:
            start = self._maximised
            cameras = cameras[:1]
        else:
            start = self._page * self._layout.tile_count + index
        end = start + len(cameras)
        if end > len(self._slots):
            self._slots.extend([None] * (end - len(self._slots)))
        self._slots[start:end] = list(cameras)
        self._rebuild()
        self.camerasChanged.emit()


def _bars(rect: QRect, inner: QRect) -> list[QRect]:
    """The parts of *rect* around *inner* (which lies inside it)."""
    bars = [
        QRect(rect.left(), rect.top(), rect.width(), inner.top() - rect.top()),
        QRect(rect.left(), inner.bottom() + 1, rect.width(), rect.bottom() - inner.bottom()),
        QRect(rect.left(), inner.top(), inner.left() - rect.left(), inner.height()),
        QRect(inner.right() + 1, inner.top(), rect.right() - inner.right(), inner.height()),
    ]
    return [bar for bar in bars if bar.width() > 0 and bar.height() > 0]
