"""The bundled clip catalog: usable entries load, bad ones are left out with a log line."""

from __future__ import annotations

import json

import pytest

from services.broadcast.bundled import DEFAULT_CATALOG, load_bundled
from services.broadcast.library import bundled_records
from services.broadcast.school_format import wav_from_pcm
from tests.services.broadcast.audio_samples import tone_pcm, wav_bytes


def _write(folder, entries):
    path = folder / "catalog.json"
    path.write_text(json.dumps({"clips": entries}, ensure_ascii=False), encoding="utf-8")
    return path


def test_clips_load_with_their_hash_and_duration(tmp_path):
    clip = wav_from_pcm(tone_pcm(1.25, freq=880))
    (tmp_path / "evacuate.wav").write_bytes(clip.wav)
    catalog = _write(
        tmp_path,
        [
            {
                "key": "evacuate",
                "file": "evacuate.wav",
                "sha256": clip.sha256,
                "title": "Evacuate",
                "title_zh": "紧急疏散",
                "kind": "alert",
            }
        ],
    )
    [loaded] = load_bundled(catalog)
    assert loaded.sha256 == clip.sha256
    assert loaded.duration_s == pytest.approx(1.25)
    assert (loaded.title, loaded.title_zh, loaded.kind) == ("Evacuate", "紧急疏散", "alert")
    assert bundled_records([loaded], chinese=True)[0].title == "紧急疏散"
    assert bundled_records([loaded], chinese=False)[0].source == "bundled"


@pytest.mark.expect_log(r"bundled clip \d of .* left out")
def test_unusable_entries_are_left_out_and_logged(tmp_path, caplog):
    good = wav_from_pcm(tone_pcm(0.5))
    (tmp_path / "good.wav").write_bytes(good.wav)
    (tmp_path / "stereo.wav").write_bytes(wav_bytes(tone_pcm(0.5, channels=2), channels=2))
    catalog = _write(
        tmp_path,
        [
            {"key": "good", "file": "good.wav", "title": "Good"},
            {"key": "wrong_hash", "file": "good.wav", "title": "Bad", "sha256": "0" * 64},
            {"key": "stereo", "file": "stereo.wav", "title": "Stereo"},
            {"key": "missing", "file": "missing.wav", "title": "Missing"},
            {"key": "escape", "file": "../good.wav", "title": "Escape"},
            {"file": "good.wav", "title": "No key"},
            "not an object",
        ],
    )
    assert [c.key for c in load_bundled(catalog)] == ["good"]
    messages = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(messages) == 6
    assert any("does not match its sha256" in m for m in messages)
    assert any("not in the school format" in m for m in messages)


def test_no_catalog_means_no_bundled_clips(tmp_path):
    assert load_bundled(tmp_path / "catalog.json") == []


@pytest.mark.expect_log(r"catalog .* is unreadable")
def test_a_broken_catalog_gives_no_clips_and_a_log_line(tmp_path, caplog):
    path = tmp_path / "catalog.json"
    path.write_text("{not json", encoding="utf-8")
    assert load_bundled(path) == []
    assert any("unreadable" in r.getMessage() for r in caplog.records)


def test_the_generator_format_with_ids_and_names_per_language(tmp_path):
    clip = wav_from_pcm(tone_pcm(0.5))
    (tmp_path / "alert_fire.wav").write_bytes(clip.wav)
    catalog = _write(
        tmp_path,
        [
            {
                "id": "alert_fire",
                "file": "alert_fire.wav",
                "kind": "alert",
                "name": {"zh_CN": "火警疏散警报", "en": "Fire evacuation alarm"},
                "sha256": clip.sha256,
            }
        ],
    )
    [loaded] = load_bundled(catalog)
    assert (loaded.key, loaded.title, loaded.title_zh) == (
        "alert_fire",
        "Fire evacuation alarm",
        "火警疏散警报",
    )


@pytest.mark.skipif(not DEFAULT_CATALOG.exists(), reason="resources/audio/ not generated")
def test_every_shipped_clip_loads():
    entries = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))["clips"]
    assert len(load_bundled()) == len(entries)
