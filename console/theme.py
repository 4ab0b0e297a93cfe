"""The dark control-room look: palette, style sheet, CJK font and pyqtgraph colours.

Control rooms run with dimmed lights and many screens; a dark theme keeps the video and the
alarm colours the brightest things in the room. The font is chosen explicitly so Chinese renders
the same on every workstation instead of depending on fontconfig's fallback order.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

STYLE_SHEET = Path(__file__).resolve().parent.parent / "resources" / "theme" / "dark.qss"
CJK_FONT_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei")
BASE_FONT_POINT_SIZE = 10

BACKGROUND = "#0d1520"
SURFACE = "#152232"
TEXT = "#dce6f0"
ACCENT = "#2f8fdd"


def choose_cjk_font() -> QFont:
    """The first installed CJK family of CJK_FONT_FAMILIES, else the system default (logged)."""
    available = set(QFontDatabase.families())
    for family in CJK_FONT_FAMILIES:
        if family in available:
            font = QFont(family, BASE_FONT_POINT_SIZE)
            return font
    log.warning(
        "no CJK font found (%s): Chinese text may show as boxes; install fonts-noto-cjk",
        ", ".join(CJK_FONT_FAMILIES),
    )
    return QFont(QApplication.font().family(), BASE_FONT_POINT_SIZE)


def dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: BACKGROUND,
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: "#0a111a",
        QPalette.ColorRole.AlternateBase: SURFACE,
        QPalette.ColorRole.ToolTipBase: SURFACE,
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: SURFACE,
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: "#ff5050",
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#6cb6ff",
        QPalette.ColorRole.PlaceholderText: "#6f8196",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#5a6878"))
    return palette


def apply_theme(app: QApplication) -> QFont:
    """Apply the palette, style sheet, font and pyqtgraph colours to *app*; return the font."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    font = choose_cjk_font()
    app.setFont(font)
    try:
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    except OSError as exc:
        log.warning("style sheet %s not readable (%s): using the palette only", STYLE_SHEET, exc)
    pg.setConfigOptions(background=BACKGROUND, foreground=TEXT, antialias=True)
    return font
