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
# Occupancy cell (pixels) for the exact no-overlap placement of school labels.
_OCCUPANCY_CELL = 6.0


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
        self._layout_key: tuple[float, ...] = ()
        self._pinned: int | None = None
        self._layout: list[tuple[int, float, float, QStaticText]] = []

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

    def set_school_candidates(self, candidates: npt.NDArray[np.intp], pinned: int | None = None) -> None:
        """The schools that may get a label, most important first (empty: no school labels).

        A *pinned* school among them (the one the operator flew to) is named before anything else.
        """
        if len(candidates) == 0 and len(self._candidates) == 0:
            return
        if pinned is not None and bool(np.any(candidates == pinned)):
            candidates = np.concatenate(([pinned], candidates[candidates != pinned])).astype(np.intp)
        else:
            pinned = None
        self._pinned = pinned
        self._candidates = candidates
        self._layout_key = ()
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
        device = painter.device()
        key = (sx, sy, dx, dy, id(self._candidates), device.width(), device.height())
        if key != self._layout_key:
            self._layout_key = key
            self._layout = self._place_school_labels(device.width(), device.height(), sx, sy, dx, dy)
        self.shown_school_labels = [i for i, _x, _y, _t in self._layout]
        if not self._layout:
            return
        painter.setFont(self._school_font)
        painter.setPen(self._school_colour)
        for _i, x, y, text in self._layout:
            size = text.size()
            painter.fillRect(QRectF(x - 2, y, size.width() + 4, size.height()), self._plate)
            painter.drawStaticText(QPointF(x, y), text)

    def _label_at(self, i: int, px: float, py: float) -> tuple[int, float, float, QStaticText]:
        """School *i*'s label placed right of its marker at device pixel (px, py)."""
        text = self._school_text.get(i)
        if text is None:
            text = self._school_text[i] = self._static(self._names[i], self._school_font)
        return i, px + 8.0, py - text.size().height() / 2, text

    @staticmethod
    def _size_of(text: QStaticText) -> tuple[float, float]:
        """Width and height of a label's plate, margins included."""
        size = text.size()
        return size.width() + 4, size.height()

    @staticmethod
    def _cells(x: float, y: float, width: float, height: float) -> list[tuple[int, int]]:
        """The occupancy cells a rectangle in device pixels covers."""
        left, right = int(x // _OCCUPANCY_CELL), int((x + width) // _OCCUPANCY_CELL)
        top, bottom = int(y // _OCCUPANCY_CELL), int((y + height) // _OCCUPANCY_CELL)
        return [(cx, cy) for cx in range(left, right + 1) for cy in range(top, bottom + 1)]

    def _place_school_labels(
        self, width: int, height: int, sx: float, sy: float, dx: float, dy: float
    ) -> list[tuple[int, float, float, QStaticText]]:
        """Labels that fit without overlapping, most important first.

        Computed only when the view or the candidates change, not on every repaint (markers
        repaint many times a second under a stream of state changes).
        """
        cand = self._candidates
        if len(cand) == 0:
            return []
        px = self._x[cand] * sx + dx
        py = self._y[cand] * sy + dy
        inside = (px >= 0) & (px < width) & (py >= 0) & (py < height)
        cand, px, py = cand[inside], px[inside], py[inside]
        # Coarse pre-filter: one candidate per grid cell (candidates are ordered by importance, so
        # np.unique's first occurrence is the most important school of the cell).
        cells = np.floor(px / _CELL_W).astype(np.int64) * 100_003 + np.floor(py / _CELL_H).astype(np.int64)
        _, first = np.unique(cells, return_index=True)
        if len(self._school_text) > _STATIC_TEXT_CACHE_LIMIT:
            self._school_text.clear()
        # Then exact placement: a label is drawn only where no more important label already is,
        # tracked on an occupancy grid of small cells.
        occupied: set[tuple[int, int]] = set()
        placed: list[tuple[int, float, float, QStaticText]] = []
        order = np.sort(first)
        if self._pinned is not None and len(cand) and int(cand[0]) == self._pinned:
            placed.append(self._label_at(int(cand[0]), float(px[0]), float(py[0])))
            occupied.update(self._cells(placed[0][1] - 2, placed[0][2], *self._size_of(placed[0][3])))
            order = order[order != 0]
        for label, text in zip(self._districts, self._district_text, strict=True):
            # District names are drawn on top: school labels keep clear of them.
            size = text.size()
            dx0 = label.x * sx + dx - size.width() / 2
            dy0 = label.y * sy + dy - size.height() / 2
            occupied.update(self._cells(dx0, dy0, size.width(), size.height()))
        for k in order:
            i, x, y, text = self._label_at(int(cand[k]), float(px[k]), float(py[k]))
            covered = self._cells(x - 2, y, *self._size_of(text))
            if any(c in occupied for c in covered):
                continue
            occupied.update(covered)
            placed.append((i, x, y, text))
            if len(placed) >= MAX_SCHOOL_LABELS:
                break
        return placed
