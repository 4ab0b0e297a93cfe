import pytest

from hardware.agent.outbox import Outbox
from services.protocol.agent_messages import DeviceStatus


def _status(device, state, detail=""):
    return DeviceStatus(device_id=device, kind="camera", state=state, detail=detail)


def test_events_survive_a_reopen_and_replay_alarms_first(tmp_path, open_db):
    path = tmp_path / "outbox.db"
    db = open_db(path)
    outbox = Outbox(db)
    n1 = outbox.add_event("patrol_checkpoint", details={"checkpoint": "gate"})
    a1 = outbox.add_event("alarm", priority="alarm", source="btn-1")
    n2 = outbox.add_event("device_fault")
    a2 = outbox.add_event("alarm", priority="alarm", source="btn-2")
    db.close()

    reopened = Outbox(open_db(path))
    backlog = reopened.backlog()
    assert [e.event_id for e in backlog] == [a1, a2, n1, n2]
    assert backlog[2].details == {"checkpoint": "gate"}
    assert backlog[0].source == "btn-1" and backlog[0].priority == "alarm"


def test_rows_are_removed_only_by_ack(tmp_path, open_db):
    outbox = Outbox(open_db(tmp_path / "o.db"))
    ids = [outbox.add_event("alarm", priority="alarm") for _ in range(3)]
    assert len(outbox.backlog()) == 3  # reading does not consume
    assert outbox.ack([ids[1], "unknown-id"]) == 1
    assert [e.event_id for e in outbox.backlog()] == [ids[0], ids[2]]
    assert outbox.backlog(exclude={ids[0]})[0].event_id == ids[2]


@pytest.mark.expect_log(r"outbox full: dropped the 1 oldest ordinary events")
def test_alarms_are_never_dropped_when_ordinary_events_overflow(tmp_path, caplog, open_db):
    outbox = Outbox(open_db(tmp_path / "o.db"), max_normal_events=3)
    alarms = [outbox.add_event("alarm", priority="alarm") for _ in range(10)]
    normal = [outbox.add_event("status_note") for _ in range(5)]
    ids = [e.event_id for e in outbox.backlog(limit=100)]
    assert ids == alarms + normal[2:]
    assert caplog.text.count("dropped the 1 oldest") == 2


def test_status_is_collapsed_to_the_latest_value_per_device(tmp_path, open_db):
    path = tmp_path / "o.db"
    outbox = Outbox(open_db(path))
    assert outbox.set_status(_status("cam-1", "ok"))
    assert outbox.set_status(_status("cam-1", "fault", "no answer"))
    assert not outbox.set_status(_status("cam-1", "fault", "no answer"))  # unchanged
    assert outbox.set_status(_status("cam-2", "ok"))
    pending = outbox.pending_status()
    assert [(d.device_id, d.state) for d in pending.devices] == [("cam-1", "fault"), ("cam-2", "ok")]

    outbox.set_status(_status("cam-2", "degraded"))  # changes after the snapshot stay pending
    outbox.mark_status_sent(pending.versions)
    after = Outbox(open_db(path)).pending_status()
    assert [(d.device_id, d.state) for d in after.devices] == [("cam-2", "degraded")]


def test_unknown_priority_is_refused(tmp_path, open_db):
    outbox = Outbox(open_db(tmp_path / "o.db"))
    with pytest.raises(ValueError, match="priority"):
        outbox.add_event("x", priority="urgent")
