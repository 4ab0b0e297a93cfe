"""The colour legend overlay: one row per state with its colour and the number of schools."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from services.school_state import SchoolState
from widgets.school_map.sprites import MARKER_DIAMETER
from widgets.school_map.state_names import state_name
from widgets.theme_colors import state_color

_PAD = 8
_ROW_GAP = 3
_SWATCH = 12


class LegendOverlay(QWidget):
    """Drawn over the map's top-left corner; mouse events pass through to the map."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self._counts: tuple[int, ...] = (0,) * len(SchoolState)
        # Most severe first: the eye reads the top rows first.
        self._order = sorted(SchoolState, reverse=True)
        self._names = [state_name(s) for s in self._order]
        self.resize(self.sizeHint())

    def counts(self) -> tuple[int, ...]:
        return self._counts

    def set_counts(self, counts: Sequence[int]) -> None:
        new = tuple(int(c) for c in counts)
        if new != self._counts:
            self._counts = new
            self.update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._names = [state_name(s) for s in self._order]
            self.resize(self.sizeHint())
            self.update()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        name_w = max(fm.horizontalAdvance(n) for n in self._names)
        count_w = fm.horizontalAdvance("00000")
        row_h = max(fm.height(), _SWATCH)
        return QSize(
            _PAD * 3 + _SWATCH + name_w + count_w + 8,
            _PAD * 2 + len(self._order) * row_h + (len(self._order) - 1) * _ROW_GAP,
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QColor(255, 255, 255, 40))
        painter.setBrush(QColor(8, 14, 22, 205))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)
        fm = QFontMetrics(self.font())
        row_h = max(fm.height(), _SWATCH)
        y = _PAD
        for state, name in zip(self._order, self._names, strict=True):
            d = max(MARKER_DIAMETER[state], 8.0)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(state_color(state))
            painter.drawEllipse(QPointF(_PAD + _SWATCH / 2, y + row_h / 2), d / 2, d / 2)
            painter.setPen(QColor(220, 230, 240))
            text_rect = QRectF(_PAD * 2 + _SWATCH, y, self.width() - _PAD * 3 - _SWATCH, row_h)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
            painter.drawText(
                text_rect,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                str(self._counts[int(state)]),
            )
            y += row_h + _ROW_GAP
        painter.end()
