"""The shapes of the simulated streams (docs/benchmarks.md: default stream shapes)."""

from __future__ import annotations

from dataclasses import dataclass

STREAM_KINDS = ("main", "sub")


@dataclass(frozen=True, slots=True)
class StreamShape:
    width: int
    height: int
    fps: int
    keyframe_s: float
    bitrate_kbps: int

    @property
    def cache_key(self) -> str:
        """Part of a rendered clip's file name: a changed shape never reuses an old clip."""
        return f"{self.width}x{self.height}p{self.fps}k{self.keyframe_s:g}b{self.bitrate_kbps}"


SUB_SHAPE = StreamShape(width=640, height=360, fps=15, keyframe_s=1.0, bitrate_kbps=400)
MAIN_SHAPE = StreamShape(width=1920, height=1080, fps=25, keyframe_s=1.0, bitrate_kbps=2500)


def shape_for(stream: str) -> StreamShape:
    if stream == "main":
        return MAIN_SHAPE
    if stream == "sub":
        return SUB_SHAPE
    raise ValueError(f"unknown stream {stream!r}: expected one of {', '.join(STREAM_KINDS)}")
