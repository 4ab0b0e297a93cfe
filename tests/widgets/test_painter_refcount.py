"""Void QPainter calls must not eat None's reference count.

PySide6 6.12.0 decrements None's refcount once per void QPainter call (drawRect, drawLine,
fillRect, drawImage, ...). On Python 3.11 that aborts the process after a few thousand calls
("Fatal Python error: none_dealloc"); on Python 3.12+ None is immortal and nothing happens. The
project relies on one of two combinations (pyproject pins them): Python >= 3.12, or PySide6 < 6.12.
This test paints a few hundred thousand void calls and checks the combination holds.
"""

from __future__ import annotations

import sys

import PySide6
import pytest
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath

pytestmark = pytest.mark.gui

ROUNDS = 50_000  # x 6 calls = 300,000 void QPainter calls


def pyside_version() -> tuple[int, ...]:
    return tuple(int(p) for p in PySide6.__version__.split(".")[:2])


def paint_many(rounds: int) -> int:
    image = QImage(64, 64, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.black)
    sprite = QImage(4, 4, QImage.Format.Format_ARGB32_Premultiplied)
    sprite.fill(QColor(255, 0, 0))
    path = QPainterPath()
    path.addEllipse(QRectF(2, 2, 6, 6))
    rect = QRectF(1, 1, 5, 5)
    line = QLineF(0, 0, 10, 10)
    red = QColor(255, 0, 0)
    calls = 0
    painter = QPainter(image)
    try:
        for i in range(rounds):
            painter.drawRect(rect)
            painter.drawLine(line)
            painter.fillRect(rect, red)
            painter.drawImage(QPointF(i % 60, 3), sprite)
            painter.drawPath(path)
            painter.drawPoint(QPointF(5, 5))
            calls += 6
    finally:
        painter.end()
    return calls


def test_runs_on_a_combination_the_project_supports():
    # PySide6 6.12 on Python 3.11 aborts painting programs; pyproject keeps that pair apart.
    assert sys.version_info >= (3, 12) or pyside_version() < (6, 12), (
        f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]}: "
        "use Python 3.12+ or PySide6 < 6.12"
    )


def test_void_painter_calls_leave_none_refcount_alone():
    before = sys.getrefcount(None)
    calls = paint_many(ROUNDS)
    after = sys.getrefcount(None)
    assert calls == ROUNDS * 6
    # Each buggy call would drop one reference (300,000 in all); allow only unrelated noise from
    # the interpreter itself. On Python 3.12+ None is immortal and the count does not move at all.
    assert after >= before - 100, (
        f"None lost {before - after} references over {calls} QPainter calls: "
        f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} has the void-call refcount bug"
    )
