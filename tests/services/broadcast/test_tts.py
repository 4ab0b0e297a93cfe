"""Text-to-speech with espeak-ng: real speech in the school format, a clear error without it."""

from __future__ import annotations

import array
import shutil

import pytest

from services.broadcast.school_format import pcm_of
from services.broadcast.tts import TtsError, normalise_text, synthesize, tts_key

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


@needs_espeak
def test_mandarin_speech_is_rendered_in_the_school_format():
    clip = synthesize("请注意，这是一次演练。")
    samples = array.array("h")
    samples.frombytes(pcm_of(clip.wav))
    assert 1.0 < clip.duration_s < 10.0
    assert max(abs(s) for s in samples) > 3000  # speech, not silence


@needs_espeak
def test_a_text_starting_with_a_dash_is_spoken_not_taken_as_an_option():
    clip = synthesize("-v 演练")
    assert clip.duration_s > 0.3


@pytest.mark.expect_log(r"text-to-speech unavailable: no-such-espeak is not installed")
def test_a_missing_engine_is_a_clear_error(caplog):
    with pytest.raises(TtsError) as caught:
        synthesize("你好", executable="no-such-espeak")
    assert caught.value.code == "missing_engine"
    assert "apt-get install espeak-ng" in str(caught.value)
    assert any("not installed" in r.getMessage() for r in caplog.records)


def test_empty_and_overlong_texts_are_refused():
    with pytest.raises(TtsError) as empty:
        synthesize("   \n ")
    assert empty.value.code == "empty"
    with pytest.raises(TtsError) as long:
        synthesize("演" * 1001)
    assert long.value.code == "too_long"


def test_the_cache_key_ignores_spacing_but_not_voice_or_words():
    assert normalise_text("  请  注意\n演练 ") == "请 注意 演练"
    assert tts_key("请 注意") == tts_key(" 请   注意 ")
    assert tts_key("请 注意") != tts_key("请 注意", "cmn-latn-pinyin")
    assert tts_key("请 注意") != tts_key("请 离开")
