"""Schools selected by an outline drawn on the map: the ones inside, only visible ones, Shift adds,
and outside selection mode a drag still pans."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from tests.widgets.test_school_map import DISTRICTS, SCHOOLS
from widgets.school_map import SchoolMapWidget
from widgets.school_map.lasso import SELECTION_COLOR, points_inside

pytestmark = pytest.mark.gui

DISTRICT_0_IDS = [int(i) for i, d in zip(SCHOOLS.ids, SCHOOLS.district, strict=True) if d == 0]


@pytest.fixture
def map_widget(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(900, 700)
    widget = SchoolMapWidget(host)
    widget.setGeometry(0, 0, 900, 700)
    widget.set_city(DISTRICTS, SCHOOLS)
    host.show()
    qtbot.waitExposed(host)
    widget.reset_view()
    yield widget


def _pixel(widget: SchoolMapWidget, lon: float, lat: float) -> QPoint:
    x, y = widget.project(lon, lat)
    scene = widget.view_box.mapViewToScene(QPointF(x, y))
    return widget.graphics_view.mapFromScene(scene)


def _mouse(widget: SchoolMapWidget, kind: QEvent.Type, pos: QPoint, shift: bool = False) -> None:
    viewport = widget.graphics_view.viewport()
    held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else Qt.MouseButton.LeftButton
    event = QMouseEvent(
        kind,
        QPointF(pos),
        QPointF(viewport.mapToGlobal(pos)),
        Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton,
        held,
        Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, event)


def _drag_outline(widget: SchoolMapWidget, corners: list[tuple[float, float]], shift: bool = False) -> None:
    points = [_pixel(widget, lon, lat) for lon, lat in corners]
    _mouse(widget, QEvent.Type.MouseButtonPress, points[0], shift)
    for point in points[1:]:
        _mouse(widget, QEvent.Type.MouseMove, point, shift)
    _mouse(widget, QEvent.Type.MouseButtonRelease, points[-1], shift)


DISTRICT_0_OUTLINE = [(120.005, 36.01), (120.29, 36.01), (120.29, 36.29), (120.005, 36.29)]
DISTRICT_2_OUTLINE = [(120.605, 36.01), (120.89, 36.01), (120.89, 36.29), (120.605, 36.29)]


def test_points_inside_follows_a_concave_outline() -> None:
    # An L: the notch at the top right is outside.
    outline = np.array([(0, 0), (4, 0), (4, 2), (2, 2), (2, 4), (0, 4)], dtype=np.float64)
    xs = np.array([1.0, 3.0, 3.0, 1.0, 5.0])
    ys = np.array([1.0, 1.0, 3.0, 3.0, 1.0])
    assert points_inside(xs, ys, outline).tolist() == [True, True, False, True, False]
    assert not points_inside(xs, ys, outline[:2]).any()  # two points enclose nothing


def test_a_drawn_outline_selects_the_schools_inside_it(map_widget, qtbot) -> None:
    activated: list[int] = []
    map_widget.schoolActivated.connect(activated.append)
    map_widget.set_selection_mode(True)
    with qtbot.waitSignal(map_widget.selectionChanged) as changed:
        _drag_outline(map_widget, DISTRICT_0_OUTLINE)
    assert changed.args == [len(DISTRICT_0_IDS)]
    assert map_widget.selected_ids() == DISTRICT_0_IDS
    assert activated == []  # drawing over schools does not open them

    # The selected schools are ringed in the selection colour.
    image = map_widget.graphics_view.viewport().grab().toImage()
    centre = map_widget.viewport_position(DISTRICT_0_IDS[0])
    assert centre is not None
    ring = QColor(SELECTION_COLOR)
    near = [
        image.pixelColor(centre.x() + dx, centre.y() + dy)
        for dx in range(-9, 10)
        for dy in range(-9, 10)
    ]
    assert any(
        abs(c.red() - ring.red()) < 40 and abs(c.green() - ring.green()) < 40 and c.blue() > 200 for c in near
    )

    # Shift adds a second outline's schools; a plain outline replaces the selection.
    _drag_outline(map_widget, DISTRICT_2_OUTLINE, shift=True)
    district_2 = [int(i) for i, d in zip(SCHOOLS.ids, SCHOOLS.district, strict=True) if d == 2]
    assert map_widget.selected_ids() == sorted(DISTRICT_0_IDS + district_2)
    _drag_outline(map_widget, DISTRICT_2_OUTLINE)
    assert map_widget.selected_ids() == district_2

    with qtbot.waitSignal(map_widget.selectionChanged) as cleared:
        map_widget.clear_selection()
    assert cleared.args == [0] and map_widget.selected_ids() == []


def test_hidden_schools_are_not_selected(map_widget) -> None:
    map_widget.set_filters(types=[0])  # only the primary schools are shown
    map_widget.set_selection_mode(True)
    _drag_outline(map_widget, DISTRICT_0_OUTLINE)
    shown = [int(i) for i, t in zip(SCHOOLS.ids, SCHOOLS.type_code, strict=True) if t == 0]
    assert map_widget.selected_ids() == [i for i in DISTRICT_0_IDS if i in shown]


def test_outside_selection_mode_a_drag_pans_the_map(map_widget, qtbot) -> None:
    before = map_widget.view_box.viewRect()
    _drag_outline(map_widget, [(120.1, 36.1), (120.5, 36.1), (120.6, 36.1)])
    qtbot.waitUntil(lambda: map_widget.view_box.viewRect() != before, timeout=2000)
    assert map_widget.selected_ids() == []
