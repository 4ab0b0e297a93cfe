"""The alarm type icons: a rounded square in the type's colour with the type's glyph on it.

Drawn rather than shipped as image files: every type (also one a newer hub adds) gets an icon in
its own colour, and the glyph is a Chinese character the control room reads at a glance.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from console.alarms.alarm_types import AlarmTypeStyle

ICON_SIZES = (16, 20, 24, 32, 48)


def type_icon(style: AlarmTypeStyle) -> QIcon:
    return _icon(style.colour, style.glyph)


@lru_cache(maxsize=64)
def _icon(colour: str, glyph: str) -> QIcon:
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(type_pixmap(colour, glyph, size))
    return icon


def type_pixmap(colour: str, glyph: str, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    fill = QColor(colour)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(QRectF(0.5, 0.5, size - 1, size - 1), size * 0.22, size * 0.22)
    # Dark glyph on light colours, white on dark ones, so every glyph stays readable.
    painter.setPen(QColor("#101418") if fill.lightnessF() > 0.6 else QColor("#ffffff"))
    font = QFont()
    font.setPixelSize(max(8, int(size * 0.68)))
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, glyph)
    painter.end()
    return pixmap
