"""The bundled clips: alert tones and messages shipped in resources/audio/ with every agent.

resources/audio/catalog.json lists them (written by the script that generates the clips):

    {"clips": [{"id": "alert_fire", "file": "alert_fire.wav", "sha256": "<hex>", "kind": "alert",
                "name": {"zh_CN": "火警疏散警报", "en": "Fire evacuation alarm"}, "duration_s": 3.5}, ...]}

(scripts/make_audio.py writes it; "key"/"title"/"title_zh" instead of "id"/"name" and a bare list
of entries are read too). An id, the file and a name are required; `sha256`, when given, must
match the file. A bundled clip is never transferred: every agent has it.
An entry that cannot be used is left out with a log line; the rest of the library still loads.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.broadcast.school_format import NotSchoolFormat, school_clip

log = logging.getLogger(__name__)

DEFAULT_CATALOG = Path(__file__).resolve().parent.parent.parent / "resources" / "audio" / "catalog.json"


@dataclass(frozen=True, slots=True)
class BundledClip:
    key: str
    sha256: str
    title: str
    title_zh: str
    kind: str  # "alert", "message", "drill_prefix", ... as the catalog says
    duration_s: float
    path: Path


def load_bundled(catalog: Path = DEFAULT_CATALOG) -> list[BundledClip]:
    """The usable clips of *catalog* (an empty list when the file does not exist)."""
    if not catalog.exists():
        log.info("no bundled clips: %s does not exist", catalog)
        return []
    try:
        data = json.loads(catalog.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.error("the bundled clip catalog %s is unreadable: %s", catalog, exc)
        return []
    entries = data.get("clips") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        log.error("the bundled clip catalog %s has no list of clips", catalog)
        return []
    clips = []
    for position, entry in enumerate(entries):
        clip = _read_entry(entry, catalog.parent)
        if isinstance(clip, str):
            log.error("bundled clip %d of %s left out: %s", position + 1, catalog, clip)
        else:
            clips.append(clip)
    return clips


def _read_entry(entry: Any, folder: Path) -> BundledClip | str:
    if not isinstance(entry, dict):
        return "not an object"
    key, file = entry.get("id") or entry.get("key"), entry.get("file")
    names = entry.get("name")
    title = entry.get("title") or (names.get("en") if isinstance(names, dict) else names)
    title_zh = entry.get("title_zh") or (names.get("zh_CN") if isinstance(names, dict) else None)
    if not isinstance(key, str) or not key:
        return "no key"
    if not isinstance(file, str) or not file or Path(file).is_absolute() or ".." in Path(file).parts:
        return f"{key}: no usable file name"
    if not isinstance(title, str) or not title:
        return f"{key}: no title"
    path = folder / file
    try:
        clip = school_clip(path.read_bytes())
    except OSError as exc:
        return f"{key}: cannot read {file}: {exc.strerror or exc}"
    except NotSchoolFormat as exc:
        return f"{key}: {file} is not in the school format: {exc}"
    declared = entry.get("sha256")
    if declared is not None and declared != clip.sha256:
        return f"{key}: {file} does not match its sha256 in the catalog"
    kind = entry.get("kind")
    return BundledClip(
        key=key,
        sha256=clip.sha256,
        title=title,
        title_zh=title_zh if isinstance(title_zh, str) and title_zh else title,
        kind=kind if isinstance(kind, str) else "",
        duration_s=clip.duration_s,
        path=path,
    )
