"""Alarm sounds: distinct generated tones, and a console without an audio device stays quiet
with an info line (never a warning)."""

from __future__ import annotations

import logging
import wave

import numpy as np
import pytest

from console.alarms.alarm_types import DEFAULT_STYLES
from console.alarms.sounds import AlarmSounds, probe_audio_output
from console.alarms.tones import PATTERNS, RATE, ensure_tones

pytestmark = pytest.mark.gui


def spectrum_peak(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / RATE)[int(np.argmax(spectrum))])


def test_every_type_has_a_tone_and_the_tones_differ(tmp_path):
    for style in DEFAULT_STYLES.values():
        assert style.sound in PATTERNS, style.key
    paths = ensure_tones(tmp_path)
    signatures = set()
    for name, path in paths.items():
        with wave.open(str(path)) as wav:
            assert wav.getframerate() == RATE
            assert wav.getnchannels() == 1
            frames = wav.readframes(wav.getnframes())
        samples = np.frombuffer(frames, dtype="<i2").astype(float)
        assert 0.2 < len(samples) / RATE < 3.0, name
        assert np.abs(samples).max() < 32767 * 0.5  # never at full scale
        signatures.add((round(len(samples) / RATE, 2), round(spectrum_peak(samples), -1)))
    assert len(signatures) == len(PATTERNS)  # length and main pitch tell every tone apart


def test_tones_are_generated_once(tmp_path):
    first = ensure_tones(tmp_path)
    stamp = {n: p.stat().st_mtime_ns for n, p in first.items()}
    second = ensure_tones(tmp_path)
    assert {n: p.stat().st_mtime_ns for n, p in second.items()} == stamp


def test_the_audio_probe_never_warns(qapp, caplog):
    # This machine may have no audio device: QtMultimedia complains, the probe logs it at info.
    available = probe_audio_output()
    assert isinstance(available, bool)
    assert all(r.levelno < logging.WARNING for r in caplog.records)


def test_without_audio_the_sound_layer_stays_quiet(qtbot, tmp_path, caplog):
    sounds = AlarmSounds(tmp_path, probe=lambda: False)
    with qtbot.waitSignal(sounds.ready) as signal:
        sounds.start()
    assert signal.args == [False]
    assert "no audio output" in caplog.text
    assert sounds.play("fire") is False
    assert sounds.played == ["fire"]
    sounds.set_repeating("fire")
    assert sounds.repeat_timer.isActive()
    sounds.set_repeating("")
    assert not sounds.repeat_timer.isActive()
    sounds.shutdown()


def test_mute(qtbot, tmp_path):
    sounds = AlarmSounds(tmp_path, probe=lambda: False)
    sounds.set_muted(True)
    assert sounds.muted
    assert sounds.play("one_key") is False
    sounds.shutdown()


def test_catalogue_sound_names_map_to_their_own_tones():
    from console.alarms.alarm_types import load_type_book
    from console.alarms.tones import tone_name

    book = load_type_book()
    sounds = {key: book.style(key).sound for key in ("fire", "one_key", "intrusion", "camera_tamper",
                                                      "camera_loss", "patrol_missed", "manual")}  # fmt: skip
    assert len(set(sounds.values())) == len(sounds), sounds  # every working type sounds different
    assert tone_name("alarm-camera-loss") == "camera_loss"
    assert tone_name("something-new") == "manual"
