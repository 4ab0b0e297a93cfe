"""Target expansion, PA zones from device status, and the checked broadcast_send arguments."""

from __future__ import annotations

import pytest

from services.broadcast.requests import BroadcastRequestError, send_args
from services.broadcast.targets import TargetChoice, districts_reached, expand, pa_zones
from services.protocol.agent_messages import DeviceStatus

CITY = {"S1": "370202", "S2": "370202", "S3": "370212", "S4": "370281"}
CLIP = "a" * 64


def test_targets_expand_like_the_hub():
    assert expand(TargetChoice(all_schools=True), CITY) == set(CITY)
    assert expand(TargetChoice(districts=("370202",)), CITY) == {"S1", "S2"}
    assert expand(TargetChoice(districts=("370202",), schools=("S2", "S4")), CITY) == {"S1", "S2", "S4"}
    assert expand(TargetChoice(schools=("S9",)), CITY) == {"S9"}  # unknown: the hub says "no agent"
    assert TargetChoice().is_empty
    assert districts_reached({"S1", "S3", "S9"}, CITY) == {"370202", "370212"}
    assert TargetChoice(all_schools=True, schools=("S1",)).as_args() == {
        "schools": [],
        "districts": [],
        "all": True,
    }


def test_pa_zones_come_from_the_pa_devices_status():
    devices = [
        DeviceStatus(device_id="pa1", kind="pa", state="ok", detail="zones: all, outdoor, teaching_building"),
        DeviceStatus(device_id="pa2", kind="pa", state="ok", detail="zones=dormitory; playing abc"),
        DeviceStatus(device_id="cam", kind="camera", state="ok", detail="zones: parking"),
    ]
    assert pa_zones(devices) == ["all", "dormitory", "outdoor", "teaching_building"]
    assert pa_zones([]) == ["all"]


def test_send_args_are_checked_and_plain():
    args = send_args(
        target=TargetChoice(districts=("370202",)).as_args(),
        clip=CLIP,
        priority="drill",
        zones=["outdoor"],
        repeat=2,
        at=None,
        title=" 消防演练 ",
    )
    assert args == {
        "target": {"schools": [], "districts": ["370202"], "all": False},
        "clip": CLIP,
        "priority": "drill",
        "zones": ["outdoor"],
        "repeat": 2,
        "at": None,
        "drill": True,
        "title": "消防演练",
    }


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"target": {"schools": [], "districts": [], "all": False}}, "no_target"),
        ({"clip": "not-a-hash"}, "no_clip"),
        ({"repeat": 0}, "bad_repeat"),
        ({"repeat": 11}, "bad_repeat"),
        ({"at": 1_000.0}, "bad_time"),
        ({"at": 2_000_000.0 + 8 * 86_400}, "bad_time"),
        ({"priority": "urgent"}, "bad_priority"),
        ({"zones": "outdoor"}, "malformed"),
    ],
)
def test_bad_send_args_are_refused(changes, code):
    base = {
        "target": {"schools": ["S1"], "districts": [], "all": False},
        "clip": CLIP,
        "priority": "routine",
        "zones": [],
        "repeat": 1,
        "at": None,
        "title": "",
    }
    with pytest.raises(BroadcastRequestError) as caught:
        send_args(**{**base, **changes}, now=2_000_000.0)
    assert caught.value.code == code


def test_a_time_in_the_next_days_is_accepted():
    args = send_args(
        target={"schools": ["S1"], "districts": [], "all": False},
        clip=CLIP,
        priority="emergency",
        zones=[],
        repeat=1,
        at=2_000_000.0 + 3600,
        title="",
        now=2_000_000.0,
    )
    assert args["at"] == 2_000_000.0 + 3600 and args["drill"] is False
