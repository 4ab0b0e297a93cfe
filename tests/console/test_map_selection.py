"""A selection drawn on the city map becomes a broadcast target: the map's "Broadcast to
selection" opens the Broadcast page with exactly the schools inside the outline, and the page's
own "add from the map" reads the same selection."""

from __future__ import annotations

import pytest

from tests.console.hub.conftest import live_console

__all__ = ["live_console"]

pytestmark = pytest.mark.gui


def test_schools_drawn_round_on_the_map_become_the_broadcast_target(live_console, qtbot):
    page = live_console.map_page
    schools = list(page._schools_by_id.values())
    # A box round the south-western part of the city, by the schools' own coordinates.
    lons = sorted(s.longitude for s in schools)
    lats = sorted(s.latitude for s in schools)
    west, east = lons[0] - 0.001, lons[len(lons) // 2]
    south, north = lats[0] - 0.001, lats[len(lats) // 2]
    inside = sorted(s.code for s in schools if west <= s.longitude <= east and south <= s.latitude <= north)
    assert 0 < len(inside) < len(schools)

    bar = page.selection_bar
    assert bar.broadcast_button.isVisibleTo(page) and not bar.broadcast_button.isEnabled()
    box = ((west, south), (east, south), (east, north), (west, north))
    corners = [page.map.project(lon, lat) for lon, lat in box]
    with qtbot.waitSignal(page.map.selectionChanged):
        page.map.select_polygon(corners)
    assert sorted(page.selected_codes()) == inside
    assert bar.count_label.text() == f"{len(inside)} school(s) selected"
    assert bar.broadcast_button.isEnabled()

    bar.broadcast_button.click()
    broadcast = live_console.broadcast_page
    assert live_console.window.stack.currentWidget() is broadcast
    assert sorted(broadcast.target.chosen_schools()) == inside
    assert not broadcast.target.city_radio.isChecked()

    # The page's own button adds the same selection (nothing new now), and after clearing the map
    # it says there is none.
    broadcast.target.add_map_selection()
    assert sorted(broadcast.target.chosen_schools()) == inside
    bar.clear_button.click()
    assert page.selected_codes() == [] and bar.count_label.text() == ""
    messages: list[str] = []
    broadcast.target.statusMessage.connect(messages.append)
    broadcast.target.add_map_selection()
    assert messages == ["No schools are selected on the map."]
