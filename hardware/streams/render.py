"""Render a camera's looping clip with ffmpeg (libx264), cached on disk by camera and shape.

Every feed shows the camera's code and name, a clock and a frame counter over a moving test pattern
whose colours are turned by a hue derived from the camera code, so a person (and a test) can tell
feeds apart and see them move. The clip loops every `CLIP_SECONDS`; tsloop makes the loop seamless.

Cost measured on the 2-core reference machine (ffmpeg 5.1, x264 preset ultrafast): an 8 s sub clip
(640x360, 15 fps) takes about 0.17 s of CPU, an 8 s main clip (1920x1080, 25 fps) about 1.6 s.
Clips are rendered lazily on first request (or ahead with `--prerender`) and kept on disk, so 324
cameras cost about a minute of CPU for their sub clips once, and main clips only for the cameras
someone actually enlarges.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from hardware.streams.shapes import StreamShape

log = logging.getLogger(__name__)

CLIP_SECONDS = 8
# Bumped whenever the picture changes, so stale cached clips are not served.
RENDER_VERSION = 1
_CJK_FONT = "Noto Sans CJK SC"


class RenderError(RuntimeError):
    """ffmpeg is missing or failed to render a clip."""


@dataclass(frozen=True, slots=True)
class FeedLabel:
    code: str
    name: str


def ffmpeg_path() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        raise RenderError("ffmpeg is not installed: the stream simulator renders its clips with it")
    return path


def camera_hue(code: str) -> int:
    """A stable hue rotation (degrees) per camera, so neighbouring feeds look different."""
    return int.from_bytes(hashlib.sha1(code.encode()).digest()[:2], "big") % 360


def _safe_file_part(code: str) -> str:
    digest = hashlib.sha1(code.encode()).hexdigest()[:10]
    cleaned = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in code)[:40]
    return f"{cleaned}-{digest}"


def clip_path(cache_dir: Path, label: FeedLabel, stream: str, shape: StreamShape) -> Path:
    name = f"{_safe_file_part(label.code)}-{stream}-{shape.cache_key}-s{CLIP_SECONDS}-v{RENDER_VERSION}.ts"
    return cache_dir / shape.cache_key / name


def _filter_graph(label_file: Path, shape: StreamShape, hue: int) -> str:
    size = max(12, shape.height // 14)
    pad = max(6, shape.height // 40)
    text_file = str(label_file).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")
    common = f"box=1:boxcolor=black@0.7:boxborderw={pad // 2}"
    return ",".join(
        [
            f"hue=h={hue}",
            f"drawtext=font='{_CJK_FONT}':textfile='{text_file}':x={pad}:y={pad}:fontsize={size}"
            f":fontcolor=white:{common}",
            # The clock counts within the loop; the frame number proves every frame is distinct.
            f"drawtext=font='{_CJK_FONT}':text='%{{pts\\:hms}} #%{{n}}':x={pad}:y=h-th-{pad}"
            f":fontsize={size}:fontcolor=yellow:{common}",
        ]
    )


def render_clip(ffmpeg: str, target: Path, label: FeedLabel, shape: StreamShape) -> Path:
    """Render (or reuse) the clip at *target*; safe to call from several threads and processes."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    gop = max(1, round(shape.fps * shape.keyframe_s))
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".render-") as tmp:
        label_file = Path(tmp) / "label.txt"
        label_file.write_text(f"{label.code} {label.name}".strip(), encoding="utf-8")
        partial = Path(tmp) / "clip.ts"
        cmd = [
            ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "lavfi", "-i",
            f"testsrc2=size={shape.width}x{shape.height}:rate={shape.fps}:duration={CLIP_SECONDS}",
            "-vf", _filter_graph(label_file, shape, camera_hue(label.code)),
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-threads", "1",
            "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0", "-bf", "0",
            "-pix_fmt", "yuv420p", "-b:v", f"{shape.bitrate_kbps}k",
            "-maxrate", f"{shape.bitrate_kbps * 3 // 2}k", "-bufsize", f"{shape.bitrate_kbps}k",
            # PAT/PMT before every frame: a player joining at any keyframe can start at once.
            "-mpegts_flags", "+pat_pmt_at_frames",
            "-f", "mpegts", str(partial),
        ]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
        if result.returncode != 0 or not partial.exists():
            raise RenderError(f"ffmpeg failed to render {target.name}: {result.stderr.strip()[-400:]}")
        # Atomic publish: a concurrent reader sees either no clip or a whole one.
        os.replace(partial, target)
    log.info("rendered %s", target.name)
    return target


class ClipRenderer:
    """Renders clips on demand, each at most once, at most `parallel` ffmpeg at a time."""

    def __init__(self, cache_dir: Path, parallel: int = 2) -> None:
        self.cache_dir = cache_dir
        self._ffmpeg = ffmpeg_path()
        self._slots = threading.BoundedSemaphore(max(1, parallel))
        self._locks: dict[Path, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def clip(self, label: FeedLabel, stream: str, shape: StreamShape) -> Path:
        target = clip_path(self.cache_dir, label, stream, shape)
        if target.exists():
            return target
        with self._locks_guard:
            lock = self._locks.setdefault(target, threading.Lock())
        with lock, self._slots:
            return render_clip(self._ffmpeg, target, label, shape)
