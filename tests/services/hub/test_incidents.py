"""Incidents on a real hub over real CURVE sockets: alarms from (fake) agents and operators, several
consoles on one hub seeing one truth, ownership races, the procedure, transfers, escalation,
district scoping and the audit record (docs/incidents.md)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from services.access import accounts
from services.access.roles import Role
from services.alarms.catalog import DEFAULT_CATALOG_PATH
from services.db.engine import open_database
from services.db.models import District, School
from services.db.network_models import AgentEvent
from services.demo_city import seed_demo_city
from services.hub.server import Hub
from services.hub_client import HubClient, HubClientError
from services.protocol.agent_messages import Event, EventAck
from services.protocol.console_messages import IncidentView, Reply, Snapshot, Update
from services.protocol.keys import generate
from tests.services.hub.fake_agent import FakeAgent, enroll_accepted

CONSOLE = generate()
PASSWORD = "incident-Pass-2026"
OPERATORS = {
    "wang": Role.OPERATOR,
    "zhao": Role.OPERATOR,
    "li": Role.DISPATCHER,
    "chen": Role.ADMINISTRATOR,
    "sun": Role.DRILL_COORDINATOR,
    "viewer": Role.DISTRICT_VIEWER,
}
_event_ids = itertools.count()


@dataclass(frozen=True)
class City:
    url: str
    district: str  # the district viewer's
    schools: list[str]  # in the viewer's district
    others: list[str]  # in other districts


def make_city(url: str) -> City:
    engine = open_database(url)
    try:
        seed_demo_city(engine, schools=80)
        with Session(engine) as session, session.begin():
            rows = session.execute(
                select(School.code, District.adcode).join(District, School.district_id == District.id)
            ).all()
            by_district: dict[str, list[str]] = {}
            for code, adcode in rows:
                by_district.setdefault(adcode, []).append(code)
            own = max(by_district, key=lambda d: len(by_district[d]))
            for username, role in OPERATORS.items():
                accounts.create_operator(
                    session,
                    username,
                    username,
                    role,
                    PASSWORD,
                    district_code=own if role is Role.DISTRICT_VIEWER else None,
                )
    finally:
        engine.dispose()
    others = sorted(code for d, codes in by_district.items() if d != own for code in codes)
    return City(url, own, sorted(by_district[own]), others)


@pytest.fixture
def city(database_url: str) -> City:
    return make_city(database_url)


def fast_catalog(path: Path, ack_within_s: float, process_within_min: float) -> Path:
    """The bundled catalog with short time limits, so escalation shows within a test."""
    data = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    for item in data["types"]:
        item["ack_within_s"] = ack_within_s
        item["process_within_min"] = process_within_min
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def incident_hub(city: City, hub_factory: Callable[..., Hub]) -> Hub:
    # `city` first: its database must outlive the hub (fixtures end in reverse order).
    return hub_factory(city.url, console_public_keys=(CONSOLE.public,))


@pytest.fixture
def consoles() -> Iterator[Callable[..., Console]]:
    made: list[Console] = []

    def make(hub: Hub, username: str, subscribe: bool = True) -> Console:
        console = Console(hub, username)
        made.append(console)
        if subscribe:
            console.subscribe()
        return console

    yield make
    for console in made:
        console.client.close()


class Console:
    """A logged-in HubClient that keeps the incident queue as the updates describe it."""

    def __init__(self, hub: Hub, username: str) -> None:
        self.client = HubClient(
            hub.console_endpoint, hub.public_key, CONSOLE, f"{username} console", username
        )
        self.client.connect()
        self.client.login(username, PASSWORD)
        self.incidents: dict[str, IncidentView] = {}
        self.snapshot: Snapshot | None = None
        self.updates: list[Update] = []
        self.replies: dict[str, Reply] = {}

    def subscribe(self) -> None:
        self.client.subscribe()
        self.wait(lambda: self.snapshot is not None)

    def pump(self, timeout: float = 0.02) -> None:
        for event in self.client.poll(timeout):
            if isinstance(event, Snapshot):
                self.snapshot = event
                self.incidents = {i.incident_id: i for i in event.incidents}
            elif isinstance(event, Update):
                self.updates.append(event)
                for incident in event.incidents:
                    known = self.incidents.get(incident.incident_id)
                    assert known is None or incident.version > known.version
                    self.incidents[incident.incident_id] = incident
            elif isinstance(event, Reply):
                self.replies[event.request_id] = event

    def wait(self, condition: Callable[[], bool], timeout: float = 5.0) -> float:
        """Pump until *condition* holds; returns the seconds it took."""
        start = time.monotonic()
        while not condition():
            if time.monotonic() - start > timeout:
                raise AssertionError(f"condition not met within {timeout} s; holding {self.incidents}")
            self.pump()
        return time.monotonic() - start

    def reply(self, request_id: str, timeout: float = 5.0) -> Reply:
        self.wait(lambda: request_id in self.replies, timeout)
        return self.replies.pop(request_id)

    def request(self, action: str, **args: object) -> dict:
        return self.client.request(action, args)

    def shows(self, incident_id: str, **expected: object) -> bool:
        """True once this console holds the incident with these field values."""
        incident = self.incidents.get(incident_id)
        return incident is not None and all(getattr(incident, k) == v for k, v in expected.items())

    def queue(self) -> list[IncidentView]:
        return sorted(self.incidents.values(), key=lambda i: (i.priority, i.opened_at, i.incident_id))

    def of(self, school: str, alarm_type: str) -> list[IncidentView]:
        return [i for i in self.queue() if i.school == school and i.alarm_type == alarm_type]


def send_alarm(
    agent: FakeAgent, alarm_type: str | None, location: str = "东门", event_id: str | None = None
) -> str:
    details: dict[str, object] = {"location": location}
    if alarm_type is not None:
        details["type"] = alarm_type
    return agent.send(
        Event,
        msg_id=event_id or f"alarm-{next(_event_ids):06d}",
        kind="alarm",
        priority="alarm",
        occurred_at=time.time(),
        source="gate-1",
        details=details,
    )


def connected_agent(hub: Hub, agents, school: str) -> FakeAgent:
    agent = enroll_accepted(hub, agents, school)
    agent.hello(school)
    return agent


def raised(console: Console, school: str, alarm_type: str = "manual", location: str = "教学楼三层") -> str:
    return str(
        console.request("raise_alarm", school=school, alarm_type=alarm_type, location=location)["incident_id"]
    )


# --- grouping, ordering, de-duplication -----------------------------------------------------
@pytest.mark.expect_log(r"has the unknown type 'meteor'")
def test_agent_alarms_are_grouped_ordered_and_a_resent_alarm_counts_once(
    incident_hub: Hub, city: City, agents, consoles, caplog, database_url
):
    watcher = consoles(incident_hub, "zhao")
    school = city.schools[0]
    agent = connected_agent(incident_hub, agents, school)
    first = send_alarm(agent, "intrusion", "操场东侧")
    send_alarm(agent, "intrusion", "操场西侧")
    send_alarm(agent, "intrusion", event_id=first)  # the agent missed the ack: resent
    send_alarm(agent, "camera_loss", "cam-3")
    send_alarm(agent, "fire", "食堂")
    send_alarm(agent, "meteor", "天台")
    acked: list[str] = []
    while len(acked) < 6:  # acknowledged in batches, after commit; the resent one again
        acked += agent.recv_type(EventAck).event_ids
    assert acked.count(first) == 2
    watcher.wait(lambda: len(watcher.incidents) == 4)
    assert [(i.alarm_type, i.priority) for i in watcher.queue()] == [
        ("fire", 1),
        ("intrusion", 2),
        ("unknown", 2),
        ("camera_loss", 4),
    ]
    intrusion = watcher.of(school, "intrusion")[0]
    assert intrusion.alarm_count == 2 and intrusion.location == "操场东侧"
    assert intrusion.state == "open" and intrusion.ack_due_at == pytest.approx(intrusion.opened_at + 60)
    assert intrusion.steps[0].key == "confirm_video"
    assert any("has the unknown type 'meteor'" in r.getMessage() for r in caplog.records)
    assert watcher.updates[-1].alarm_rate_per_min == 5.0  # six events, one of them resent
    # A console that comes later gets the same queue in its snapshot.
    late = consoles(incident_hub, "wang")
    assert [i.incident_id for i in late.snapshot.incidents] == [i.incident_id for i in watcher.queue()]
    # Each event is stored once; the incident's timeline names its alarms.
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(AgentEvent)) == 5
    finally:
        engine.dispose()
    timeline = watcher.request("incident_timeline", incident_id=intrusion.incident_id)
    assert [a["location"] for a in timeline["alarms"]] == ["操场东侧", "操场西侧"]
    assert timeline["entries"][0]["what"] == "opened"


# --- several consoles, one truth ------------------------------------------------------------
def test_an_acknowledgement_reaches_another_console_within_500_ms(incident_hub: Hub, city: City, consoles):
    acking = consoles(incident_hub, "wang")
    other = consoles(incident_hub, "zhao")
    incident_id = raised(acking, city.schools[0], "fire", "实验楼")
    other.wait(lambda: incident_id in other.incidents)
    latencies = []
    for school in city.schools[1:6]:
        incident_id = raised(acking, school, "one_key", "南门")
        other.wait(lambda iid=incident_id: iid in other.incidents)
        start = time.monotonic()
        request_id = acking.client.send_request("incident_ack", {"incident_id": incident_id})
        other.wait(lambda iid=incident_id: other.shows(iid, state="acknowledged"), timeout=2.0)
        latencies.append(time.monotonic() - start)
        assert other.incidents[incident_id].acknowledged_by == "wang"
        assert acking.reply(request_id).ok
    assert max(latencies) < 0.5, latencies


def test_two_consoles_taking_at_the_same_instant_one_wins(incident_hub: Hub, city: City, consoles):
    wang = consoles(incident_hub, "wang")
    zhao = consoles(incident_hub, "zhao")
    for school in city.schools[:10]:
        incident_id = raised(wang, school, "intrusion")
        first = wang.client.send_request("incident_take", {"incident_id": incident_id})
        second = zhao.client.send_request("incident_take", {"incident_id": incident_id})
        replies = {"wang": wang.reply(first), "zhao": zhao.reply(second)}
        winners = [name for name, reply in replies.items() if reply.ok]
        assert len(winners) == 1, replies
        loser = replies["zhao" if winners == ["wang"] else "wang"]
        assert loser.error_code == "conflict" and winners[0] in loser.error
        assert loser.result == {"owner": winners[0]}
        for console in (wang, zhao):
            console.wait(
                lambda c=console, iid=incident_id, owner=winners[0]: (
                    iid in c.incidents and c.incidents[iid].owner == owner
                )
            )


def test_the_procedure_cannot_be_bypassed_and_transfers_need_the_receiver(
    incident_hub: Hub, city: City, consoles
):
    wang = consoles(incident_hub, "wang")
    zhao = consoles(incident_hub, "zhao")
    incident_id = raised(wang, city.schools[0], "fire", "食堂")
    wang.request("incident_take", incident_id=incident_id)
    view = wang.request("incident_timeline", incident_id=incident_id)["incident"]
    steps = [s["key"] for s in view["steps"]]
    # Resolve is refused, naming the open steps.
    request_id = wang.client.send_request(
        "incident_resolve", {"incident_id": incident_id, "outcome": "已扑灭", "false_alarm": False}
    )
    refused = wang.reply(request_id)
    assert refused.error_code == "conflict" and refused.result == {"open_steps": steps}
    with pytest.raises(HubClientError) as no_reason:
        wang.request("incident_step", incident_id=incident_id, step=steps[0], done=False)
    assert no_reason.value.code == "malformed"
    with pytest.raises(HubClientError) as not_owner:
        zhao.request("incident_step", incident_id=incident_id, step=steps[0], done=True)
    assert not_owner.value.code == "conflict"
    for key in steps[:-1]:
        wang.request("incident_step", incident_id=incident_id, step=key, done=True)
    wang.request("incident_note", incident_id=incident_id, text="消防车已到场")
    zhao.request("incident_action", incident_id=incident_id, kind="call_119", detail="119 已出警")
    # Transfer: only to someone who may handle alarms; the receiver accepts or declines.
    with pytest.raises(HubClientError) as nobody:
        wang.request("incident_transfer", incident_id=incident_id, to="ghost")
    assert nobody.value.code == "not_found"
    with pytest.raises(HubClientError) as cannot:
        wang.request("incident_transfer", incident_id=incident_id, to="sun")  # drill coordinator
    assert cannot.value.code == "conflict"
    with pytest.raises(HubClientError):
        zhao.request("incident_accept", incident_id=incident_id)  # nothing offered yet
    wang.request("incident_transfer", incident_id=incident_id, to="zhao")
    zhao.wait(lambda: zhao.shows(incident_id, transfer_to="zhao"))
    zhao.request("incident_decline", incident_id=incident_id)
    wang.request("incident_transfer", incident_id=incident_id, to="li")  # li is not logged in anywhere
    with pytest.raises(HubClientError) as wrong_receiver:
        zhao.request("incident_accept", incident_id=incident_id)
    assert wrong_receiver.value.code == "conflict"
    wang.request("incident_transfer", incident_id=incident_id, to="zhao")
    zhao.request("incident_accept", incident_id=incident_id)
    with pytest.raises(HubClientError):
        wang.request("incident_step", incident_id=incident_id, step=steps[-1], done=True)
    zhao.request("incident_step", incident_id=incident_id, step=steps[-1], done=False, reason="领导已在现场")
    done = zhao.request(
        "incident_resolve", incident_id=incident_id, outcome="已扑灭，无人员伤亡", false_alarm=False
    )
    assert done["incident"]["state"] == "resolved" and done["incident"]["resolved_by"] == "zhao"
    wang.wait(lambda: wang.shows(incident_id, state="resolved"))
    final = wang.incidents[incident_id]
    assert [n.text for n in final.notes] == ["消防车已到场"]
    assert [(a.kind, a.by) for a in final.actions] == [("call_119", "zhao")]
    timeline = wang.request("incident_timeline", incident_id=incident_id)
    whats = [e["what"] for e in timeline["entries"]]
    assert whats[:3] == ["opened", "acknowledged", "taken"]
    assert whats[-4:] == ["transfer_offered", "transfer_accepted", "step_skipped", "resolved"]
    assert "transfer_declined" in whats and whats.count("step_done") == len(steps) - 1
    history = wang.request("incident_history", school=city.schools[0])["incidents"]
    assert [i["incident_id"] for i in history] == [incident_id]
    # Every working request is in the audit record, refusals included.
    admin = consoles(incident_hub, "chen", subscribe=False)
    entries = admin.request("audit_search", limit=200)["entries"]
    seen = {(e["operator"], e["action"], e["result"]) for e in entries}
    assert ("wang", "incident_take", "ok") in seen
    assert ("wang", "incident_resolve", "failed") in seen
    assert ("zhao", "incident_resolve", "ok") in seen
    take = next(e for e in entries if e["action"] == "incident_take")
    assert take["target"] == f"incident_id:{incident_id}"


def test_escalation_when_not_acknowledged_and_when_not_processed(
    city: City, hub_factory: Callable[..., Hub], consoles, tmp_path: Path
):
    catalog = fast_catalog(tmp_path / "fast.json", ack_within_s=0.4, process_within_min=0.03)  # 1.8 s
    hub = hub_factory(
        city.url,
        console_public_keys=(CONSOLE.public,),
        alarm_types_path=catalog,
        incident_check_interval_s=0.05,
    )
    wang = consoles(hub, "wang")
    incident_id = raised(wang, city.schools[0], "one_key", "东门")
    opened = time.monotonic()
    wang.wait(lambda: wang.shows(incident_id, escalation="ack_overdue"), timeout=3.0)
    assert 0.3 < time.monotonic() - opened < 1.5
    wang.request("incident_ack", incident_id=incident_id)
    wang.wait(lambda: wang.shows(incident_id, escalation=""), timeout=2.0)
    wang.wait(lambda: wang.shows(incident_id, escalation="processing_overdue"), timeout=4.0)
    assert 1.5 < time.monotonic() - opened < 3.5
    admin = consoles(hub, "chen", subscribe=False)
    escalations = [
        e["detail"]["level"]
        for e in admin.request("audit_search", limit=100)["entries"]
        if e["action"] == "incident_escalated"
    ]
    assert escalations == ["ack_overdue", "processing_overdue"] or sorted(escalations) == [
        "ack_overdue",
        "processing_overdue",
    ]
    assert [e["what"] for e in wang.request("incident_timeline", incident_id=incident_id)["entries"]].count(
        "escalated"
    ) == 2


def test_a_district_viewer_sees_only_their_district_and_works_nothing(
    incident_hub: Hub, city: City, consoles
):
    wang = consoles(incident_hub, "wang")
    mine = raised(wang, city.schools[0], "intrusion")
    theirs = raised(wang, city.others[0], "intrusion")
    viewer = consoles(incident_hub, "viewer")
    assert [i.incident_id for i in viewer.snapshot.incidents] == [mine]
    later = raised(wang, city.schools[1], "fire")
    raised(wang, city.others[1], "fire")
    viewer.wait(lambda: later in viewer.incidents)
    wang.wait(lambda: len(wang.incidents) == 4)
    viewer.pump(0.2)
    assert set(viewer.incidents) == {mine, later}
    history = viewer.request("incident_history")["incidents"]
    assert {i["incident_id"] for i in history} == {mine, later}
    assert viewer.request("incident_timeline", incident_id=mine)["incident"]["school"] == city.schools[0]
    for action, args in [
        ("incident_timeline", {"incident_id": theirs}),
        ("incident_history", {"school": city.others[0]}),
        ("incident_ack", {"incident_id": mine}),
        ("raise_alarm", {"school": city.schools[0], "alarm_type": "manual", "location": "门口"}),
    ]:
        with pytest.raises(HubClientError) as refused:
            viewer.request(action, **args)
        assert refused.value.code == "forbidden", action


def test_bad_requests_get_clear_errors(incident_hub: Hub, city: City, consoles):
    wang = consoles(incident_hub, "wang", subscribe=False)
    for args, code in [
        ({"school": city.schools[0], "alarm_type": "unknown", "location": "门口"}, "malformed"),
        ({"school": city.schools[0], "alarm_type": "manual", "location": "  "}, "malformed"),
        ({"school": "NO-SUCH-SCHOOL", "alarm_type": "manual", "location": "门口"}, "not_found"),
        ({"school": city.schools[0], "alarm_type": "manual"}, "malformed"),
    ]:
        with pytest.raises(HubClientError) as refused:
            wang.request("raise_alarm", **args)
        assert refused.value.code == code, args
    with pytest.raises(HubClientError) as bad_kind:
        wang.request("incident_action", incident_id="INC-x", kind="call_mum")
    assert bad_kind.value.code == "malformed"
    with_note = wang.request(
        "raise_alarm", school=city.schools[0], alarm_type="manual", location="门口", note="家长来电反映"
    )
    assert [n["text"] for n in with_note["incident"]["notes"]] == ["家长来电反映"]
