"""Who may broadcast what: the permission of each priority, city-wide rules and the second
confirmation of a city-wide emergency or drill, checked by the hub on `broadcast_send`."""

from __future__ import annotations

import pytest

from services.access.roles import BROADCAST_PRIORITIES, Permission, Role, may
from services.hub_client import HubClientError
from tests.services.hub.broadcast_city import CHIME, bundled_sha
from tests.services.hub.test_access_matrix import City, access_hub, city, console  # noqa: F401

pytestmark = pytest.mark.slow


def _args(target: dict, priority: str, **extra: object) -> dict:
    return {"target": target, "clip": bundled_sha(CHIME), "priority": priority, "at": None, **extra}


@pytest.mark.parametrize("role", list(Role))
def test_each_priority_needs_its_permission(access_hub, console, city: City, role: Role) -> None:  # noqa: F811
    client = console(access_hub, role)
    for priority, permission in BROADCAST_PRIORITIES.items():
        request = _args({"schools": [city.own_school]}, priority)
        if may(role, permission):
            reply = client.request("broadcast_send", request)
            assert reply["no_agent"] == [city.own_school] and reply["command_id"], (role, priority)
        else:
            with pytest.raises(HubClientError) as refused:
                client.request("broadcast_send", request)
            assert refused.value.code == "forbidden", (role, priority)


@pytest.mark.parametrize("role", list(Role))
def test_city_wide_emergency_and_drill_broadcasts_are_confirmed_a_second_time(
    access_hub,  # noqa: F811
    console,  # noqa: F811
    role: Role,
) -> None:
    client = console(access_hub, role)
    for priority, permission in BROADCAST_PRIORITIES.items():
        request = _args({"all": True}, priority, title="全市")
        if not (may(role, permission) and may(role, Permission.CITY_WIDE)):
            with pytest.raises(HubClientError) as refused:
                client.request("broadcast_send", request)
            assert refused.value.code == "forbidden", (role, priority)
            continue
        if priority == "routine":
            assert client.request("broadcast_send", request)["broadcast_id"]
            continue
        with pytest.raises(HubClientError) as asked:
            client.request("broadcast_send", request)
        assert asked.value.code == "confirmation_required"
        # The confirmation id is in the refusal's result; a different broadcast cannot use it.
        confirmation = _confirmation_of(client, request)
        with pytest.raises(HubClientError) as mismatch:
            client.request("broadcast_send", {**request, "title": "另一条", "confirmation": confirmation})
        assert mismatch.value.code == "confirmation_required"
        confirmation = _confirmation_of(client, request)
        sent = client.request("broadcast_send", {**request, "confirmation": confirmation})
        assert sent["broadcast_id"] and sent["schools"] == []
        status = client.request("broadcast_status", {"broadcast_id": sent["broadcast_id"]})
        assert status["drill"] is (priority == "drill")  # a drill priority always makes a drill


def _confirmation_of(client, request: dict) -> str:
    request_id = client.send_request("broadcast_send", request)
    while True:
        for event in client.poll(2.0):
            if getattr(event, "request_id", None) == request_id:
                assert event.error_code == "confirmation_required"
                return str(event.result["confirmation"])


def test_every_broadcast_request_is_audited(access_hub, console) -> None:  # noqa: F811
    client = console(access_hub, Role.DISPATCHER)
    sent = client.request("broadcast_send", _args({"all": True}, "routine"))
    with pytest.raises(HubClientError):
        client.request("broadcast_send", _args({"all": True}, "emergency"))
    admin = console(access_hub, Role.ADMINISTRATOR)
    entries = admin.request("audit_search", {"action": "broadcast_send", "limit": 10})["entries"]
    results = sorted(e["result"] for e in entries)
    assert results == ["ok", "refused"]
    [ok] = [e for e in entries if e["result"] == "ok"]
    assert ok["detail"]["broadcast_id"] == sent["broadcast_id"] and ok["target"] == "city"
