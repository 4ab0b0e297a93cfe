"""The console's view of the alarm type catalogue: the hub's file read tolerantly over defaults."""

from __future__ import annotations

import json

import pytest

from console.alarms.alarm_types import CATALOG_PATH, DEFAULT_STYLES, load_type_book

pytestmark = pytest.mark.gui


def test_the_repository_catalogue_gives_names_steps_and_colours(qapp):
    if not CATALOG_PATH.exists():
        pytest.skip("no alarm type catalogue in this checkout")
    book = load_type_book()
    fire = book.style("fire")
    assert fire.name(chinese=True) == "火警"
    assert fire.priority == 1
    assert fire.steps, "the fire procedure has steps"
    assert fire.step_text(fire.steps[0].key, chinese=True) != fire.steps[0].key
    colours = {book.style(k).colour.lower() for k in DEFAULT_STYLES}
    assert len(colours) == len(DEFAULT_STYLES)  # every type its own colour


def test_unknown_type_and_missing_file(tmp_path, caplog):
    book = load_type_book(tmp_path / "missing.json")
    assert book.style("fire").name(chinese=False) == "Fire"
    assert book.style("martian").name(chinese=False) == "Unknown alarm"
    assert book.style("martian").key == "martian"
    assert "built-in alarm styles" in caplog.text


@pytest.mark.expect_log(r"is skipped|unreadable")
def test_bad_entries_are_skipped_with_an_error(tmp_path, caplog):
    path = tmp_path / "types.json"
    path.write_text(json.dumps({"types": [
        {"id": "fire", "colour": "red"},
        {"id": "intrusion", "colour": "#123456", "names": {"zh_CN": "入侵", "en": "Intruder"},
         "procedure": [{"key": "look", "zh_CN": "查看", "en": "Look"}]},
    ]}))  # fmt: skip
    book = load_type_book(path)
    assert book.style("fire").colour == DEFAULT_STYLES["fire"].colour  # the bad entry left the default
    assert book.style("intrusion").colour == "#123456"
    assert book.style("intrusion").step_text("look", chinese=True) == "查看"
    assert "is skipped" in caplog.text
    (tmp_path / "broken.json").write_text("{not json")
    assert load_type_book(tmp_path / "broken.json").style("fire").name(chinese=True) == "火警"
