"""Alarm types: priority, look and sound, time limits and the procedure to follow (docs/incidents.md).

The catalog is configuration (resources/alarms/alarm_types.json by default), read and checked once
when the hub starts: a bad file stops the start with a message naming what is wrong, because a hub
that silently handled a fire alarm with the wrong priority or no procedure would be worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import msgspec

DEFAULT_CATALOG_PATH = (
    Path(__file__).resolve().parent.parent.parent / "resources" / "alarms" / "alarm_types.json"
)

UNKNOWN = "unknown"
# The alarm types the school end and the console know by id (docs/incidents.md); every catalog
# must define each of them and "unknown" (what an alarm with a missing or strange type becomes).
REQUIRED_TYPES = (
    "one_key",
    "intrusion",
    "fire",
    "camera_tamper",
    "camera_loss",
    "patrol_missed",
    "manual",
    UNKNOWN,
)
LANGUAGES = ("zh_CN", "en")
DEFAULT_PROCESS_WITHIN_MIN = 15.0
DEFAULT_GROUP_WINDOW_S = 300.0
_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


class CatalogError(ValueError):
    """The alarm-type file cannot be used; the message says which file and what is wrong."""


@dataclass(frozen=True, slots=True)
class ProcedureStep:
    key: str
    zh_CN: str
    en: str


@dataclass(frozen=True, slots=True)
class AlarmType:
    id: str
    priority: int  # 1 = most urgent
    colour: str  # "#RRGGBB"
    icon: str
    sound: str
    ack_within_s: float  # N: escalate when not acknowledged within this
    process_within_min: float  # M: escalate when not resolved within this
    group_window_s: float  # alarms of one school and type this close together form one incident
    names: Mapping[str, str]  # language -> name
    procedure: tuple[ProcedureStep, ...]

    def name(self, language: str = "zh_CN") -> str:
        return self.names.get(language) or self.names["en"]


def default_ack_within_s(priority: int) -> float:
    """Urgent types (priority 1-2) must be seen within a minute, the rest within three."""
    return 60.0 if priority <= 2 else 180.0


class AlarmCatalog:
    """The alarm types by id; any id it does not know is handled as "unknown"."""

    def __init__(self, types: Mapping[str, AlarmType]) -> None:
        missing = [t for t in REQUIRED_TYPES if t not in types]
        if missing:
            raise CatalogError(f"alarm types missing from the catalog: {', '.join(missing)}")
        self._types = dict(types)

    def __contains__(self, type_id: object) -> bool:
        return type_id in self._types

    def get(self, type_id: str) -> AlarmType:
        return self._types.get(type_id) or self._types[UNKNOWN]

    def ids(self) -> list[str]:
        return list(self._types)

    def types(self) -> list[AlarmType]:
        return list(self._types.values())


# --- the file format, checked strictly ------------------------------------------------------
class _StepSpec(msgspec.Struct, forbid_unknown_fields=True):
    key: str
    zh_CN: str
    en: str


class _TypeSpec(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: str
    priority: int
    colour: str
    icon: str
    sound: str
    names: dict[str, str]
    procedure: list[_StepSpec]
    ack_within_s: float | None = None
    process_within_min: float = DEFAULT_PROCESS_WITHIN_MIN
    group_window_s: float = DEFAULT_GROUP_WINDOW_S


class _CatalogSpec(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    types: list[_TypeSpec]


def load_catalog(path: Path | None = None) -> AlarmCatalog:
    """Read and check the alarm-type file (the bundled one by default)."""
    path = DEFAULT_CATALOG_PATH if path is None else Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read the alarm types {path}: {exc.strerror or exc}") from exc
    try:
        return parse_catalog(data)
    except CatalogError as exc:
        raise CatalogError(f"{path}: {exc}") from None


def parse_catalog(data: bytes | str) -> AlarmCatalog:
    try:
        spec = msgspec.json.decode(data, type=_CatalogSpec)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise CatalogError(f"not a valid alarm-type file: {exc}") from None
    if spec.version != 1:
        raise CatalogError(f"unsupported alarm-type file version {spec.version} (this hub reads 1)")
    types: dict[str, AlarmType] = {}
    for item in spec.types:
        alarm_type = _checked(item)
        if alarm_type.id in types:
            raise CatalogError(f"alarm type {alarm_type.id!r} is defined twice")
        types[alarm_type.id] = alarm_type
    return AlarmCatalog(types)


def _checked(item: _TypeSpec) -> AlarmType:
    where = f"alarm type {item.id!r}"
    if not _ID.match(item.id):
        raise CatalogError(f"{where}: the id must be lower-case letters, digits and _ (at most 32)")
    if not 1 <= item.priority <= 9:
        raise CatalogError(f"{where}: priority must be 1 (most urgent) to 9")
    if not _COLOUR.match(item.colour):
        raise CatalogError(f"{where}: colour must look like #RRGGBB, not {item.colour!r}")
    for field_name, value in (("icon", item.icon), ("sound", item.sound)):
        if not _NAME.match(value):
            raise CatalogError(f"{where}: {field_name} must be a plain name, not {value!r}")
    for language in LANGUAGES:
        if not item.names.get(language, "").strip():
            raise CatalogError(f"{where}: names needs a non-empty {language!r}")
    ack_within_s = default_ack_within_s(item.priority) if item.ack_within_s is None else item.ack_within_s
    for field_name, number in (
        ("ack_within_s", ack_within_s),
        ("process_within_min", item.process_within_min),
        ("group_window_s", item.group_window_s),
    ):
        if not number > 0:
            raise CatalogError(f"{where}: {field_name} must be greater than 0")
    if not item.procedure:
        raise CatalogError(f"{where}: the procedure needs at least one step")
    keys: set[str] = set()
    for step in item.procedure:
        if not _ID.match(step.key):
            raise CatalogError(f"{where}: step key {step.key!r} must be lower-case letters, digits and _")
        if step.key in keys:
            raise CatalogError(f"{where}: step key {step.key!r} is used twice")
        if not step.zh_CN.strip() or not step.en.strip():
            raise CatalogError(f"{where}: step {step.key!r} needs zh_CN and en text")
        keys.add(step.key)
    return AlarmType(
        id=item.id,
        priority=item.priority,
        colour=item.colour.upper(),
        icon=item.icon,
        sound=item.sound,
        ack_within_s=float(ack_within_s),
        process_within_min=float(item.process_within_min),
        group_window_s=float(item.group_window_s),
        names=dict(item.names),
        procedure=tuple(ProcedureStep(s.key, s.zh_CN, s.en) for s in item.procedure),
    )
