"""The stored clip library on SQLite and PostgreSQL: uploads, speech cache, audio kept byte for byte."""

from __future__ import annotations

import shutil

import pytest

from services.broadcast.library import (
    clip_audio,
    delete_clip,
    get_clip,
    list_stored,
    rename_clip,
    save_upload,
    speak,
)
from services.broadcast.school_format import SchoolClip, pcm_of, wav_from_pcm
from services.broadcast.tts import TtsError, synthesize
from tests.services.broadcast.audio_samples import tone_pcm


def test_an_upload_is_stored_with_its_audio_and_listed(engine):
    clip = wav_from_pcm(tone_pcm(1.0))
    record = save_upload(engine, clip, title="  Gate   closing ", original_name="gate.mp3", operator="li")
    assert record.sha256 == clip.sha256
    assert record.title == "Gate closing"
    assert record.source == "upload"
    assert record.duration_s == pytest.approx(1.0)
    assert record.size_bytes == len(clip.wav)
    assert clip_audio(engine, clip.sha256) == clip.wav
    assert [r.sha256 for r in list_stored(engine)] == [clip.sha256]
    assert get_clip(engine, clip.sha256) == record


def test_the_same_audio_saved_twice_is_one_clip(engine):
    clip = wav_from_pcm(tone_pcm(0.5))
    first = save_upload(engine, clip, title="one", original_name="a.wav", operator="li")
    second = save_upload(engine, clip, title="two", original_name="b.wav", operator="wang")
    assert second == first
    assert len(list_stored(engine)) == 1


def test_rename_and_delete(engine):
    clip = wav_from_pcm(tone_pcm(0.5))
    save_upload(engine, clip, title="old", original_name="a.wav", operator="li")
    renamed = rename_clip(engine, clip.sha256, "新名称")
    assert renamed is not None and renamed.title == "新名称"
    assert delete_clip(engine, clip.sha256)
    assert not delete_clip(engine, clip.sha256)
    assert clip_audio(engine, clip.sha256) is None
    assert list_stored(engine) == []
    assert rename_clip(engine, clip.sha256, "x") is None


def test_speech_is_rendered_once_per_text_and_voice(engine):
    calls: list[tuple[str, str]] = []

    def fake_engine(text: str, voice: str) -> SchoolClip:
        calls.append((text, voice))
        return wav_from_pcm(tone_pcm(0.2 * len(calls)))

    first = speak(engine, "请 注意", operator="li", synthesizer=fake_engine)
    again = speak(engine, "  请   注意 ", operator="wang", synthesizer=fake_engine)
    other = speak(engine, "请 注意", operator="li", voice="cmn-latn-pinyin", synthesizer=fake_engine)
    assert calls == [("请 注意", "cmn"), ("请 注意", "cmn-latn-pinyin")]
    assert again == first
    assert other.sha256 != first.sha256
    assert first.source == "tts" and first.text == "请 注意" and first.title == "请 注意"


def test_a_failed_rendering_stores_nothing(engine):
    def broken(_text: str, _voice: str) -> SchoolClip:
        raise TtsError("failed", "espeak-ng failed: boom")

    with pytest.raises(TtsError):
        speak(engine, "你好", operator="li", synthesizer=broken)
    assert list_stored(engine) == []


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_real_speech_round_trips_through_the_database(engine):
    record = speak(engine, "紧急疏散，请立即离开教学楼。", operator="li")
    stored = clip_audio(engine, record.sha256)
    assert stored is not None
    assert pcm_of(stored) == pcm_of(synthesize("紧急疏散，请立即离开教学楼。").wav)
