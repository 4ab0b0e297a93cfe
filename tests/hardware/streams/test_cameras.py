from __future__ import annotations

import pytest

from hardware.streams.cameras import database_cameras, numbered_cameras


def test_numbered_cameras() -> None:
    labels = numbered_cameras(3)
    assert list(labels) == ["SIM-0001", "SIM-0002", "SIM-0003"]
    with pytest.raises(ValueError, match="at least 1"):
        numbered_cameras(0)


def test_database_cameras_are_those_pointing_here(engine, database_url: str) -> None:
    from services.demo_city.seeding import seed_demo_city

    summary = seed_demo_city(engine, schools=39)
    labels = database_cameras(database_url, "127.0.0.1", 8554)
    assert len(labels) == summary.cameras > 0
    code, label = next(iter(labels.items()))
    assert label.code == code and "-C" in code and label.name
    # The same database seen by a simulator on another port serves none of them.
    assert database_cameras(database_url, "127.0.0.1", 9999) == {}
    assert len(database_cameras(database_url, "127.0.0.1", 8554, limit=2)) == 2
