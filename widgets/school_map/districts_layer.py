"""District boundaries: a subtle fill and a light outline per district, over the map background.

The boundaries never change while the map is open, yet every state change repaints the map. The
layer therefore keeps its last rendering as an opaque viewport-sized image and blits it (a copy,
not a blend) while the view stands still. While the view moves (pan, zoom, fly-to) it draws the
paths directly: building an image each frame would cost more than it saves. Qt's own
DeviceCoordinateCache was measured at 12-20 ms per zoom frame against about 2.5 ms here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from widgets.school_map.model import MapDistrict, Projection
from widgets.theme_colors import (
    DISTRICT_FILL_DIMMED_HEX,
    DISTRICT_FILL_HEX,
    DISTRICT_OUTLINE_HEX,
    MAP_BACKGROUND_HEX,
)


def district_path(district: MapDistrict, projection: Projection) -> QPainterPath:
    """All rings of all polygons of *district* in map coordinates (holes by odd-even fill)."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for polygon in district.polygons:
        for ring in polygon:
            if len(ring) < 3:
                continue
            pts = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
            xs, ys = projection.xy(pts[:, 0], pts[:, 1])
            polygon = create_qpolygonf(len(xs))
            buffer = ndarray_from_qpolygonf(polygon)
            buffer[:, 0] = xs
            buffer[:, 1] = ys
            path.addPolygon(polygon)
            path.closeSubpath()
    return path


class DistrictLayer(QGraphicsObject):
    def __init__(self, districts: Sequence[MapDistrict], projection: Projection) -> None:
        super().__init__()
        self._paths = [district_path(d, projection) for d in districts]
        bounds = QRectF()
        for p in self._paths:
            bounds = bounds.united(p.boundingRect())
        self._bounds = bounds.adjusted(-0.01, -0.01, 0.01, 0.01) if not bounds.isNull() else QRectF()
        self._selected: frozenset[int] | None = None
        self._fill = QBrush(QColor(DISTRICT_FILL_HEX))
        self._fill_dimmed = QBrush(QColor(DISTRICT_FILL_DIMMED_HEX))
        # Exactly 1 px and cosmetic: Qt strokes that with its fast line rasteriser (0.7 ms for
        # Qingdao's 8,300 vertices); any other width goes through the general stroker (13 ms).
        self._outline = QPen(QColor(DISTRICT_OUTLINE_HEX), 1.0)
        self._outline.setCosmetic(True)
        self._outline.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        self._background = QColor(MAP_BACKGROUND_HEX)
        self._cache: QImage | None = None
        self._cache_key: tuple[float, ...] = ()
        self._previous_key: tuple[float, ...] = ()

    def path(self, index: int) -> QPainterPath:
        return self._paths[index]

    def set_selected(self, districts: frozenset[int] | None) -> None:
        """Dim the districts outside *districts* (None: none dimmed)."""
        if districts != self._selected:
            self._selected = districts
            self._cache = None
            self._previous_key = ()
            self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = painter.transform()
        device = painter.device()
        dpr = device.devicePixelRatioF()
        key = (t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy(), device.width(), device.height(), dpr)
        if self._cache is None or self._cache_key != key:
            if key != self._previous_key:
                # The view is moving: draw straight away, cache once it stands still.
                self._previous_key = key
                self._cache = None
                # Without antialiasing while moving: about 4x cheaper and invisible in motion.
                self._draw(painter, antialias=False)
                return
            self._cache = self._render(t, device.width(), device.height(), dpr)
            self._cache_key = key
        painter.save()
        painter.resetTransform()
        painter.drawImage(0, 0, self._cache)
        painter.restore()

    def _render(self, transform: QTransform, width: int, height: int, dpr: float) -> QImage:
        image = QImage(max(1, round(width * dpr)), max(1, round(height * dpr)), QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(dpr)
        image.fill(self._background)
        p = QPainter(image)
        p.setTransform(transform)
        self._draw(p, antialias=True)
        p.end()
        return image

    def _draw(self, painter: QPainter, antialias: bool) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, antialias)
        painter.setPen(Qt.PenStyle.NoPen)
        for i, path in enumerate(self._paths):
            dimmed = self._selected is not None and i not in self._selected
            painter.fillPath(path, self._fill_dimmed if dimmed else self._fill)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(self._outline)
        for path in self._paths:
            painter.drawPath(path)
