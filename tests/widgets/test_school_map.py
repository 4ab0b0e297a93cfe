"""The school map widget: pixels, coalescing, hover, click, labels, filters and fly-to."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from services.school_state import SchoolState
from widgets.school_map import MapDistrict, MapSchools, SchoolMapWidget
from widgets.school_map.labels import MAX_SCHOOL_LABELS
from widgets.theme_colors import STATE_COLOR_HEX

pytestmark = pytest.mark.gui

# Three districts side by side; names sit along the top edge, away from the schools.
DISTRICTS = [
    MapDistrict(
        370201 + i,
        f"D{i}",
        [
            [
                [
                    (120.0 + 0.3 * i, 36.0),
                    (120.3 + 0.3 * i, 36.0),
                    (120.3 + 0.3 * i, 36.3),
                    (120.0 + 0.3 * i, 36.3),
                ]
            ]
        ],
        (120.15 + 0.3 * i, 36.29),
    )
    for i in range(3)
]
# A 6 x 4 grid of schools per district, well apart, plus two schools sharing one position.
_lon, _lat, _district = [], [], []
for d in range(3):
    for gx in range(6):
        for gy in range(4):
            _lon.append(120.03 + 0.3 * d + gx * 0.045)
            _lat.append(36.05 + gy * 0.05)
            _district.append(d)
_lon += [120.45, 120.45]
_lat += [36.125, 36.125]
_district += [1, 1]
N = len(_lon)
SCHOOLS = MapSchools.from_columns(
    ids=[5000 + i for i in range(N)],
    lon=_lon,
    lat=_lat,
    district=_district,
    type_code=[i % 2 for i in range(N)],
    names=[f"School {i}" for i in range(N)],
    students=[100 + i for i in range(N)],
    type_names={0: "Primary", 1: "Kindergarten"},
)
SHARED_A, SHARED_B = 5000 + N - 2, 5000 + N - 1


@pytest.fixture
def map_widget(qtbot):
    # Hosted in a plain window without a layout: Qt's offscreen platform warns ("does not support
    # propagateSizeHints") whenever a top-level window with a layout is shown, and a Qt warning
    # fails the test. Inside the console the map is never a top-level window.
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
    QToolTip.hideText()
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=3000)


def set_and_flush(qtbot, widget, states: dict[int, SchoolState]) -> None:
    widget.apply_states(states)
    qtbot.waitUntil(lambda: all(widget.state_of(i) == s for i, s in states.items()), timeout=2000)


def pixel_at(widget, school_id: int) -> QColor:
    pos = widget.viewport_position(school_id)
    image = widget.graphics_view.viewport().grab().toImage()
    return QColor(image.pixel(pos))


def close_to(colour: QColor, hex_colour: str, tolerance: int = 12) -> bool:
    want = QColor(hex_colour)
    return all(
        abs(a - b) <= tolerance
        for a, b in zip(
            (colour.red(), colour.green(), colour.blue()),
            (want.red(), want.green(), want.blue()),
            strict=True,
        )
    )


def move_mouse(widget, pos: QPoint) -> None:
    viewport = widget.graphics_view.viewport()
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(pos),
        QPointF(viewport.mapToGlobal(pos)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, event)


def test_alarm_shows_the_alarm_colour_at_the_school(qtbot, map_widget):
    target, other = 5003, 5010
    set_and_flush(qtbot, map_widget, {target: SchoolState.ALARM, other: SchoolState.ONLINE})
    assert close_to(pixel_at(map_widget, target), STATE_COLOR_HEX[SchoolState.ALARM])
    assert close_to(pixel_at(map_widget, other), STATE_COLOR_HEX[SchoolState.ONLINE])
    assert map_widget.state_counts()[SchoolState.ALARM] == 1


def test_alarm_is_drawn_over_a_calmer_school_at_the_same_place(qtbot, map_widget):
    set_and_flush(qtbot, map_widget, {SHARED_A: SchoolState.ALARM, SHARED_B: SchoolState.ONLINE})
    assert close_to(pixel_at(map_widget, SHARED_B), STATE_COLOR_HEX[SchoolState.ALARM])
    set_and_flush(qtbot, map_widget, {SHARED_A: SchoolState.ONLINE, SHARED_B: SchoolState.ALARM})
    assert close_to(pixel_at(map_widget, SHARED_A), STATE_COLOR_HEX[SchoolState.ALARM])


def test_filtered_out_school_is_neither_drawn_nor_hoverable(qtbot, map_widget):
    in_d0, in_d1 = 5001, 5030  # districts 0 and 1
    set_and_flush(qtbot, map_widget, {in_d0: SchoolState.ONLINE, in_d1: SchoolState.ONLINE})
    pos = map_widget.viewport_position(in_d0)
    assert map_widget.school_at(pos) == in_d0
    map_widget.set_filters(districts={1})
    assert not close_to(pixel_at(map_widget, in_d0), STATE_COLOR_HEX[SchoolState.ONLINE], tolerance=40)
    assert map_widget.school_at(pos) is None
    assert close_to(pixel_at(map_widget, in_d1), STATE_COLOR_HEX[SchoolState.ONLINE])
    map_widget.set_filters(states={int(SchoolState.ALARM)})
    assert map_widget.school_at(map_widget.viewport_position(in_d1)) is None
    map_widget.set_filters()
    assert close_to(pixel_at(map_widget, in_d0), STATE_COLOR_HEX[SchoolState.ONLINE])


def test_a_thousand_updates_before_a_tick_make_one_rebuild(qtbot, map_widget):
    layer = map_widget.marker_layer
    before = layer.rebuilds
    cycle = [SchoolState.ONLINE, SchoolState.LATE, SchoolState.OFFLINE, SchoolState.ALARM]
    for k in range(1000):
        map_widget.apply_states(np.array([5000 + k % N]), np.array([int(cycle[k % 4])]))
    assert layer.rebuilds == before  # nothing applied yet: only staged
    qtbot.waitUntil(lambda: layer.rebuilds > before, timeout=2000)
    qtbot.wait(100)  # a second tick must not find anything left to apply
    assert layer.rebuilds == before + 1
    # The last update given for a school wins.
    last = {5000 + k % N: cycle[k % 4] for k in range(1000)}
    assert all(map_widget.state_of(i) == s for i, s in last.items())


@pytest.mark.expect_log(r"ignored 1 state update")
def test_unknown_school_update_is_dropped_and_logged(qtbot, map_widget, caplog):
    accepted = map_widget.apply_states(np.array([5002, 999_999]), np.array([int(SchoolState.LATE), 1]))
    assert accepted == 1
    qtbot.waitUntil(lambda: map_widget.state_of(5002) == SchoolState.LATE, timeout=2000)
    assert "ignored 1 state update" in caplog.text
    with pytest.raises(ValueError, match="one state per id"):
        map_widget.apply_states(np.array([5002, 5003]), np.array([1]))


# Qt's offscreen platform warns when a tooltip window is raised; that is the platform, not the map.
@pytest.mark.qt_log_ignore(r"This plugin does not support raise\(\)")
def test_hover_shows_the_school_tooltip(qtbot, map_widget):
    school = 5007
    set_and_flush(qtbot, map_widget, {school: SchoolState.DRILL})
    with qtbot.waitSignal(map_widget.schoolHovered, timeout=2000) as hovered:
        move_mouse(map_widget, map_widget.viewport_position(school))
    assert hovered.args == [school]
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    text = QToolTip.text()
    assert "School 7" in text
    assert "Kindergarten" in text  # type 1
    assert "D0" in text
    assert "107" in text  # students
    assert "Drill" in text
    with qtbot.waitSignal(map_widget.schoolHovered, timeout=2000) as left:
        move_mouse(map_widget, QPoint(5, map_widget.graphics_view.height() - 5))
    assert left.args == [-1]


def test_click_emits_school_activated_with_the_id(qtbot, map_widget):
    school = 5040
    viewport = map_widget.graphics_view.viewport()
    with qtbot.waitSignal(map_widget.schoolActivated, timeout=2000) as activated:
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=map_widget.viewport_position(school))
    assert activated.args == [school]


def test_school_labels_appear_only_when_zoomed_in(qtbot, map_widget):
    labels = map_widget.label_layer
    map_widget.graphics_view.viewport().grab()
    assert labels.shown_school_labels == []
    with qtbot.waitSignal(map_widget.flyToFinished, timeout=3000):
        map_widget.fly_to(5030)
    map_widget.graphics_view.viewport().grab()
    shown = labels.shown_school_labels
    assert 0 < len(shown) <= MAX_SCHOOL_LABELS
    assert shown[0] == 30  # the school flown to (index of 5030) is named first
    plates = [
        QRectF(x - 2, y, text.size().width() + 4, text.size().height()) for _i, x, y, text in labels._layout
    ]
    assert not any(a.intersects(b) for n, a in enumerate(plates) for b in plates[n + 1 :]), "labels overlap"
    map_widget.reset_view()
    map_widget.graphics_view.viewport().grab()
    assert labels.shown_school_labels == []


def test_fly_to_moves_the_view_to_the_school_and_rings_it(qtbot, map_widget):
    vb = map_widget.view_box
    vb.setRange(xRange=(97.0, 97.02), yRange=(36.2, 36.22), padding=0)  # far from the target
    target = 5012
    assert not map_widget.view_contains(target)
    with qtbot.waitSignal(map_widget.flyToFinished, timeout=3000) as done:
        assert map_widget.fly_to(target)
    assert done.args == [target]
    assert map_widget.view_contains(target)
    centre = map_widget.graphics_view.viewport().rect().center()
    pos = map_widget.viewport_position(target)
    assert abs(pos.x() - centre.x()) < 5 and abs(pos.y() - centre.y()) < 5
    # The highlight ring (white) is drawn around the school (looked for on the left: the
    # school's name label sits on its right at this zoom).
    image = map_widget.graphics_view.viewport().grab().toImage()
    ring = [QColor(image.pixel(pos.x() - dx, pos.y())) for dx in range(7, 13)]
    assert any(c.red() > 200 and c.green() > 200 and c.blue() > 200 for c in ring)


@pytest.mark.expect_log(r"fly_to\(123\): no such school")
def test_fly_to_unknown_school_is_refused(map_widget, caplog):
    assert map_widget.fly_to(123) is False
    assert "no such school" in caplog.text


def test_reset_view_action_shows_the_whole_city(qtbot, map_widget):
    map_widget.view_box.setRange(xRange=(97.0, 97.02), yRange=(36.2, 36.22), padding=0)
    map_widget.reset_view_action.trigger()
    assert all(map_widget.view_contains(5000 + i) for i in range(N))
