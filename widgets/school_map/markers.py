"""The school marker layer: every visible school as a constant-size sprite, alarms on top.

Per state the layer keeps the indices of the visible schools in that state. A coalescing tick
rebuilds only the index sets of the states whose membership changed; painting maps the drawn
points to device pixels in one numpy pass and blits them all with a single drawPixmapFragments
call, in severity order so an alarm is never hidden under a calm school.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from services.school_state import SchoolState
from widgets.school_map import fragments as fr
from widgets.school_map.sprites import SpriteAtlas, build_atlas
from widgets.school_map.state_store import STATE_COUNT

# Points further than this outside the viewport are not drawn (a sprite is at most ~28 px wide).
_CULL_MARGIN_PX = 32.0


class MarkerLayer(QGraphicsObject):
    def __init__(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> None:
        super().__init__()
        self._x = x
        self._y = y
        self._atlas: SpriteAtlas = build_atlas(1.0)
        self._state_rects = np.array(self._atlas.state_rects, dtype=np.float64)
        self._members: list[npt.NDArray[np.intp]] = [np.zeros(0, dtype=np.intp)] * STATE_COUNT
        self._draw_order = np.zeros(0, dtype=np.intp)
        self._draw_state = np.zeros(0, dtype=np.int8)
        self._highlight: int | None = None
        self._pulse_frame: int | None = None
        self._flash = np.zeros(0, dtype=np.intp)  # schools ringed whatever their state
        self._flash_frame = 0
        self._fragments = fr.FragmentArray()
        self.rebuilds = 0  # coalescing ticks that rebuilt membership (observable for tests/bench)
        if len(x):
            x0, x1, y0, y1 = float(x.min()), float(x.max()), float(y.min()), float(y.max())
        else:
            x0 = x1 = y0 = y1 = 0.0
        pad = max(x1 - x0, y1 - y0, 0.01)
        # Markers have a pixel size, not a map size: the padding covers the sprite radius until
        # the whole city is zoomed out to under ~30 px.
        self._bounds = QRectF(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)

    # --- membership ----------------------------------------------------------------------------
    def set_members(
        self, states: npt.NDArray[np.int8], visible: npt.NDArray[np.bool_], dirty: Iterable[int]
    ) -> None:
        """Rebuild the index sets of the *dirty* states from the current states and mask."""
        for s in dirty:
            if 0 <= s < STATE_COUNT:
                self._members[s] = np.flatnonzero((states == s) & visible)
        self._draw_order = np.concatenate(self._members)
        self._draw_state = np.repeat(np.arange(STATE_COUNT, dtype=np.int8), [len(m) for m in self._members])
        self.rebuilds += 1

    def members(self, state: SchoolState) -> npt.NDArray[np.intp]:
        return self._members[int(state)]

    def drawn_count(self) -> int:
        return len(self._draw_order)

    @property
    def highlight(self) -> int | None:
        return self._highlight

    def set_highlight(self, index: int | None) -> None:
        self._highlight = index
        self.update()

    def set_pulse_frame(self, frame: int | None) -> None:
        self._pulse_frame = frame

    @property
    def flash(self) -> npt.NDArray[np.intp]:
        return self._flash

    def set_flash(self, indices: npt.NDArray[np.intp], frame: int) -> None:
        """Ring these schools with the pulse frame *frame* (an empty array: none)."""
        self._flash = indices
        self._flash_frame = frame

    @property
    def max_radius_px(self) -> float:
        return self._atlas.max_radius

    def _visible_flash(self) -> npt.NDArray[np.bool_]:
        """Which flashing schools are drawn at all (a filtered-out school does not flash)."""
        drawn = np.zeros(len(self._x), dtype=bool)
        drawn[self._draw_order] = True
        return drawn[self._flash]

    # --- QGraphicsItem -------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        dpr = widget.devicePixelRatioF() if widget is not None else painter.device().devicePixelRatioF()
        if dpr != self._atlas.device_pixel_ratio:
            self._atlas = build_atlas(dpr)
            self._state_rects = np.array(self._atlas.state_rects, dtype=np.float64)
        t = painter.transform()
        sx, sy, dx, dy = t.m11(), t.m22(), t.dx(), t.dy()
        device = painter.device()
        width, height = device.width(), device.height()

        order = self._draw_order
        px = self._x[order] * sx + dx
        py = self._y[order] * sy + dy
        inside = (
            (px > -_CULL_MARGIN_PX)
            & (px < width + _CULL_MARGIN_PX)
            & (py > -_CULL_MARGIN_PX)
            & (py < height + _CULL_MARGIN_PX)
        )
        px, py, drawn_state = px[inside], py[inside], self._draw_state[inside]

        # Pulse rings go just under the alarm markers, over every calm marker.
        first_alarm = int(np.searchsorted(drawn_state, int(SchoolState.ALARM)))
        alarms = len(drawn_state) - first_alarm
        pulses = alarms if self._pulse_frame is not None else 0
        flash = self._flash[self._visible_flash()] if len(self._flash) else self._flash
        fx = self._x[flash] * sx + dx
        fy = self._y[flash] * sy + dy
        flash_inside = (
            (fx > -_CULL_MARGIN_PX) & (fx < width + _CULL_MARGIN_PX)
            & (fy > -_CULL_MARGIN_PX) & (fy < height + _CULL_MARGIN_PX)
        )  # fmt: skip
        fx, fy = fx[flash_inside], fy[flash_inside]
        flashes = len(fx)
        highlight_xy = None
        if self._highlight is not None:
            highlight_xy = (self._x[self._highlight] * sx + dx, self._y[self._highlight] * sy + dy)
        total = len(px) + pulses + flashes + (1 if highlight_xy is not None else 0)
        if total == 0:
            return
        f = self._fragments.view(total)
        calm = first_alarm
        f[:calm, fr.X] = px[:calm]
        f[:calm, fr.Y] = py[:calm]
        f[:calm, fr.SRC_LEFT : fr.SRC_H + 1] = self._state_rects[drawn_state[:calm]]
        row = calm
        if pulses:
            f[row : row + pulses, fr.X] = px[calm:]
            f[row : row + pulses, fr.Y] = py[calm:]
            f[row : row + pulses, fr.SRC_LEFT : fr.SRC_H + 1] = self._atlas.pulse_rects[
                self._pulse_frame or 0
            ]
            row += pulses
        if flashes:
            f[row : row + flashes, fr.X] = fx
            f[row : row + flashes, fr.Y] = fy
            f[row : row + flashes, fr.SRC_LEFT : fr.SRC_H + 1] = self._atlas.pulse_rects[self._flash_frame]
            row += flashes
        f[row : row + alarms, fr.X] = px[calm:]
        f[row : row + alarms, fr.Y] = py[calm:]
        f[row : row + alarms, fr.SRC_LEFT : fr.SRC_H + 1] = self._atlas.state_rects[int(SchoolState.ALARM)]
        row += alarms
        if highlight_xy is not None:
            f[row, fr.X], f[row, fr.Y] = highlight_xy
            f[row, fr.SRC_LEFT : fr.SRC_H + 1] = self._atlas.highlight_rect
        f[:, fr.SCALE_X] = 1.0 / dpr
        f[:, fr.SCALE_Y] = 1.0 / dpr
        f[:, fr.ROTATION] = 0.0
        f[:, fr.OPACITY] = 1.0
        painter.save()
        painter.resetTransform()
        self._fragments.draw(painter, self._atlas.pixmap)
        painter.restore()
