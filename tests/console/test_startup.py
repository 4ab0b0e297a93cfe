"""The start-up sequence's error messages and failure paths, in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.startup import describe_startup_error
from services.db.engine import DatabaseError
from services.geo.districts import MapDataError

pytestmark = pytest.mark.gui


def test_database_error_message_names_the_problem_and_what_to_check(qapp):
    message = describe_startup_error(
        DatabaseError("cannot open the database postgresql://x: connection refused"),
        database_url="postgresql://x",
        map_path=Path("/m.geojson"),
    )
    assert message.title == "Cannot open the database"
    assert "connection refused" in message.text
    assert "--database" in message.text
    assert "Traceback" not in message.text


def test_map_error_message_names_the_file(qapp):
    message = describe_startup_error(
        MapDataError("district map /m.geojson: not valid JSON"),
        database_url="sqlite://",
        map_path=Path("/m.geojson"),
    )
    assert message.title == "Cannot load the map"
    assert "/m.geojson" in message.text
    assert "not valid JSON" in message.text


def test_unexpected_error_message_is_generic_but_honest(qapp):
    message = describe_startup_error(KeyError("x"), database_url="sqlite://", map_path=Path("/m"))
    assert message.title == "Start-up failed"
    assert "KeyError" in message.text


@pytest.mark.expect_log(r"district map .*not valid JSON", r"start-up failed: map data error")
def test_corrupt_map_fails_start_up_with_the_message(make_console, qtbot, tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    console = make_console(map_data=broken)
    with qtbot.waitSignal(console.startupFailed, timeout=30_000) as blocker:
        console.start()
    message = blocker.args[0]
    assert message.title == "Cannot load the map"
    assert str(broken) in message.text
    assert console.exit_code == 1
    assert not console.is_interactive


@pytest.mark.expect_log(r"start-up failed: database error")
def test_unusable_database_fails_start_up_with_the_message(make_console, qtbot, tmp_path):
    console = make_console(database_url="bogus://nowhere")
    with qtbot.waitSignal(console.startupFailed, timeout=30_000) as blocker:
        console.start()
    assert blocker.args[0].title == "Cannot open the database"
    assert console.exit_code == 1
