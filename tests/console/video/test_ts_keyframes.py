from __future__ import annotations

import io
import itertools
import random
import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from console.video import ts_keyframes
from console.video.ts_keyframes import KeyframeExtractor

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")

SECONDS, FPS, KEY_EVERY = 3, 10, 5  # 6 keyframes


def _encode(path: Path, codec: list[str]) -> Path:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-v", "error", "-f", "lavfi",
         "-i", f"testsrc2=size=160x90:rate={FPS}:duration={SECONDS}", *codec,
         "-g", str(KEY_EVERY), "-keyint_min", str(KEY_EVERY), "-f", "mpegts", "-y", str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def h264_ts(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("ts") / "h264.ts"
    return _encode(path, ["-c:v", "libx264", "-preset", "ultrafast", "-sc_threshold", "0"]).read_bytes()


def _keyframe_count(data: bytes) -> int:
    with av.open(io.BytesIO(data), format="mpegts") as container:
        return sum(1 for p in container.demux(video=0) if p.is_keyframe and p.size)


def _decode(codec: str, unit: bytes) -> np.ndarray:
    decoder = av.CodecContext.create(codec, "r")
    frames = decoder.decode(av.Packet(unit)) + decoder.decode(None)
    assert len(frames) == 1
    return frames[0].to_ndarray(format="rgb24")


def test_every_keyframe_comes_out_whole_and_decodes_on_its_own(h264_ts: bytes) -> None:
    extractor = KeyframeExtractor()
    units = extractor.feed(h264_ts) + extractor.feed(b"")
    # A keyframe is complete when the next picture starts (the clip ends with P-frames).
    assert extractor.codec == "h264" and extractor.problem is None
    assert len(units) == _keyframe_count(h264_ts) == SECONDS * FPS // KEY_EVERY
    pictures = [_decode("h264", unit) for unit in units]
    assert all(p.shape == (90, 160, 3) for p in pictures)
    # testsrc2 moves: consecutive keyframes differ.
    assert all(np.abs(a.astype(int) - b).mean() > 1 for a, b in itertools.pairwise(pictures))


def test_any_chunking_gives_the_same_units(h264_ts: bytes) -> None:
    whole = KeyframeExtractor().feed(h264_ts)
    rng = random.Random(7)
    extractor, units, pos = KeyframeExtractor(), [], 0
    while pos < len(h264_ts):
        step = rng.choice([1, 7, 187, 188, 189, 1000, 4096, 65536])
        units += extractor.feed(h264_ts[pos : pos + step])
        pos += step
    assert units == whole


def test_damage_costs_the_picture_it_hits_and_no_more(h264_ts: bytes) -> None:
    whole = KeyframeExtractor().feed(h264_ts)
    cut = len(h264_ts) // 2 + 50  # inside a packet, not on a boundary
    damaged = h264_ts[:cut] + b"\x00garbage\x47\x47" * 30 + h264_ts[cut + 10 :]
    units = KeyframeExtractor().feed(damaged)
    assert len(whole) - 1 <= len(units) <= len(whole)
    assert units[0] == whole[0] and units[-1] == whole[-1]


def test_not_a_transport_stream_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ts_keyframes, "SEARCH_LIMIT_BYTES", 100_000)
    extractor = KeyframeExtractor()
    noise = random.Random(3).randbytes(150_000)
    assert extractor.feed(noise) == []
    assert extractor.problem == "not_ts"
    assert extractor.feed(noise) == []


def test_another_video_codec_is_named(tmp_path: Path) -> None:
    data = _encode(tmp_path / "mpeg2.ts", ["-c:v", "mpeg2video"]).read_bytes()
    extractor = KeyframeExtractor()
    assert extractor.feed(data) == []
    assert extractor.problem == "codec"


def test_hevc_keyframes(tmp_path: Path) -> None:
    encoders = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    if "libx265" not in encoders:
        pytest.skip("ffmpeg has no libx265")
    x265 = ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=none"]
    data = _encode(tmp_path / "hevc.ts", x265)
    units = KeyframeExtractor().feed(data.read_bytes())
    assert len(units) == SECONDS * FPS // KEY_EVERY
    assert _decode("hevc", units[0]).shape == (90, 160, 3)
