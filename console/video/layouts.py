"""Named wall layouts saved per operator: a versioned JSON file in the data folder.

    {"format": "safecampus-wall-layouts", "version": 1,
     "current": {...layout...} | null,
     "layouts": [{"name": "Gates", "columns": 3, "rows": 3, "cells": [[c, r, cs, rs], ...],
                  "cameras": [12, null, 40, ...], "page": 0, "tour_dwell_s": 10}, ...]}

Cameras are stored by id (the registry may change a URL; the id stays). A file that cannot be read
is kept aside (renamed *.bad-TIME) with an error in the log, never overwritten blindly, and the
wall starts empty. Writes go to a temporary file first and replace the old one atomically. These
functions do file work: call them on a worker, not on the GUI thread.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from widgets.video_wall import Cell, WallLayout

log = logging.getLogger(__name__)

FORMAT = "safecampus-wall-layouts"
VERSION = 1
LAYOUTS_FOLDER = "wall_layouts"


class LayoutFileError(ValueError):
    """The layouts file is not one this version can read."""


@dataclass(frozen=True, slots=True)
class SavedLayout:
    name: str
    layout: WallLayout
    camera_ids: tuple[int | None, ...]
    page: int = 0
    tour_dwell_s: float = 10.0


@dataclass(slots=True)
class OperatorLayouts:
    current: SavedLayout | None = None
    named: dict[str, SavedLayout] = field(default_factory=dict)


def layouts_path(data_dir: Path, operator: str) -> Path:
    safe = re.sub(r"[^\w.-]", "_", operator) or "default"
    return data_dir / LAYOUTS_FOLDER / f"{safe}.json"


def _layout_to_json(saved: SavedLayout) -> dict[str, Any]:
    return {
        "name": saved.name,
        "columns": saved.layout.columns,
        "rows": saved.layout.rows,
        "cells": [[c.column, c.row, c.column_span, c.row_span] for c in saved.layout.cells],
        "layout_name": saved.layout.name,
        "cameras": list(saved.camera_ids),
        "page": saved.page,
        "tour_dwell_s": saved.tour_dwell_s,
    }


def _layout_from_json(item: dict[str, Any]) -> SavedLayout:
    cells = tuple(Cell(int(c), int(r), int(cs), int(rs)) for c, r, cs, rs in item["cells"])
    layout = WallLayout(
        str(item.get("layout_name", "custom")), int(item["columns"]), int(item["rows"]), cells
    )
    cameras = tuple(None if c is None else int(c) for c in item["cameras"])
    return SavedLayout(
        name=str(item["name"]),
        layout=layout,
        camera_ids=cameras,
        page=int(item.get("page", 0)),
        tour_dwell_s=float(item.get("tour_dwell_s", 10.0)),
    )


def to_json(layouts: OperatorLayouts) -> str:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "current": _layout_to_json(layouts.current) if layouts.current else None,
        "layouts": [_layout_to_json(s) for s in layouts.named.values()],
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def from_json(text: str) -> OperatorLayouts:
    try:
        document = json.loads(text)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise LayoutFileError("not a SafeCampus wall layouts file")
        version = document.get("version")
        if version != VERSION:
            raise LayoutFileError(f"layouts file version {version!r}; this console reads version {VERSION}")
        current = document.get("current")
        named = [_layout_from_json(item) for item in document.get("layouts", [])]
        return OperatorLayouts(
            current=_layout_from_json(current) if current else None,
            named={s.name: s for s in named},
        )
    except LayoutFileError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise LayoutFileError(f"damaged layouts file: {exc}") from exc


def load_layouts(path: Path) -> OperatorLayouts:
    """The operator's layouts; empty when there is no file, or when it is unreadable (kept aside)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return OperatorLayouts()
    except OSError as exc:
        log.error("cannot read the wall layouts %s: %s", path, exc)
        return OperatorLayouts()
    try:
        return from_json(text)
    except LayoutFileError as exc:
        aside = path.with_name(f"{path.name}.bad-{time.strftime('%Y%m%d-%H%M%S')}")
        log.error("wall layouts %s cannot be used (%s); kept as %s, starting empty", path, exc, aside)
        try:
            path.replace(aside)
        except OSError as move_error:
            log.error("could not keep the unreadable layouts file aside: %s", move_error)
        return OperatorLayouts()


def save_layouts(path: Path, layouts: OperatorLayouts) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temporary name of its own per write: the worker and the shutdown path may write at once.
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(to_json(layouts))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
