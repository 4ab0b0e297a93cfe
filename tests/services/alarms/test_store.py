"""Incidents in the database (SQLite and PostgreSQL): written, read back whole, history, timeline."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.alarms import store
from services.alarms.catalog import load_catalog
from services.alarms.incidents import RECENT_RESOLVED_S, IncidentBook
from tests.services.alarms.test_incidents import T0, alarm, owned


def _save(engine, b: IncidentBook) -> None:
    with Session(engine) as session, session.begin():
        store.save(session, store.save_batch(b.take_unsaved()))


def test_incidents_are_written_and_read_back_whole(engine):
    b = IncidentBook(load_catalog())
    incident = owned(b, alarm_type="fire")
    b.add_alarm(alarm(alarm_type="fire", at=T0 + 2, location="食堂"))
    _save(engine, b)  # inserted
    b.set_step(incident.incident_id, "wang", "call_119", True, "", T0 + 3)
    b.set_step(incident.incident_id, "wang", "confirm_video", False, "摄像机被烟遮挡", T0 + 4)
    b.add_note(incident.incident_id, "wang", "消防车已到", T0 + 5)
    b.add_action(incident.incident_id, "wang", "call_119", "", T0 + 6)
    _save(engine, b)  # updated
    with Session(engine) as session:
        loaded, keys = store.load(session, T0 + 10)
    assert len(loaded) == 1 and loaded[0] == incident
    assert len(keys) == 2
    fresh = IncidentBook(load_catalog())
    fresh.load(loaded, keys)
    # What the database remembers keeps grouping and de-duplication going after a restart.
    assert fresh.add_alarm(alarm(alarm_type="fire", at=T0 + 20)).incident.incident_id == incident.incident_id
    assert not fresh.add_alarm(alarm(alarm_type="fire", at=T0 + 21, event_id=keys[0][1], school=keys[0][0]))
    with Session(engine) as session:
        found, alarms, entries = store.timeline(session, incident.incident_id)
    assert found == incident
    assert [a["location"] for a in alarms] == ["东门", "食堂"]
    assert [e["what"] for e in entries] == [
        "opened",
        "acknowledged",
        "taken",
        "step_done",
        "step_skipped",
        "note",
        "action",
    ]
    with Session(engine) as session:
        assert store.timeline(session, "INC-none") == (None, [], [])


def test_an_alarm_id_is_stored_once(engine):
    b = IncidentBook(load_catalog())
    b.add_alarm(alarm(event_id="dup"))
    unsaved = b.take_unsaved()
    with Session(engine) as session, session.begin():
        store.save(session, store.save_batch(unsaved))
    twice = store.SaveBatch(incidents=[], alarms=store.save_batch(unsaved).alarms, entries=[])
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        store.save(session, twice)


def test_history_filters_and_old_resolved_incidents_are_not_loaded(engine):
    b = IncidentBook(load_catalog())
    done = owned(b, alarm_type="camera_loss", at=T0)
    for step in done.steps:
        b.set_step(done.incident_id, "wang", step.key, True, "", T0 + 1)
    b.resolve(done.incident_id, "wang", "已恢复", False, T0 + 2)
    b.add_alarm(alarm(school="S2", alarm_type="intrusion", at=T0 + 100))
    b.add_alarm(alarm(school="S3", alarm_type="fire", at=T0 + 200))
    _save(engine, b)
    with Session(engine) as session:
        everything = store.history(
            session, school=None, allowed_schools=None, since=None, until=None, limit=10
        )
        assert [i.school for i in everything] == ["S3", "S2", "S1"]  # newest first
        assert [
            i.school
            for i in store.history(
                session, school=None, allowed_schools=["S1", "S3"], since=None, until=None, limit=10
            )
        ] == ["S3", "S1"]
        assert [
            i.school
            for i in store.history(
                session, school="S2", allowed_schools=None, since=None, until=None, limit=10
            )
        ] == ["S2"]
        window = store.history(
            session, school=None, allowed_schools=None, since=T0 + 50, until=T0 + 150, limit=10
        )
        assert [i.school for i in window] == ["S2"]
        assert (
            len(store.history(session, school=None, allowed_schools=None, since=None, until=None, limit=1))
            == 1
        )
        live, _keys = store.load(session, T0 + 2 + RECENT_RESOLVED_S + 1)
    assert {i.school for i in live} == {"S2", "S3"}
