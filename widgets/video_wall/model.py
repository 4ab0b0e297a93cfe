"""Plain data the wall shows: which camera a tile holds, what the tile says, and the drag payload.

The wall never opens a stream itself: the console gives it cameras (plain records) and a frame
source, and tells it each tile's health and tier as text.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Protocol

from PySide6.QtCore import QByteArray, QMimeData
from PySide6.QtGui import QImage

CAMERAS_MIME = "application/x-safecampus-cameras"


@dataclass(frozen=True, slots=True)
class WallCamera:
    camera_id: int
    code: str
    name: str
    school_id: int
    school_name: str
    main_url: str
    sub_url: str


@dataclass(frozen=True, slots=True)
class VisibleTile:
    """A tile on screen now, as the playback side needs it: what to play and how big."""

    index: int  # position among the tiles on screen
    camera: WallCamera
    width: int
    height: int
    focused: bool
    alarm: bool


@dataclass(slots=True)
class TileStatus:
    """What a tile says besides its picture (texts already translated by the console)."""

    health: str = "connecting"  # connecting | live | stalled | offline | unsupported
    health_text: str = ""
    explanation: str = ""
    tier_text: str = ""


class FrameSource(Protocol):
    """Where the wall gets pictures: the newest picture of on-screen tile *index*, or None when
    nothing new arrived since the last call."""

    def new_frame(self, index: int) -> QImage | None: ...


def cameras_mime(kind: str, cameras: list[WallCamera]) -> QMimeData:
    """Drag payload for a camera, a school or a district: the cameras it stands for, in order."""
    data = QMimeData()
    payload = {"kind": kind, "cameras": [asdict(c) for c in cameras]}
    data.setData(CAMERAS_MIME, QByteArray(json.dumps(payload).encode("utf-8")))
    return data


def cameras_from_mime(data: QMimeData) -> list[WallCamera]:
    """The cameras in a drag payload; [] for anything that is not a valid one."""
    if not data.hasFormat(CAMERAS_MIME):
        return []
    try:
        payload = json.loads(bytes(data.data(CAMERAS_MIME).data()).decode("utf-8"))
        return [WallCamera(**item) for item in payload["cameras"]]
    except (ValueError, KeyError, TypeError):
        return []
