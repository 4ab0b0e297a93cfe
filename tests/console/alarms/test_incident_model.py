"""The incident queue model: order, updates by id, versions, bad input, counts and timers."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from console.alarms.incident_model import (
    COL_ACK,
    COL_DUE,
    COL_TYPE,
    IncidentModel,
    OverdueRole,
)
from tests.console.alarms.conftest import incident_dict

pytestmark = pytest.mark.gui


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def ids(model: IncidentModel) -> list[str]:
    return [model.incident_at(r).incident_id for r in range(model.rowCount())]


def test_queue_is_ordered_by_priority_then_time_with_resolved_last(qapp):
    model = IncidentModel(show_resolved=True)
    t = 1_000_000.0
    model.apply(
        [
            incident_dict(incident_id="p3-old", priority=3, alarm_type="patrol_missed", now=t),
            incident_dict(incident_id="p1-new", priority=1, alarm_type="fire", now=t + 50),
            incident_dict(incident_id="p1-old", priority=1, alarm_type="one_key", now=t + 10),
            incident_dict(incident_id="p2", priority=2, now=t + 5),
            incident_dict(
                incident_id="p1-done", priority=1, alarm_type="fire", state="resolved", now=t - 100
            ),
        ]
    )
    assert ids(model) == ["p1-old", "p1-new", "p2", "p3-old", "p1-done"]


def test_resolved_incidents_leave_the_live_queue(qapp, qtbot):
    model = IncidentModel()
    model.apply([incident_dict(incident_id="a"), incident_dict(incident_id="b")])
    assert model.rowCount() == 2
    with qtbot.waitSignal(model.rowsRemoved):
        model.apply([incident_dict(incident_id="a", state="resolved", version=2)])
    assert ids(model) == ["b"]
    assert model.counts().resolved == 1
    assert model.counts().open == 1


def test_updates_go_by_incident_id_without_resets(qapp, qtbot):
    model = IncidentModel()
    t = 2_000_000.0
    model.apply([incident_dict(incident_id=f"i{n}", now=t + n) for n in range(5)])
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    changed = []
    model.dataChanged.connect(lambda a, b, _roles=(): changed.append((a.row(), b.row())))
    moved = []
    model.rowsMoved.connect(lambda *args: moved.append(args))

    # Same place in the order: one row changed.
    model.apply([incident_dict(incident_id="i2", alarm_count=7, version=2, now=t + 2)])
    assert changed == [(2, 2)]
    assert model.incident("i2").alarm_count == 7
    # Priority raised: the row moves to the top.
    model.apply([incident_dict(incident_id="i4", priority=1, version=2, now=t + 4)])
    assert ids(model)[0] == "i4"
    assert len(moved) == 1
    # A late, older copy changes nothing.
    model.apply([incident_dict(incident_id="i2", alarm_count=3, version=1, now=t + 2)])
    assert model.incident("i2").alarm_count == 7
    assert resets == []


def test_a_snapshot_replaces_the_whole_set(qapp):
    model = IncidentModel()
    model.apply([incident_dict(incident_id="x"), incident_dict(incident_id="y")])
    model.apply([incident_dict(incident_id="y", version=3), incident_dict(incident_id="z")], complete=True)
    assert sorted(ids(model)) == ["y", "z"]
    assert model.incident("x") is None


@pytest.mark.expect_log(r"an incident from the hub is skipped")
def test_malformed_incident_is_skipped_and_logged(qapp, caplog):
    model = IncidentModel()
    bad = incident_dict(incident_id="bad")
    del bad["priority"]
    model.apply([bad, incident_dict(incident_id="good"), {"nonsense": True}])
    assert ids(model) == ["good"]
    assert model.rejected == 2
    assert any("skipped" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)


@pytest.mark.expect_log(r"an incident from the hub is skipped")
def test_malformed_incident_log_line_is_an_error(qapp, caplog):
    model = IncidentModel()
    model.apply([{"incident_id": "x", "state": "weird"}])
    assert model.rowCount() == 0
    assert "unknown state" in caplog.text


def test_timers_count_down_and_turn_red_when_overdue(qapp):
    clock = Clock(5_000_000.0)
    model = IncidentModel(clock=clock)
    model.apply([incident_dict(incident_id="a", now=clock.now)])  # ack due in 60 s, process in 900 s
    ack = model.index(0, COL_ACK)
    due = model.index(0, COL_DUE)
    assert model.data(ack) == "01:00"
    assert not model.data(ack, OverdueRole)
    assert model.data(ack, Qt.ItemDataRole.ForegroundRole) is None

    clock.now += 75
    model.tick()
    assert model.data(ack) == "+00:15"
    assert model.data(ack, OverdueRole)
    assert model.data(ack, Qt.ItemDataRole.ForegroundRole).name() == "#ff4d4f"
    assert not model.data(due, OverdueRole)
    assert model.counts().overdue == 1

    # Acknowledged: the acknowledge timer stops (shows how long it took); processing still runs.
    model.apply(
        [incident_dict(incident_id="a", now=clock.now - 75, state="acknowledged",
                       acknowledged_by="wang", acknowledged_at=clock.now - 5, version=2)]
    )  # fmt: skip
    assert model.data(ack) == "✓ 01:10"
    assert not model.data(ack, OverdueRole)
    clock.now += 900
    model.tick()
    assert model.data(due, OverdueRole)
    assert model.data(due).startswith("+")


def test_hub_escalation_turns_the_timer_red_even_with_a_skewed_clock(qapp):
    clock = Clock(6_000_000.0)
    model = IncidentModel(clock=clock)
    model.apply([incident_dict(incident_id="a", now=clock.now, escalation="ack_overdue")])
    assert model.data(model.index(0, COL_ACK), OverdueRole)


def test_type_column_has_icon_and_name(qapp):
    model = IncidentModel()
    model.apply(
        [incident_dict(alarm_type="fire", priority=1), incident_dict(alarm_type="brand_new", priority=2)]
    )
    assert model.data(model.index(0, COL_TYPE)) == "Fire"
    assert not model.data(model.index(0, COL_TYPE), Qt.ItemDataRole.DecorationRole).isNull()
    # A type the console does not know yet still shows (with the unknown style).
    assert model.data(model.index(1, COL_TYPE)) == "Unknown alarm"
