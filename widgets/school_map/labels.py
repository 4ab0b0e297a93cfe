"""Text on the map: district names (always) and school names (only when zoomed in).

Text keeps a constant pixel size, so the layer maps anchor points to device pixels and draws with
the world transform reset. School labels are limited to the schools in view, decluttered on a
pixel grid (the most severe school wins a cell) and capped, so a zoomed-in city centre stays
readable and cheap to paint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QStaticText
from PySide6.QtWidgets import QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from widgets.theme_colors import DISTRICT_LABEL_HEX, LABEL_HALO_HEX, SCHOOL_LABEL_HEX

MAX_SCHOOL_LABELS = 150
# Declutter cell: at most one school label per cell of this size (pixels).
_CELL_W = 110.0
_CELL_H = 18.0
_STATIC_TEXT_CACHE_LIMIT = 4000


@dataclass(frozen=True)
class DistrictLabel:
    x: float
    y: float
    name: str


class LabelLayer(QGraphicsObject):
    def __init__(
        self,
        x: npt.NDArray[np.float64],
        y: npt.NDArray[np.float64],
        names: Sequence[str],
        districts: Sequence[DistrictLabel],
        bounds: QRectF,
    ) -> None:
        super().__init__()
        self._x = x
        self._y = y
        self._names = names
        self._bounds = bounds
        self._district_font = QFont()
        self._district_font.setPixelSize(15)
        self._district_font.setBold(True)
        self._count_font = QFont()
        self._count_font.setPixelSize(11)
        self._school_font = QFont()
        self._school_font.setPixelSize(12)
        self._districts = list(districts)
        self._district_text = [self._static(d.name, self._district_font) for d in self._districts]
        self._district_counts: list[QStaticText | None] = [None] * len(self._districts)
        self._count_values: list[int | None] = [None] * len(self._districts)
        self._candidates = np.zeros(0, dtype=np.intp)  # in view, most important first
        self._school_text: dict[int, QStaticText] = {}
        self._halo = QColor(LABEL_HALO_HEX)
        self._district_colour = QColor(DISTRICT_LABEL_HEX)
        self._count_colour = QColor(DISTRICT_LABEL_HEX)
        self._count_colour.setAlpha(170)
        self._school_colour = QColor(SCHOOL_LABEL_HEX)
        self._plate = QColor(LABEL_HALO_HEX)
        self._plate.setAlpha(170)
        self.shown_school_labels: list[int] = []  # what the last paint drew (indices)

    @staticmethod
    def _static(text: str, font: QFont) -> QStaticText:
        st = QStaticText(text)
        st.setTextFormat(Qt.TextFormat.PlainText)
        st.prepare(font=font)
        return st

    def set_district_counts(self, counts: Sequence[int] | None) -> None:
        """Show a school count under each district name (None: hide the counts)."""
        changed = False
        for i in range(len(self._districts)):
            value = None if counts is None else int(counts[i])
            if value != self._count_values[i]:
                self._count_values[i] = value
                self._district_counts[i] = (
                    None if value is None else self._static(str(value), self._count_font)
                )
                changed = True
        if changed:
            self.update()

    def set_school_candidates(self, candidates: npt.NDArray[np.intp]) -> None:
        """The schools that may get a label, most important first (empty: no school labels)."""
        if len(candidates) == 0 and len(self._candidates) == 0:
            return
        self._candidates = candidates
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = painter.transform()
        sx, sy, dx, dy = t.m11(), t.m22(), t.dx(), t.dy()
        painter.save()
        painter.resetTransform()
        self._paint_schools(painter, sx, sy, dx, dy)
        self._paint_districts(painter, sx, sy, dx, dy)
        painter.restore()

    def _paint_districts(self, painter: QPainter, sx: float, sy: float, dx: float, dy: float) -> None:
        for label, text, count in zip(
            self._districts, self._district_text, self._district_counts, strict=True
        ):
            size = text.size()
            px = label.x * sx + dx - size.width() / 2
            py = label.y * sy + dy - size.height() / 2
            painter.setFont(self._district_font)
            painter.setPen(self._halo)
            for ox, oy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                painter.drawStaticText(QPointF(px + ox, py + oy), text)
            painter.setPen(self._district_colour)
            painter.drawStaticText(QPointF(px, py), text)
            if count is not None:
                painter.setFont(self._count_font)
                painter.setPen(self._count_colour)
                csize = count.size()
                painter.drawStaticText(
                    QPointF(label.x * sx + dx - csize.width() / 2, py + size.height()), count
                )

    def _paint_schools(self, painter: QPainter, sx: float, sy: float, dx: float, dy: float) -> None:
        self.shown_school_labels = []
        cand = self._candidates
        if len(cand) == 0:
            return
        device = painter.device()
        px = self._x[cand] * sx + dx
        py = self._y[cand] * sy + dy
        inside = (px >= 0) & (px < device.width()) & (py >= 0) & (py < device.height())
        cand, px, py = cand[inside], px[inside], py[inside]
        # One label per grid cell; candidates are ordered by importance, so np.unique's first
        # occurrence is the most important school of the cell.
        cells = np.floor(px / _CELL_W).astype(np.int64) * 100_003 + np.floor(py / _CELL_H).astype(np.int64)
        _, first = np.unique(cells, return_index=True)
        keep = np.sort(first)[:MAX_SCHOOL_LABELS]
        if len(self._school_text) > _STATIC_TEXT_CACHE_LIMIT:
            self._school_text.clear()
        painter.setFont(self._school_font)
        for k in keep:
            i = int(cand[k])
            text = self._school_text.get(i)
            if text is None:
                text = self._school_text[i] = self._static(self._names[i], self._school_font)
            size = text.size()
            x = float(px[k]) + 8.0
            y = float(py[k]) - size.height() / 2
            painter.fillRect(QRectF(x - 2, y, size.width() + 4, size.height()), self._plate)
            painter.setPen(self._school_colour)
            painter.drawStaticText(QPointF(x, y), text)
            self.shown_school_labels.append(i)
