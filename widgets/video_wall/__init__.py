"""The video wall: one widget painting every tile, layouts, pages, overlays, drag and drop."""

from widgets.video_wall.layouts import Cell, WallLayout, grid_layout, standard_layouts
from widgets.video_wall.model import (
    CAMERAS_MIME,
    FrameSource,
    TileStatus,
    VisibleTile,
    WallCamera,
    cameras_from_mime,
    cameras_mime,
)
from widgets.video_wall.view import VideoWall

__all__ = [
    "CAMERAS_MIME",
    "Cell",
    "FrameSource",
    "TileStatus",
    "VideoWall",
    "VisibleTile",
    "WallCamera",
    "WallLayout",
    "cameras_from_mime",
    "cameras_mime",
    "grid_layout",
    "standard_layouts",
]
