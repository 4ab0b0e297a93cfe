"""A selection of schools drawn on the map: a freehand outline (lasso) and rings on the chosen.

The operator drags an outline round the schools (a district's corner, a stretch of coast, a
cluster along a river) rather than picking them one by one; the schools inside it are selected.
`points_inside` is the even-odd ray test on numpy arrays, so a 3,700-school city is tested in a
millisecond. The outline and the rings are plain pyqtgraph items in view coordinates, drawn above
the markers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsPathItem

SELECTION_COLOR = "#00e5ff"  # cyan: no school state uses it
OUTLINE_FILL_ALPHA = 40
RING_SIZE_PX = 16
MIN_OUTLINE_POINTS = 3


def points_inside(
    xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64], polygon: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Which of the points (xs[i], ys[i]) lie inside *polygon* (an (n, 2) array, closed or not).

    Even-odd rule: a point is inside when a ray to its right crosses the outline an odd number of
    times, which also handles outlines that cross themselves the way the eye expects."""
    inside = np.zeros(len(xs), dtype=bool)
    if len(polygon) < MIN_OUTLINE_POINTS or len(xs) == 0:
        return inside
    px, py = polygon[:, 0], polygon[:, 1]
    qx, qy = np.roll(px, -1), np.roll(py, -1)
    for x1, y1, x2, y2 in zip(px, py, qx, qy, strict=True):
        if y1 == y2:
            continue  # a horizontal edge never crosses a horizontal ray
        crosses = (y1 > ys) != (y2 > ys)
        x_at = x1 + (ys - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (xs < x_at)
    return inside


class LassoOverlay:
    """The outline being drawn (or last drawn) and a ring round every selected school."""

    def __init__(self, view_box: pg.ViewBox) -> None:
        self._vb = view_box
        color = QColor(SELECTION_COLOR)
        fill = QColor(color)
        fill.setAlpha(OUTLINE_FILL_ALPHA)
        self.outline = QGraphicsPathItem()
        pen = QPen(color, 2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)  # two pixels wide at every zoom
        self.outline.setPen(pen)
        self.outline.setBrush(QBrush(fill))
        self.outline.setZValue(30)
        self.rings = pg.ScatterPlotItem(
            size=RING_SIZE_PX,
            pen=pg.mkPen(color, width=2),
            brush=pg.mkBrush(0, 0, 0, 0),
            pxMode=True,
        )
        self.rings.setZValue(25)
        view_box.addItem(self.outline, ignoreBounds=True)
        view_box.addItem(self.rings, ignoreBounds=True)
        self._points: list[QPointF] = []

    @property
    def drawing(self) -> bool:
        return bool(self._points)

    def begin(self, point: QPointF) -> None:
        self._points = [point]
        self._show_outline(close=False)

    def extend(self, point: QPointF) -> None:
        if self._points:
            self._points.append(point)
            self._show_outline(close=False)

    def finish(self) -> npt.NDArray[np.float64]:
        """End the outline; returns its points (view coordinates) as an (n, 2) array."""
        points, self._points = self._points, []
        polygon = np.array([(p.x(), p.y()) for p in points], dtype=np.float64).reshape(-1, 2)
        self.show_polygon(polygon)
        return polygon

    def show_polygon(self, polygon: npt.NDArray[np.float64]) -> None:
        if len(polygon) < MIN_OUTLINE_POINTS:
            self.outline.setPath(QPainterPath())
            return
        path = QPainterPath()
        path.addPolygon(QPolygonF([QPointF(float(x), float(y)) for x, y in polygon]))
        path.closeSubpath()
        self.outline.setPath(path)

    def show_selected(self, xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64]) -> None:
        self.rings.setData(x=xs, y=ys)

    def clear(self) -> None:
        self._points = []
        self.outline.setPath(QPainterPath())
        self.rings.setData(x=[], y=[])

    def remove(self) -> None:
        for item in (self.outline, self.rings):
            self._vb.removeItem(item)

    def _show_outline(self, close: bool) -> None:
        path = QPainterPath()
        if self._points:
            path.addPolygon(QPolygonF(self._points))
            if close:
                path.closeSubpath()
        self.outline.setPath(path)
