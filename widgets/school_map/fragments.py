"""A numpy-backed array of QPainter.PixmapFragment for one drawPixmapFragments call.

Drawing 10,000 markers one Python call at a time costs tens of milliseconds; one
drawPixmapFragments call over a contiguous C array costs about 1.5 ms. PySide6 takes a pointer to
the first fragment and a count, so the fragments live in a numpy array laid out exactly like the
C++ struct (ten doubles: x, y, sourceLeft, sourceTop, width, height, scaleX, scaleY, rotation,
opacity) and are filled with vectorised numpy.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shiboken6
from PySide6.QtGui import QPainter, QPixmap

FIELDS = 10
X, Y, SRC_LEFT, SRC_TOP, SRC_W, SRC_H, SCALE_X, SCALE_Y, ROTATION, OPACITY = range(FIELDS)


class FragmentArray:
    """A growable block of fragments; ``view(n)`` gives the first n rows to fill."""

    def __init__(self) -> None:
        self._data: npt.NDArray[np.float64] = np.zeros((0, FIELDS), dtype=np.float64)
        self._size = 0

    def view(self, size: int) -> npt.NDArray[np.float64]:
        if size > len(self._data):
            # Grow by half again so a slowly growing marker count does not reallocate every frame.
            self._data = np.zeros((max(size, len(self._data) * 3 // 2, 64), FIELDS), dtype=np.float64)
        self._size = size
        return self._data[:size]

    def draw(self, painter: QPainter, pixmap: QPixmap) -> None:
        """Draw the first ``size`` fragments (the array stays alive for the whole call)."""
        if self._size == 0:
            return
        first = shiboken6.wrapInstance(self._data.ctypes.data, QPainter.PixmapFragment)
        painter.drawPixmapFragments(first, self._size, pixmap)
