"""The hub enforces the permission matrix: every request and every command, for every role, over
real CURVE sockets, with operators logged in by password; district viewers see only their district;
city-wide emergency and drill commands need a second confirmation; every request is audited."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import accounts
from services.access.roles import (
    BROADCAST_PRIORITIES,
    COMMAND_PERMISSIONS,
    REQUEST_PERMISSIONS,
    Permission,
    Role,
    may,
)
from services.db.engine import open_database
from services.db.models import District, School
from services.demo_city import seed_demo_city
from services.hub.server import Hub
from services.hub_client import HubClient, HubClientError
from services.protocol.console_messages import Snapshot
from services.protocol.keys import generate
from tests.services.hub.fake_agent import enroll_accepted

CONSOLE = generate()
PASSWORD = "matrix-Pass-2026"
NO_INCIDENT = "INC-20260101-000000-00000000"
_names = itertools.count()


@dataclass(frozen=True)
class City:
    url: str
    own_district: str  # the district viewer's
    own_school: str
    other_school: str  # in another district


@pytest.fixture
def city(tmp_path: Path) -> City:
    url = f"sqlite:///{tmp_path / 'city.db'}"
    engine = open_database(url)
    try:
        seed_demo_city(engine, schools=40)
        with Session(engine) as session, session.begin():
            rows = session.execute(
                select(School.code, District.adcode).join(District, School.district_id == District.id)
            ).all()
            by_district: dict[str, list[str]] = {}
            for code, adcode in rows:
                by_district.setdefault(adcode, []).append(code)
            own, other = sorted(by_district, key=lambda d: -len(by_district[d]))[:2]
            for role in Role:
                accounts.create_operator(
                    session,
                    role.value.replace("_", "-"),
                    f"{role.value} tester",
                    role,
                    PASSWORD,
                    district_code=own if role is Role.DISTRICT_VIEWER else None,
                )
    finally:
        engine.dispose()
    return City(url, own, sorted(by_district[own])[0], sorted(by_district[other])[0])


@pytest.fixture
def access_hub(hub_factory: Callable[..., Hub], city: City) -> Hub:
    return hub_factory(city.url, console_public_keys=(CONSOLE.public,))


@pytest.fixture
def console() -> Iterator[Callable[..., HubClient]]:
    made: list[HubClient] = []

    def make(hub: Hub, role: Role | None = None) -> HubClient:
        client = HubClient(hub.console_endpoint, hub.public_key, CONSOLE, "matrix console", "nobody")
        made.append(client)
        client.connect()
        if role is not None:
            client.login(role.value.replace("_", "-"), PASSWORD)
        return client

    yield make
    for client in made:
        client.close()


def _args_for(action: str, city: City) -> dict[str, object]:
    """Valid arguments, so an allowed request fails for no reason but (at most) a missing object
    or a state that does not allow it."""
    name = f"user{next(_names)}"
    return {
        "command_status": {"command_id": "0" * 32},
        "school_commands": {"school": city.own_school},
        "school_agent": {"school": city.own_school},
        "list_agents": {},
        "decide_enrollment": {"public_key": "x" * 40, "decision": "reject"},
        "create_token": {"school": city.own_school},
        "add_console_key": {"public_key": generate().public.decode(), "name": name},
        "list_operators": {},
        "create_operator": {
            "username": name,
            "display_name": name,
            "role": "operator",
            "password": PASSWORD,
        },
        "update_operator": {"username": "operator", "display_name": "值班员"},
        "reset_password": {"username": "nobody-here", "new_password": PASSWORD},
        "unlock_operator": {"username": "operator"},
        "audit_search": {"limit": 5},
        "audit_verify": {},
        "incident_history": {"limit": 5},
        "incident_timeline": {"incident_id": NO_INCIDENT},
        "raise_alarm": {"school": city.own_school, "alarm_type": "manual", "location": "东门"},
        "incident_ack": {"incident_id": NO_INCIDENT},
        "incident_take": {"incident_id": NO_INCIDENT},
        "incident_release": {"incident_id": NO_INCIDENT},
        "incident_transfer": {"incident_id": NO_INCIDENT, "to": "dispatcher"},
        "incident_accept": {"incident_id": NO_INCIDENT},
        "incident_decline": {"incident_id": NO_INCIDENT},
        "incident_step": {"incident_id": NO_INCIDENT, "step": "confirm_situation", "done": True},
        "incident_note": {"incident_id": NO_INCIDENT, "text": "已电话联系门卫"},
        "incident_action": {"incident_id": NO_INCIDENT, "kind": "call_110", "detail": "110 已出警"},
        "incident_resolve": {"incident_id": NO_INCIDENT, "outcome": "处置完毕", "false_alarm": False},
        "broadcast_stop": {"broadcast_id": "0" * 32},
        "broadcast_history": {"limit": 5},
        "broadcast_status": {"broadcast_id": "0" * 32},
    }[action]


@pytest.mark.parametrize("role", list(Role))
def test_every_request_for_every_role(access_hub: Hub, console, city: City, role: Role) -> None:
    client = console(access_hub, role)
    for action, permission in REQUEST_PERMISSIONS.items():
        if action in ("send_command", "broadcast_send"):
            continue  # decided by the command's action (a broadcast's priority) and target: below
        try:
            client.request(action, _args_for(action, city))
            outcome = "ok"
        except HubClientError as exc:
            outcome = exc.code
        if may(role, permission):
            assert outcome in ("ok", "not_found", "conflict"), (role, action, outcome)
        else:
            assert outcome == "forbidden", (role, action, outcome)


def _commands() -> list[tuple[str, dict[str, object], Permission]]:
    found: list[tuple[str, dict[str, object], Permission]] = [
        (action, {}, permission) for action, permission in COMMAND_PERMISSIONS.items()
    ]
    found += [
        ("broadcast_start", {"clip": "tone.wav", "priority": priority}, permission)
        for priority, permission in BROADCAST_PRIORITIES.items()
    ]
    return found


@pytest.mark.parametrize("role", list(Role))
def test_every_command_for_every_role_to_one_school(
    access_hub: Hub, console, city: City, role: Role
) -> None:
    client = console(access_hub, role)
    for action, args, permission in _commands():
        request = {"target": {"schools": [city.own_school]}, "action": action, "args": args}
        if may(role, permission):
            reply = client.request("send_command", request)
            assert reply["no_agent"] == [city.own_school], (role, action)
        else:
            with pytest.raises(HubClientError) as refused:
                client.request("send_command", request)
            assert refused.value.code == "forbidden", (role, action)
    with pytest.raises(HubClientError) as unknown:
        client.request("send_command", {"target": {"schools": [city.own_school]}, "action": "format_disk"})
    assert unknown.value.code == "forbidden"


@pytest.mark.parametrize("role", list(Role))
def test_city_wide_commands_need_the_permission_and_a_second_confirmation(
    access_hub: Hub, console, city: City, role: Role
) -> None:
    client = console(access_hub, role)
    for action, args, permission in _commands():
        request: dict[str, object] = {"target": {"all": True}, "action": action, "args": args}
        if not (may(role, permission) and may(role, Permission.CITY_WIDE)):
            with pytest.raises(HubClientError) as refused:
                client.request("send_command", request)
            assert refused.value.code == "forbidden", (role, action)
            continue
        powerful = args.get("priority") in ("emergency", "drill")
        if not powerful:
            assert "command_id" in client.request("send_command", request)
            continue
        request_id = client.send_request("send_command", request)
        reply = _reply(client, request_id)
        assert not reply.ok and reply.error_code == "confirmation_required"
        assert reply.result["schools"] == 40
        confirmation = reply.result["confirmation"]
        # A confirmation is bound to the exact command and used once.
        other = {**request, "args": {**args, "clip": "other.wav"}, "confirmation": confirmation}
        with pytest.raises(HubClientError) as mismatch:
            client.request("send_command", other)
        assert mismatch.value.code == "confirmation_required"
        sent = client.request("send_command", {**request, "confirmation": confirmation})
        assert sent["command_id"]
        with pytest.raises(HubClientError) as reused:
            client.request("send_command", {**request, "confirmation": confirmation})
        assert reused.value.code == "confirmation_required"


def _reply(client: HubClient, request_id: str):  # type: ignore[no-untyped-def]
    from services.protocol.console_messages import Reply

    for _ in range(100):
        for event in client.poll(0.05):
            if isinstance(event, Reply) and event.request_id == request_id:
                return event
    raise AssertionError("no reply")


def test_two_districts_count_as_city_wide(access_hub: Hub, console, city: City) -> None:
    operator = console(access_hub, Role.OPERATOR)
    target = {"schools": [city.own_school, city.other_school]}
    with pytest.raises(HubClientError) as refused:
        operator.request("send_command", {"target": target, "action": "ping"})
    assert refused.value.code == "forbidden"
    dispatcher = console(access_hub, Role.DISPATCHER)
    assert dispatcher.request("send_command", {"target": target, "action": "ping"})["command_id"]


def test_nothing_before_login_and_requests_name_the_logged_in_operator(access_hub: Hub, console) -> None:
    client = console(access_hub)
    with pytest.raises(HubClientError) as before:
        client.request("list_agents", {}, operator="administrator")
    assert before.value.code == "unauthorized"
    client.login("operator", PASSWORD)
    with pytest.raises(HubClientError) as spoofed:
        client.request("list_agents", {}, operator="administrator")
    assert spoofed.value.code == "unauthorized"
    with pytest.raises(HubClientError) as wrong:
        console(access_hub).login("operator", "not-the-password")
    assert wrong.value.code == "unauthorized"
    with pytest.raises(HubClientError) as unknown:
        console(access_hub).login("nobody", "not-the-password")
    assert (unknown.value.code, unknown.value.message) == (wrong.value.code, wrong.value.message)


def test_lockout_after_repeated_failures_and_unlock_by_an_administrator(access_hub: Hub, console) -> None:
    client = console(access_hub)
    for _ in range(accounts.LOCKOUT_THRESHOLD):
        with pytest.raises(HubClientError):
            client.login("dispatcher", "wrong-password-1")
    with pytest.raises(HubClientError) as locked:
        client.login("dispatcher", PASSWORD)
    assert locked.value.code == "locked"
    admin = console(access_hub, Role.ADMINISTRATOR)
    admin.request("unlock_operator", {"username": "dispatcher"})
    assert client.login("dispatcher", PASSWORD)["role"] == "dispatcher"


def test_district_viewer_sees_only_their_district(
    access_hub: Hub, console, city: City, agents
) -> None:
    for school in (city.own_school, city.other_school):
        enroll_accepted(access_hub, agents, school)
    viewer = console(access_hub, Role.DISTRICT_VIEWER)
    viewer.subscribe()
    snapshot = None
    for _ in range(100):
        snapshot = next((e for e in viewer.poll(0.05) if isinstance(e, Snapshot)), None)
        if snapshot is not None:
            break
    assert snapshot is not None
    assert {a.school for a in snapshot.agents} == {city.own_school}
    assert viewer.request("school_agent", {"school": city.own_school})["agents"]
    with pytest.raises(HubClientError) as outside:
        viewer.request("school_agent", {"school": city.other_school})
    assert outside.value.code == "forbidden"
    admin = console(access_hub, Role.ADMINISTRATOR)
    admin.subscribe()
    for _ in range(100):
        full = next((e for e in admin.poll(0.05) if isinstance(e, Snapshot)), None)
        if full is not None:
            break
    assert full is not None and {a.school for a in full.agents} == {city.own_school, city.other_school}


def test_every_action_and_refusal_is_in_the_audit_record_without_secrets(
    access_hub: Hub, console, city: City
) -> None:
    viewer = console(access_hub, Role.DISTRICT_VIEWER)
    with pytest.raises(HubClientError):
        viewer.request("send_command", {"target": {"all": True}, "action": "ping"})
    dispatcher = console(access_hub, Role.DISPATCHER)
    sent = dispatcher.request("send_command", {"target": {"schools": [city.own_school]}, "action": "ping"})
    admin = console(access_hub, Role.ADMINISTRATOR)
    admin.request("reset_password", {"username": "operator", "new_password": "Reset-pass-2026"})
    found = admin.request("audit_search", {"limit": 100})
    entries = found["entries"]
    by_action = {(e["operator"], e["action"], e["result"]) for e in entries}
    assert ("district-viewer", "send_command", "refused") in by_action
    assert ("dispatcher", "send_command", "ok") in by_action
    assert ("administrator", "reset_password", "ok") in by_action
    assert ("administrator", "login", "ok") in by_action
    command = next(e for e in entries if e["operator"] == "dispatcher" and e["action"] == "send_command")
    assert command["detail"]["command_id"] == sent["command_id"]
    assert command["target"] == f"school:{city.own_school}"
    text = repr(entries)
    assert PASSWORD not in text and "Reset-pass-2026" not in text
    assert admin.request("audit_verify", {})["ok"] is True
