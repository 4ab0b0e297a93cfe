"""The alarm-type catalog: the bundled file is complete and sensible; bad files are refused clearly."""

from __future__ import annotations

import json

import pytest

from services.alarms.catalog import (
    DEFAULT_CATALOG_PATH,
    REQUIRED_TYPES,
    UNKNOWN,
    CatalogError,
    load_catalog,
    parse_catalog,
)

EXPECTED_PRIORITIES = {
    "fire": 1,
    "one_key": 1,
    "intrusion": 2,
    "camera_tamper": 3,
    "patrol_missed": 3,
    "camera_loss": 4,
    "manual": 2,
    "unknown": 2,
}


def _bundled() -> dict:
    return json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))


def test_the_bundled_catalog_has_every_type_with_its_priority_and_a_procedure():
    catalog = load_catalog()
    assert set(catalog.ids()) == set(REQUIRED_TYPES)
    assert {t.id: t.priority for t in catalog.types()} == EXPECTED_PRIORITIES
    for alarm_type in catalog.types():
        assert alarm_type.procedure, alarm_type.id
        assert alarm_type.name("zh_CN") and alarm_type.name("en")
        assert all(step.zh_CN and step.en for step in alarm_type.procedure)
        assert alarm_type.ack_within_s == (60.0 if alarm_type.priority <= 2 else 180.0)
        assert alarm_type.process_within_min == 15.0 and alarm_type.group_window_s == 300.0
    fire = [step.key for step in catalog.get("fire").procedure]
    assert "call_119" in fire and "evacuation_broadcast" in fire and "confirm_all_out" in fire
    # Distinct look and sound per type: no two types share a colour, icon or sound.
    for attribute in ("colour", "icon", "sound"):
        values = [getattr(t, attribute) for t in catalog.types()]
        assert len(set(values)) == len(values), attribute


def test_an_id_the_catalog_does_not_know_is_handled_as_unknown():
    catalog = load_catalog()
    assert catalog.get("meteor_strike").id == UNKNOWN
    assert "meteor_strike" not in catalog and "fire" in catalog


def test_defaults_apply_when_the_limits_are_left_out():
    data = _bundled()
    for item in data["types"]:
        for key in ("ack_within_s", "process_within_min", "group_window_s"):
            item.pop(key)
    catalog = parse_catalog(json.dumps(data))
    assert catalog.get("camera_loss").ack_within_s == 180.0
    assert catalog.get("fire").ack_within_s == 60.0
    assert catalog.get("fire").process_within_min == 15.0
    assert catalog.get("fire").group_window_s == 300.0


def _broken(change) -> str:
    data = _bundled()
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["types"].pop(0), "missing from the catalog: fire"),
        (lambda d: d["types"].append(dict(d["types"][0])), "defined twice"),
        (lambda d: d["types"][0].update(priority=0), "priority must be 1"),
        (lambda d: d["types"][0].update(colour="red"), "colour must look like #RRGGBB"),
        (lambda d: d["types"][0].update(procedure=[]), "at least one step"),
        (lambda d: d["types"][0]["procedure"].append(d["types"][0]["procedure"][0]), "used twice"),
        (lambda d: d["types"][0]["names"].pop("zh_CN"), "non-empty 'zh_CN'"),
        (lambda d: d["types"][0].update(ack_within_s=0), "ack_within_s must be greater than 0"),
        (lambda d: d["types"][0].update(sound="../../etc/passwd"), "sound must be a plain name"),
        (lambda d: d["types"][0].update(volume=11), "not a valid alarm-type file"),
        (lambda d: d.update(version=2), "unsupported alarm-type file version 2"),
    ],
)
def test_a_bad_catalog_is_refused_with_the_reason(change, message):
    with pytest.raises(CatalogError, match=message.replace("(", r"\(")):
        parse_catalog(_broken(change))


def test_a_bad_file_names_the_file(tmp_path):
    path = tmp_path / "alarm_types.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match=str(path)):
        load_catalog(path)
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "missing.json")
