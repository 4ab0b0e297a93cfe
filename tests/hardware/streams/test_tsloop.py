from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest

from hardware.streams.render import ClipRenderer, FeedLabel
from hardware.streams.shapes import SUB_SHAPE
from hardware.streams.tsloop import PTS_CLOCK, ClipError, load_clip, parse_clip


@pytest.fixture(scope="module")
def clip_file(clip_cache: Path) -> Path:
    return ClipRenderer(clip_cache).clip(FeedLabel("T-1", "测试 camera"), "sub", SUB_SHAPE)


def _frame_times(path: Path) -> list[float]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time",
         "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [float(x.strip(",")) for x in out.split() if x.strip(",")]


def test_clip_is_parsed_with_its_timeline(clip_file: Path) -> None:
    clip = load_clip(clip_file)
    assert clip.duration_s == pytest.approx(8.0, abs=1e-6)
    # A keyframe every second, each reachable from a PAT just before it.
    assert len(clip.entry_points) == 8
    assert list(clip.packet_times) == sorted(clip.packet_times)
    assert clip.packet_times[-1] < clip.duration_s


def test_loops_join_into_one_continuous_stream(clip_file: Path, tmp_path: Path) -> None:
    clip = load_clip(clip_file)
    joined = tmp_path / "joined.ts"
    joined.write_bytes(clip.loop_bytes(0) + clip.loop_bytes(1) + clip.loop_bytes(2))
    times = _frame_times(joined)
    assert len(times) == 3 * 8 * 15
    steps = {round((b - a) * PTS_CLOCK) for a, b in itertools.pairwise(times)}
    assert steps == {PTS_CLOCK // 15}
    # The decoder sees no continuity-counter or timestamp error anywhere.
    decode = subprocess.run(
        ["ffmpeg", "-hide_banner", "-v", "warning", "-i", str(joined), "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert decode.stderr.strip() == ""


def test_loop_shift_is_exact(clip_file: Path) -> None:
    clip = load_clip(clip_file)
    later = parse_clip(clip.loop_bytes(5))
    assert later.duration_s == clip.duration_s
    assert later.packet_times == pytest.approx(clip.packet_times, abs=1e-9)
    assert later.entry_points == clip.entry_points


def test_garbage_is_refused() -> None:
    with pytest.raises(ClipError, match="whole number of packets"):
        parse_clip(b"\x47" * 1000)
    with pytest.raises(ClipError, match="sync"):
        parse_clip(b"\x00" * 188 * 10)
