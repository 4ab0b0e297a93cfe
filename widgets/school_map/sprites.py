"""The marker sprites: one small pre-rendered, antialiased image per school state.

Markers keep a constant pixel size at every zoom, so each is a sprite blitted at the school's
screen position. Alarms are larger and outlined so they stand out of a dense city centre; a few
expanding ring frames make the alarm pulse; a white ring marks the school the operator flew to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap

from services.school_state import SchoolState
from widgets.theme_colors import HIGHLIGHT_RING_HEX, STATE_COLOR_HEX, state_color

# Diameters in logical pixels. Small at city zoom so 3,700+ schools do not merge into a blob.
MARKER_DIAMETER: dict[SchoolState, float] = {
    SchoolState.UNKNOWN: 5.0,
    SchoolState.ONLINE: 5.0,
    SchoolState.LATE: 6.0,
    SchoolState.OFFLINE: 5.0,
    SchoolState.OVERDUE_HAZARD: 7.0,
    SchoolState.DRILL: 8.0,
    SchoolState.ALARM: 11.0,
}
PULSE_FRAMES = 6
PULSE_MAX_DIAMETER = 26.0
HIGHLIGHT_DIAMETER = 20.0
CELL = 28  # logical pixels per atlas cell: fits the largest sprite with margin


@dataclass(frozen=True)
class SpriteAtlas:
    """The atlas pixmap and, per sprite, its source rectangle in device pixels."""

    pixmap: QPixmap
    device_pixel_ratio: float
    state_rects: tuple[tuple[float, float, float, float], ...]  # indexed by state value
    pulse_rects: tuple[tuple[float, float, float, float], ...]
    highlight_rect: tuple[float, float, float, float]

    @property
    def max_radius(self) -> float:
        """The largest sprite radius in logical pixels (for repaint margins and hit tests)."""
        return PULSE_MAX_DIAMETER / 2 + 1


def build_atlas(device_pixel_ratio: float = 1.0) -> SpriteAtlas:
    states = list(SchoolState)
    cells = len(states) + PULSE_FRAMES + 1
    dpr = max(device_pixel_ratio, 1.0)
    cell_px = int(CELL * dpr)
    pixmap = QPixmap(cell_px * cells, cell_px)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.scale(dpr, dpr)

    def rect(cell: int, diameter: float) -> tuple[float, float, float, float]:
        # Only the sprite's own square (plus an antialiasing pixel) is blitted: blending a
        # whole 28 px cell for a 5 px dot would cost ~30x more per marker.
        side = math.ceil((diameter + 2) * dpr / 2) * 2  # even, like the cell: whole-pixel offsets
        left = cell * cell_px + (cell_px - side) / 2
        return (float(left), float((cell_px - side) / 2), float(side), float(side))

    def centre(cell: int) -> QPointF:
        return QPointF(cell * CELL + CELL / 2, CELL / 2)

    state_rects = []
    for cell, state in enumerate(states):
        d = MARKER_DIAMETER[state]
        fill = state_color(state)
        if state >= SchoolState.OVERDUE_HAZARD:
            # A dark rim separates a warning marker from the calm markers it overlaps.
            painter.setPen(QPen(QColor(8, 12, 18, 230), 1.5))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawEllipse(centre(cell), d / 2, d / 2)
        if state == SchoolState.ALARM:
            painter.setPen(QPen(QColor(255, 255, 255, 210), 1.2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centre(cell), d / 2 + 1.2, d / 2 + 1.2)
        # The drawn extent: the dot plus its rim (1.5 px pen) and, for alarms, the white ring.
        extent = d + (1.5 if state >= SchoolState.OVERDUE_HAZARD else 0.0)
        if state == SchoolState.ALARM:
            extent = d + 2 * 1.2 + 1.2
        state_rects.append(rect(cell, extent))

    pulse_rects = []
    alarm = QColor(STATE_COLOR_HEX[SchoolState.ALARM])
    for frame in range(PULSE_FRAMES):
        cell = len(states) + frame
        t = (frame + 1) / PULSE_FRAMES
        d = MARKER_DIAMETER[SchoolState.ALARM] + t * (PULSE_MAX_DIAMETER - MARKER_DIAMETER[SchoolState.ALARM])
        ring = QColor(alarm)
        ring.setAlphaF(0.85 * (1.0 - t) + 0.1)
        painter.setPen(QPen(ring, 2.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre(cell), d / 2, d / 2)
        pulse_rects.append(rect(cell, d + 2.0))

    cell = len(states) + PULSE_FRAMES
    painter.setPen(QPen(QColor(HIGHLIGHT_RING_HEX), 2.5))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(centre(cell), HIGHLIGHT_DIAMETER / 2, HIGHLIGHT_DIAMETER / 2)
    painter.end()
    pixmap.setDevicePixelRatio(dpr)
    return SpriteAtlas(
        pixmap, dpr, tuple(state_rects), tuple(pulse_rects), rect(cell, HIGHLIGHT_DIAMETER + 3)
    )
