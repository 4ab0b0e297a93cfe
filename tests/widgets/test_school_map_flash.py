"""The school map's flash: chosen schools get a blinking ring, whatever their state, until cleared."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from services.school_state import SchoolState
from tests.widgets.test_school_map import DISTRICTS, SCHOOLS
from widgets.school_map import SchoolMapWidget
from widgets.theme_colors import STATE_COLOR_HEX

pytestmark = pytest.mark.gui


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
    yield widget  # the host must live as long as the test


def _red_pixels_near(widget: SchoolMapWidget, school_id: int, radius: int = 13) -> int:
    image = widget.graphics_view.viewport().grab().toImage()
    centre = widget.viewport_position(school_id)
    assert centre is not None
    alarm = QColor(STATE_COLOR_HEX[SchoolState.ALARM])
    count = 0
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            c = image.pixelColor(centre.x() + dx, centre.y() + dy)
            if c.red() > 150 and c.green() < 110 and abs(c.red() - alarm.red()) < 90:
                count += 1
    return count


def test_flashing_school_gets_a_blinking_ring_until_cleared(map_widget, qtbot):
    school = int(SCHOOLS.ids[3])
    other = int(SCHOOLS.ids[10])
    assert _red_pixels_near(map_widget, school) == 0

    map_widget.set_flashing([school])

    assert map_widget.flashing_ids() == {school}
    assert map_widget._pulse_timer.isActive()  # the ring blinks on the pulse timer
    frames = set()
    for _ in range(4):
        qtbot.wait(160)
        frames.add(map_widget.marker_layer._flash_frame)
    assert len(frames) > 1, "the ring does not change between frames"
    qtbot.waitUntil(lambda: _red_pixels_near(map_widget, school) > 0, timeout=2000)
    assert _red_pixels_near(map_widget, other) == 0
    # The school's state is untouched: flashing is an overlay.
    assert map_widget.state_of(school) == SchoolState.UNKNOWN

    map_widget.set_flashing([])

    assert not map_widget._pulse_timer.isActive()
    qtbot.waitUntil(lambda: _red_pixels_near(map_widget, school) == 0, timeout=2000)


def test_unknown_ids_are_kept_but_not_drawn(map_widget):
    map_widget.set_flashing([999_999, int(SCHOOLS.ids[0])])
    assert map_widget.flashing_ids() == {999_999, int(SCHOOLS.ids[0])}
    assert list(map_widget.marker_layer.flash) == [0]
    map_widget.set_flashing([])
    assert len(map_widget.marker_layer.flash) == 0


def test_filtered_out_school_does_not_flash(map_widget, qtbot):
    school = int(SCHOOLS.ids[0])  # district 0
    map_widget.set_flashing([school])
    map_widget.set_filters(districts=[1])
    qtbot.wait(50)
    assert _red_pixels_near(map_widget, school) == 0
    assert np.array_equal(map_widget.marker_layer.flash, [0])  # still asked for, just not drawn
    map_widget.set_flashing([])
