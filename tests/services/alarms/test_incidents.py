"""The incident book: grouping, de-duplication, queue order, the workflow's rules and escalation."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.alarms.catalog import load_catalog
from services.alarms.errors import IncidentError
from services.alarms.incidents import RECENT_RESOLVED_S, IncidentBook
from services.alarms.model import Alarm

CATALOG = load_catalog()
T0 = 1_800_000_000.0
_ids = itertools.count()


def alarm(school="S1", alarm_type="intrusion", at=T0, event_id=None, location="东门", source="zone-1"):
    return Alarm(
        event_id=event_id or f"e{next(_ids)}",
        school=school,
        alarm_type=alarm_type,
        location=location,
        occurred_at=at - 0.5,
        received_at=at,
        source=source,
        details={"type": alarm_type, "location": location},
    )


def book() -> IncidentBook:
    return IncidentBook(CATALOG)


def owned(b: IncidentBook, by="wang", alarm_type="intrusion", at=T0):
    incident = b.add_alarm(alarm(alarm_type=alarm_type, at=at)).incident
    b.take(incident.incident_id, by, at + 1)
    return incident


# --- grouping -------------------------------------------------------------------------------
def test_alarms_of_one_school_and_type_within_the_window_form_one_incident():
    b = book()
    first = b.add_alarm(alarm(at=T0))
    assert first.opened and first.incident.alarm_count == 1
    joined = b.add_alarm(alarm(at=T0 + 200, location="西门"))
    assert not joined.opened and joined.incident is first.incident
    # The window runs from the last alarm, so a steady trickle stays one incident.
    b.add_alarm(alarm(at=T0 + 450))
    assert first.incident.alarm_count == 3 and first.incident.last_alarm_at == T0 + 450
    assert first.incident.location == "东门"  # of the first alarm
    # After a quiet window, a new incident.
    later = b.add_alarm(alarm(at=T0 + 450 + 301))
    assert later.opened
    # Another type or another school: separate incidents.
    assert b.add_alarm(alarm(alarm_type="fire", at=T0 + 1)).opened
    assert b.add_alarm(alarm(school="S2", at=T0 + 1)).opened
    assert len(b) == 4


def test_a_resolved_incident_is_never_joined():
    b = book()
    incident = owned(b, alarm_type="camera_loss")
    for step in incident.steps:
        b.set_step(incident.incident_id, "wang", step.key, True, "", T0 + 2)
    b.resolve(incident.incident_id, "wang", "摄像机已恢复", False, T0 + 3)
    again = b.add_alarm(alarm(alarm_type="camera_loss", at=T0 + 4))
    assert again.opened and again.incident is not incident


def test_a_resent_alarm_counts_once():
    b = book()
    assert b.add_alarm(alarm(event_id="evt-1")) is not None
    assert b.add_alarm(alarm(event_id="evt-1", at=T0 + 5)) is None
    assert b.add_alarm(alarm(school="S2", event_id="evt-1")) is not None  # ids are per school
    assert [i.alarm_count for i in b.queue()] == [1, 1]


def test_an_unknown_type_becomes_an_unknown_incident_with_its_procedure():
    b = book()
    incident = b.add_alarm(alarm(alarm_type="meteor")).incident
    assert incident.alarm_type == "unknown" and incident.priority == 2
    assert [s.key for s in incident.steps] == [s.key for s in CATALOG.get("unknown").procedure]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["S1", "S2", "S3"]), st.sampled_from(["fire", "intrusion"]), st.floats(0, 3000)
        ),
        max_size=60,
    )
)
def test_every_alarm_is_counted_exactly_once_and_groups_never_span_a_quiet_window(arrivals):
    b = book()
    arrivals = sorted(arrivals, key=lambda a: a[2])
    for school, alarm_type, offset in arrivals:
        b.add_alarm(alarm(school=school, alarm_type=alarm_type, at=T0 + offset))
    incidents = b.queue()
    assert sum(i.alarm_count for i in incidents) == len(arrivals)
    for key in {(s, t) for s, t, _ in arrivals}:
        times = [T0 + o for s, t, o in arrivals if (s, t) == key]
        gaps = sum(1 for a, c in itertools.pairwise(times) if c - a > 300)
        assert sum(1 for i in incidents if (i.school, i.alarm_type) == key) == gaps + 1


# --- order ----------------------------------------------------------------------------------
def test_the_queue_is_ordered_by_priority_then_time():
    b = book()
    loss = b.add_alarm(alarm(alarm_type="camera_loss", at=T0)).incident
    intrusion = b.add_alarm(alarm(alarm_type="intrusion", at=T0 + 1)).incident
    fire_late = b.add_alarm(alarm(school="S2", alarm_type="fire", at=T0 + 3)).incident
    fire_early = b.add_alarm(alarm(alarm_type="fire", at=T0 + 2)).incident
    manual = b.add_alarm(alarm(alarm_type="manual", at=T0 + 0.5)).incident
    assert b.queue() == [fire_early, fire_late, manual, intrusion, loss]


# --- the workflow ---------------------------------------------------------------------------
def test_acknowledge_is_idempotent_for_the_same_operator_and_a_conflict_for_another():
    b = book()
    incident = b.add_alarm(alarm()).incident
    b.acknowledge(incident.incident_id, "wang", T0 + 5)
    version = incident.version
    b.acknowledge(incident.incident_id, "wang", T0 + 6)
    assert incident.version == version and incident.acknowledged_at == T0 + 5
    with pytest.raises(IncidentError) as other:
        b.acknowledge(incident.incident_id, "zhao", T0 + 7)
    assert other.value.code == "conflict" and "wang" in other.value.message


def test_one_owner_at_a_time_and_taking_acknowledges():
    b = book()
    incident = b.add_alarm(alarm()).incident
    b.take(incident.incident_id, "wang", T0 + 1)
    assert (incident.owner, incident.state, incident.acknowledged_by) == ("wang", "acknowledged", "wang")
    with pytest.raises(IncidentError) as taken:
        b.take(incident.incident_id, "zhao", T0 + 2)
    assert taken.value.code == "conflict" and taken.value.details == {"owner": "wang"}
    with pytest.raises(IncidentError) as release:
        b.release(incident.incident_id, "zhao", T0 + 2)
    assert release.value.code == "conflict"
    b.release(incident.incident_id, "wang", T0 + 3)
    b.take(incident.incident_id, "zhao", T0 + 4)
    assert incident.owner == "zhao" and incident.acknowledged_by == "wang"


def test_transfer_waits_for_the_receiver():
    b = book()
    incident = owned(b)
    iid = incident.incident_id
    with pytest.raises(IncidentError, match="own owner"):
        b.offer_transfer(iid, "wang", "wang", T0 + 2)
    with pytest.raises(IncidentError) as not_owner:
        b.offer_transfer(iid, "li", "zhao", T0 + 2)
    assert not_owner.value.code == "conflict"
    b.offer_transfer(iid, "wang", "zhao", T0 + 2)
    assert (incident.owner, incident.transfer_to) == ("wang", "zhao")
    with pytest.raises(IncidentError):
        b.accept_transfer(iid, "li", T0 + 3)  # only the named receiver
    b.decline_transfer(iid, "zhao", T0 + 3)
    assert (incident.owner, incident.transfer_to) == ("wang", "")
    b.offer_transfer(iid, "wang", "zhao", T0 + 4)
    b.accept_transfer(iid, "zhao", T0 + 5)
    assert (incident.owner, incident.transfer_to) == ("zhao", "")
    with pytest.raises(IncidentError):
        b.set_step(iid, "wang", incident.steps[0].key, True, "", T0 + 6)  # no longer the owner


def test_the_procedure_cannot_be_bypassed():
    b = book()
    incident = owned(b, alarm_type="fire")
    iid = incident.incident_id
    keys = [s.key for s in incident.steps]
    with pytest.raises(IncidentError) as early:
        b.resolve(iid, "wang", "已扑灭", False, T0 + 2)
    assert early.value.code == "conflict" and early.value.details == {"open_steps": keys}
    with pytest.raises(IncidentError) as no_reason:
        b.set_step(iid, "wang", "call_119", False, "   ", T0 + 2)
    assert no_reason.value.code == "malformed"
    with pytest.raises(IncidentError) as unknown:
        b.set_step(iid, "wang", "pray", True, "", T0 + 2)
    assert unknown.value.code == "not_found"
    with pytest.raises(IncidentError):
        b.set_step(iid, "zhao", "call_119", True, "", T0 + 2)  # not the owner
    for key in keys[:-1]:
        b.set_step(iid, "wang", key, True, "", T0 + 3)
    with pytest.raises(IncidentError) as last:
        b.resolve(iid, "wang", "误报", True, T0 + 4)  # a false alarm too
    assert last.value.details == {"open_steps": keys[-1:]}
    b.set_step(iid, "wang", keys[-1], False, "值班领导已在现场", T0 + 5)
    with pytest.raises(IncidentError, match="outcome must not be empty"):
        b.resolve(iid, "wang", " ", False, T0 + 6)
    b.resolve(iid, "wang", "烟感误报，已复位", True, T0 + 6)
    assert incident.state == "resolved" and incident.false_alarm and incident.resolved_by == "wang"
    assert incident.steps[-1].state == "skipped" and incident.steps[-1].reason == "值班领导已在现场"
    with pytest.raises(IncidentError) as again:
        b.take(iid, "zhao", T0 + 7)
    assert again.value.code == "conflict"


def test_notes_and_actions_and_missing_incidents():
    b = book()
    incident = b.add_alarm(alarm()).incident
    b.add_note(incident.incident_id, "zhao", "门卫已到场", T0 + 1)
    b.add_action(incident.incident_id, "zhao", "call_110", "110 已出警", T0 + 2)
    assert [n.text for n in incident.notes] == ["门卫已到场"]
    assert [(a.kind, a.detail) for a in incident.actions] == [("call_110", "110 已出警")]
    with pytest.raises(IncidentError) as bad_kind:
        b.add_action(incident.incident_id, "zhao", "call_ghostbusters", "", T0 + 3)
    assert bad_kind.value.code == "malformed"
    with pytest.raises(IncidentError) as missing:
        b.acknowledge("INC-none", "zhao", T0)
    assert missing.value.code == "not_found"


# --- escalation -----------------------------------------------------------------------------
def test_escalation_when_not_acknowledged_then_when_not_processed():
    b = book()
    fire = b.add_alarm(alarm(alarm_type="fire", at=T0)).incident  # 60 s / 15 min
    loss = b.add_alarm(alarm(alarm_type="camera_loss", at=T0)).incident  # 180 s / 15 min
    assert b.escalate(T0 + 59) == []
    assert b.escalate(T0 + 60) == [(fire, "ack_overdue")]
    assert b.escalate(T0 + 61) == []  # each escalation once
    b.acknowledge(fire.incident_id, "wang", T0 + 62)
    assert fire.escalation == ""  # seen now
    assert b.escalate(T0 + 180) == [(loss, "ack_overdue")]
    raised = b.escalate(T0 + 900)
    assert sorted(i.incident_id for i, level in raised if level == "processing_overdue") == sorted(
        [fire.incident_id, loss.incident_id]
    )
    assert b.escalate(T0 + 1000) == []
    b.acknowledge(loss.incident_id, "wang", T0 + 1001)
    assert loss.escalation == "processing_overdue"  # still not processed


# --- change tracking and memory -------------------------------------------------------------
def test_changes_are_reported_once_with_increasing_versions():
    b = book()
    incident = b.add_alarm(alarm()).incident
    assert b.take_changed() == [incident] and incident.version == 1
    assert b.take_changed() == []
    b.add_alarm(alarm(at=T0 + 1))
    b.acknowledge(incident.incident_id, "wang", T0 + 2)
    assert b.take_changed() == [incident] and incident.version == 3
    unsaved = b.take_unsaved()
    assert unsaved.incidents == [incident] and len(unsaved.alarms) == 2
    assert [e.what for e in unsaved.entries] == ["opened", "acknowledged"]
    assert not b.take_unsaved()
    b.restore_unsaved(unsaved)  # a failed write comes back whole
    again = b.take_unsaved()
    assert (
        again.incidents == [incident] and again.alarms == unsaved.alarms and again.entries == unsaved.entries
    )


def test_resolved_incidents_leave_memory_an_hour_later_once_stored():
    b = book()
    incident = owned(b, alarm_type="patrol_missed")
    for step in incident.steps:
        b.set_step(incident.incident_id, "wang", step.key, True, "", T0 + 2)
    b.resolve(incident.incident_id, "wang", "已补巡", False, T0 + 3)
    assert b.prune(T0 + 3 + RECENT_RESOLVED_S + 1) == 0  # not yet stored
    b.take_unsaved()
    assert b.prune(T0 + 3 + RECENT_RESOLVED_S - 1) == 0
    assert b.prune(T0 + 3 + RECENT_RESOLVED_S + 1) == 1
    assert b.find(incident.incident_id) is None
