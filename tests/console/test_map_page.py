"""The map page: opening a school's panel, clicking a school, search, filters."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from services.db.engine import open_database
from services.db.repository import get_school_detail
from services.school_state import SchoolState

pytestmark = pytest.mark.gui


def _school_with_cameras(console):
    engine = open_database(console.database_url)
    try:
        for school in console.map_page._schools_by_id.values():
            detail = get_school_detail(engine, school.id)
            if detail is not None and detail.cameras and detail.contacts:
                return detail
    finally:
        engine.dispose()
    raise AssertionError("the demo city has no school with cameras and contacts")


def test_opening_a_school_shows_its_details_contacts_and_cameras(running_console, qtbot):
    page = running_console.map_page
    expected = _school_with_cameras(running_console)
    page.open_school(expected.summary.id)
    assert page.panel.isVisible()
    qtbot.waitUntil(lambda: page.panel.detail is not None, timeout=10_000)
    panel = page.panel
    assert panel.detail == expected
    assert panel.title_label.text() == expected.summary.name
    assert panel.code_value.text() == expected.summary.code
    assert panel.district_value.text() == expected.district_name_en
    assert panel.cameras_table.rowCount() == len(expected.cameras)
    assert panel.contacts_table.rowCount() == len(expected.contacts)
    first = expected.cameras[0]
    assert panel.cameras_table.item(0, 0).text() == first.name
    assert panel.cameras_table.item(0, 3).text() == first.main_stream_url
    assert panel.cameras_table.item(0, 4).text() == first.sub_stream_url
    assert panel.demo_badge.isVisibleTo(panel) == expected.is_demo


def test_clicking_a_school_on_the_map_opens_its_panel(running_console, qtbot):
    page = running_console.map_page
    school_map = page.map
    target = next(iter(page._schools_by_id))
    with qtbot.waitSignal(school_map.flyToFinished, timeout=10_000):
        school_map.fly_to(target)
    position = school_map.viewport_position(target)
    assert position is not None
    assert school_map.school_at(position) == target
    with qtbot.waitSignal(school_map.schoolActivated, timeout=5_000) as blocker:
        qtbot.mouseClick(school_map.graphics_view.viewport(), Qt.MouseButton.LeftButton, pos=position)
    assert blocker.args == [target]
    qtbot.waitUntil(lambda: page.panel.school_id == target, timeout=10_000)


def test_search_flies_to_the_school_and_opens_it(running_console, qtbot):
    page = running_console.map_page
    schools = sorted(page._schools_by_id.values(), key=lambda s: s.id)
    target = schools[len(schools) // 2]
    hits = page.search(target.code)
    assert hits[0].id == target.id
    assert target.id in [s.id for s in page.search(target.name[-6:])]
    page.search_edit.setText(target.code)
    with qtbot.waitSignal(page.map.flyToFinished, timeout=10_000) as blocker:
        qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert blocker.args == [target.id]
    assert page.map.view_contains(target.id)
    qtbot.waitUntil(lambda: page.panel.school_id == target.id, timeout=10_000)


def test_completion_lists_school_names(running_console):
    page = running_console.map_page
    names = page.completer.model().stringList()
    assert len(names) == page.school_count()
    school = next(iter(page._schools_by_id.values()))
    assert f"{school.name} ({school.code})" in names


def test_filters_reach_the_map(running_console):
    page = running_console.map_page
    markers = page.map.marker_layer
    assert markers is not None
    page.state_filter.set_checked({int(SchoolState.ALARM)})
    assert markers.drawn_count() == 0
    page.state_filter.set_checked(None)
    assert markers.drawn_count() == page.school_count()
    first_district = {0}
    page.district_filter.set_checked(first_district)
    in_first = sum(1 for s in page._schools_by_id.values() if page._district_index[s.district_id] == 0)
    assert markers.drawn_count() == in_first
    assert "1/10" in page.district_filter.text()


def test_school_states_update_the_map_and_survive_a_reload(running_console, qtbot):
    page = running_console.map_page
    target = next(iter(page._schools_by_id))
    page.apply_states({target: SchoolState.ONLINE})
    page.map.flush_pending()
    assert page.map.state_of(target) == SchoolState.ONLINE
    assert page.map.state_counts()[SchoolState.ONLINE] == 1
    running_console.switch_language("zh_CN")
    qtbot.waitUntil(lambda: page.title_label.text() == "城市地图", timeout=2000)
    # The map was given its district names again in Chinese; the school kept its state.
    assert page.map.state_of(target) == SchoolState.ONLINE
    assert page.map.state_counts()[SchoolState.ONLINE] == 1


def test_a_district_scope_limits_the_map_search_and_panel(running_console) -> None:
    page = running_console.map_page
    schools = list(page._schools_by_id.values())
    boundary_of = {s.id: page._district_index.get(s.district_id, -1) for s in schools}
    scoped_index = boundary_of[schools[0].id]
    adcode = page._boundaries[scoped_index].adcode
    outside = next(s for s in schools if boundary_of[s.id] != scoped_index)
    inside = next(s for s in schools if boundary_of[s.id] == scoped_index)
    page.set_scope(adcode)
    assert not page.district_filter.isEnabled()
    assert page.district_filter.checked() == frozenset({scoped_index})
    assert page.search(outside.code) == []
    assert page.search(inside.code) == [inside]
    page.open_school(outside.id)
    assert page.panel.isHidden()
    page.set_scope(None)
    assert page.district_filter.isEnabled() and page.search(outside.code) == [outside]


def test_schools_with_an_unresolved_incident_show_as_alarm_until_resolved(running_console, qtbot) -> None:
    from services.school_state import SchoolState

    page = running_console.map_page
    school = next(iter(page._schools_by_id.values()))
    before = page._states[school.id]
    page.set_alarmed({school.code})
    assert page._states[school.id] == SchoolState.ALARM
    qtbot.waitUntil(lambda: page.map.state_counts()[SchoolState.ALARM] == 1, timeout=2000)
    page.set_alarmed(set())
    assert page._states[school.id] == before
    qtbot.waitUntil(lambda: page.map.state_counts()[SchoolState.ALARM] == 0, timeout=2000)
