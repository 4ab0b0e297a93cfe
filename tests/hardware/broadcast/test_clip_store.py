"""The clip store: bundled clips by hash without copying, chunked uploads checked by sha256."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest

from hardware.broadcast.audio import pcm_from_wav
from hardware.broadcast.clip_store import BUNDLED_DIR, ClipError, ClipStore, bundled_clips
from tests.hardware.broadcast.helpers import clip, tone_pcm


def test_bundled_clips_are_found_by_their_hash_in_place_and_match_the_catalog(tmp_path):
    catalog = json.loads((BUNDLED_DIR / "catalog.json").read_text(encoding="utf-8"))["clips"]
    store = ClipStore(tmp_path / "clips")
    kinds = {}
    for entry in catalog:
        data = (BUNDLED_DIR / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(pcm_from_wav(data)) / 32000 == pytest.approx(entry["duration_s"], abs=0.001)
        assert store.has(entry["sha256"]) and store.kind(entry["sha256"]) == entry["kind"]
        kinds[entry["id"]] = entry["kind"]
    assert set(store.have()) == set(bundled_clips())
    assert not (tmp_path / "clips").exists()  # nothing copied
    assert kinds["drill_announcement"] == "drill_announcement" and kinds["alert_drill"] == "drill"
    # Every alert type sounds different.
    alert_audio = [(BUNDLED_DIR / e["file"]).read_bytes() for e in catalog]
    assert len(set(alert_audio)) == len(alert_audio) == 8


def test_a_clip_arrives_in_chunks_out_of_order_and_is_kept_on_disk(tmp_path):
    pcm = tone_pcm(440, 3.0)
    sha, data = clip(pcm)
    store = ClipStore(tmp_path / "clips")
    chunks = [(o, data[o : o + 48 * 1024]) for o in range(0, len(data), 48 * 1024)]
    assert len(chunks) == 2
    assert store.put_chunk(sha, chunks[1][0], len(data), chunks[1][1]) == (len(chunks[1][1]), False)
    assert sha not in store.have()
    assert store.put_chunk(sha, chunks[0][0], len(data), chunks[0][1]) == (len(data), True)
    assert sha in store.have() and (tmp_path / "clips" / f"{sha}.wav").read_bytes() == data
    assert asyncio.run(store.pcm(sha)) == pcm
    assert sha in ClipStore(tmp_path / "clips").have()  # survives a restart


@pytest.mark.expect_log(r"clip upload \w+ refused: the bytes hash to")
def test_a_clip_whose_bytes_do_not_match_its_sha256_is_refused(tmp_path, caplog):
    _sha, data = clip(tone_pcm(440, 0.2))
    wrong = hashlib.sha256(b"something else").hexdigest()
    store = ClipStore(tmp_path / "clips")
    with pytest.raises(ClipError, match="sha256 mismatch"):
        store.put_chunk(wrong, 0, len(data), data)
    assert wrong not in store.have() and not list((tmp_path / "clips").glob("*"))
    assert "refused" in caplog.text


@pytest.mark.expect_log(r"clip upload \w+ refused: WAV is 2 channel")
def test_a_clip_not_in_the_school_format_is_refused_and_bad_chunks_are_explained():
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(16000)
        writer.writeframes(b"\x00" * 400)
    data = buffer.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    store = ClipStore(None)
    with pytest.raises(ClipError, match="school format is mono"):
        store.put_chunk(sha, 0, len(data), data)
    with pytest.raises(ClipError, match="64 lowercase hex"):
        store.put_chunk("abc", 0, 10, b"x")
    with pytest.raises(ClipError, match="exceeds 49152"):
        store.put_chunk(sha, 0, 100_000, b"x" * 50_000)
    with pytest.raises(ClipError, match="does not fit"):
        store.put_chunk(sha, 90, 100, b"x" * 20)
    with pytest.raises(ClipError, match="missing at the school"):
        asyncio.run(store.pcm(sha))
