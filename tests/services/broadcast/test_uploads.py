"""Uploads are checked and converted to the school format; bad ones are refused with a reason."""

from __future__ import annotations

import array

import pytest

from services.broadcast.school_format import BYTES_PER_SECOND, clip_name, pcm_of, school_clip
from services.broadcast.uploads import MAX_UPLOAD_BYTES, UploadRejected, normalise_bytes, normalise_file
from tests.services.broadcast.audio_samples import encoded, tone_pcm, wav_bytes


def _peak(pcm: bytes) -> int:
    samples = array.array("h")
    samples.frombytes(pcm)
    return max(abs(s) for s in samples)


def test_a_school_format_wav_passes_through_sample_for_sample():
    pcm = tone_pcm(2.0)
    clip = normalise_bytes(wav_bytes(pcm), "tone.wav")
    assert pcm_of(clip.wav) == pcm
    assert clip.duration_s == pytest.approx(2.0)
    assert clip.sha256 == clip_name(clip.wav)
    assert school_clip(clip.wav).sha256 == clip.sha256


def test_a_stereo_44k_wav_is_mixed_down_and_resampled():
    pcm = tone_pcm(1.5, rate=44_100, channels=2)
    clip = normalise_bytes(wav_bytes(pcm, rate=44_100, channels=2), "stereo.wav")
    out = pcm_of(clip.wav)  # raises unless mono 16-bit 16 kHz
    assert len(out) / BYTES_PER_SECOND == pytest.approx(1.5, abs=0.01)
    # The tone's level survives the conversion (the audio is compared, not a flag).
    assert 7000 < _peak(out) < 9000


@pytest.mark.parametrize(
    ("fmt", "codec", "rate", "name"),
    [
        ("mp3", "libmp3lame", 44_100, "a.mp3"),
        ("ogg", "libopus", 48_000, "a.ogg"),
        ("ipod", "aac", 44_100, "a.m4a"),
    ],
)
def test_mp3_ogg_and_m4a_are_decoded(fmt, codec, rate, name):
    clip = normalise_bytes(encoded(fmt, codec, seconds=1.0, rate=rate), name)
    assert clip.duration_s == pytest.approx(1.0, abs=0.08)
    assert _peak(pcm_of(clip.wav)) > 5000


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"this is not audio at all, just text" * 20, "unreadable"),
        (wav_bytes(b"\0\0" * 16_000), "silent"),
        (wav_bytes(tone_pcm(0.5, amplitude=20)), "silent"),  # hiss well below -60 dBFS
        (wav_bytes(b""), "no_audio"),
    ],
)
def test_unusable_uploads_are_refused_with_a_reason(data, code, caplog):
    with pytest.raises(UploadRejected) as caught:
        normalise_bytes(data, "bad.wav")
    assert caught.value.code == code
    assert "bad.wav" in str(caught.value)
    assert any("upload bad.wav refused" in r.getMessage() for r in caplog.records)


def test_a_file_over_20_mb_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.wav"
    with path.open("wb") as handle:
        handle.truncate(MAX_UPLOAD_BYTES + 1)
    with pytest.raises(UploadRejected) as caught:
        normalise_file(path)
    assert caught.value.code == "too_large"
    assert "20 MB" in str(caught.value)


def test_audio_over_10_minutes_is_refused():
    # 10 min 30 s at 8 kHz is 10 MB: under the size limit, over the length limit.
    pcm = tone_pcm(1.0, rate=8000) * 630
    with pytest.raises(UploadRejected) as caught:
        normalise_bytes(wav_bytes(pcm, rate=8000), "long.wav")
    assert caught.value.code == "too_long"
    assert "10 minutes" in str(caught.value)


def test_a_missing_file_is_refused_as_unreadable(tmp_path):
    with pytest.raises(UploadRejected) as caught:
        normalise_file(tmp_path / "gone.mp3")
    assert caught.value.code == "unreadable"


def test_progress_is_reported_up_to_one():
    seen: list[float] = []
    normalise_bytes(encoded("mp3", "libmp3lame", seconds=3.0), "p.mp3", seen.append)
    assert seen and seen[-1] == 1.0
    assert seen == sorted(seen)
