"""How each alarm type looks and sounds at the console: colour, icon glyph, tone, names, steps.

The hub's catalogue (resources/alarms/alarm_types.json) is the truth for priorities and
procedures; the console reads the same file for what it shows (names and step texts in both
languages, colours, icons, sounds). Built-in defaults cover every type of the protocol, so the
queue still shows distinct colours and names when the file is missing or a type is new to it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale

from console.alarms.tones import tone_name

log = logging.getLogger(__name__)

CATALOG_PATH = Path(__file__).resolve().parent.parent.parent / "resources" / "alarms" / "alarm_types.json"
UNKNOWN_TYPE = "unknown"


@dataclass(frozen=True, slots=True)
class StepText:
    key: str
    zh_cn: str
    en: str


@dataclass(frozen=True, slots=True)
class AlarmTypeStyle:
    key: str
    priority: int
    colour: str  # "#rrggbb"
    glyph: str  # one character drawn in the type's icon
    sound: str  # the tone's name (console.alarms.tones)
    name_zh_cn: str
    name_en: str
    steps: tuple[StepText, ...] = ()

    def name(self, chinese: bool | None = None) -> str:
        if chinese is None:
            chinese = interface_is_chinese()
        return self.name_zh_cn if chinese else self.name_en

    def step_text(self, key: str, chinese: bool | None = None) -> str:
        if chinese is None:
            chinese = interface_is_chinese()
        for step in self.steps:
            if step.key == key:
                return step.zh_cn if chinese else step.en
        return key.replace("_", " ")


def interface_is_chinese() -> bool:
    return QLocale().language() == QLocale.Language.Chinese


# Colours: red and orange for life safety, amber for people at the gate and intruders, blue and
# slate for technical faults, violet for a patrol; every one distinct on the dark theme and none
# the drill colour (#8e7dff), so an alarm is never taken for a drill.
DEFAULT_STYLES: Mapping[str, AlarmTypeStyle] = {
    s.key: s
    for s in (
        AlarmTypeStyle("fire", 1, "#ff3b30", "火", "fire", "火警", "Fire"),
        AlarmTypeStyle("one_key", 1, "#ff2d78", "警", "one_key", "一键报警", "One-key alarm"),
        AlarmTypeStyle("intrusion", 2, "#ff9500", "侵", "intrusion", "入侵", "Intrusion"),
        AlarmTypeStyle("manual", 2, "#ffcc00", "人", "manual", "人工报警", "Manual alarm"),
        AlarmTypeStyle(
            "camera_tamper", 3, "#33b5ff", "遮", "camera_tamper", "摄像机遮挡/破坏", "Camera tamper"
        ),
        AlarmTypeStyle("patrol_missed", 3, "#b58cff", "巡", "patrol", "巡更漏检", "Patrol missed"),
        AlarmTypeStyle("camera_loss", 4, "#7f9bb8", "断", "camera_loss", "摄像机掉线", "Camera lost"),
        AlarmTypeStyle(UNKNOWN_TYPE, 2, "#c0c0c0", "?", "manual", "未知报警", "Unknown alarm"),
    )
}
ICON_GLYPHS = {
    "fire": "火", "flame": "火", "one_key": "警", "alarm": "警", "bell": "警", "intrusion": "侵",
    "person": "人", "manual": "人", "camera": "遮", "camera_tamper": "遮", "camera_loss": "断",
    "camera_off": "断", "patrol": "巡", "patrol_missed": "巡", "unknown": "?",
}  # fmt: skip


class AlarmTypeBook:
    """The styles of every known type; an unknown type gets the "unknown" style under its own id."""

    def __init__(self, styles: Mapping[str, AlarmTypeStyle] | None = None) -> None:
        self._styles = dict(DEFAULT_STYLES if styles is None else styles)
        self._styles.setdefault(UNKNOWN_TYPE, DEFAULT_STYLES[UNKNOWN_TYPE])

    def style(self, alarm_type: str) -> AlarmTypeStyle:
        found = self._styles.get(alarm_type)
        if found is not None:
            return found
        return replace(self._styles[UNKNOWN_TYPE], key=alarm_type)

    def keys(self) -> list[str]:
        return sorted(self._styles, key=lambda k: (self._styles[k].priority, k))

    def __contains__(self, alarm_type: object) -> bool:
        return alarm_type in self._styles


def load_type_book(path: Path = CATALOG_PATH) -> AlarmTypeBook:
    """The catalogue file merged over the defaults (file work: call it off the GUI thread).

    A missing or unreadable file leaves the defaults (logged); a bad entry is skipped (logged).
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        log.info("no alarm type catalogue at %s: the built-in alarm styles are used", path)
        return AlarmTypeBook()
    except (OSError, ValueError) as exc:
        log.error("the alarm type catalogue %s is unreadable (%s): the built-in styles are used", path, exc)
        return AlarmTypeBook()
    styles = dict(DEFAULT_STYLES)
    for key, entry in _entries(raw):
        try:
            styles[key] = _style_from(key, entry, styles.get(key, DEFAULT_STYLES[UNKNOWN_TYPE]))
        except (TypeError, ValueError, KeyError) as exc:
            log.error("alarm type %r in %s is skipped: %s", key, path, exc)
    return AlarmTypeBook(styles)


def _entries(raw: object) -> Iterable[tuple[str, Mapping[str, Any]]]:
    """(type id, entry) pairs from the file's shapes: {"types": {...}|[...]} or {type: entry}."""
    body = raw.get("types", raw) if isinstance(raw, Mapping) else raw
    if isinstance(body, Mapping):
        for key, entry in body.items():
            if isinstance(entry, Mapping):
                yield str(key), entry
    elif isinstance(body, list):
        for entry in body:
            if isinstance(entry, Mapping):
                key = entry.get("key") or entry.get("id") or entry.get("type")
                if isinstance(key, str):
                    yield key, entry


def _style_from(key: str, entry: Mapping[str, Any], base: AlarmTypeStyle) -> AlarmTypeStyle:
    names = entry.get("names") or {}
    colour = str(entry.get("colour") or entry.get("color") or base.colour)
    if not (colour.startswith("#") and len(colour) in (4, 7)):
        raise ValueError(f"colour {colour!r} is not #rgb or #rrggbb")
    icon = str(entry.get("icon") or "").removeprefix("alarm-").replace("-", "_")
    steps = tuple(
        StepText(
            str(s["key"]), str(s.get("zh_CN") or s.get("zh_cn") or s["key"]), str(s.get("en") or s["key"])
        )
        for s in entry.get("procedure") or entry.get("steps") or []
    )
    return AlarmTypeStyle(
        key=key,
        priority=int(entry.get("priority", base.priority)),
        colour=colour,
        glyph=ICON_GLYPHS.get(icon, base.glyph if base.key != UNKNOWN_TYPE else (icon[:1] or "?")),
        sound=tone_name(str(entry.get("sound") or base.sound)),
        name_zh_cn=str(names.get("zh_CN") or names.get("zh_cn") or base.name_zh_cn),
        name_en=str(names.get("en") or base.name_en),
        steps=steps or base.steps,
    )
