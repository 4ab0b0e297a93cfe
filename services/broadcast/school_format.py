"""The school format: every clip an agent plays is a WAV file, PCM s16le, mono, 16,000 Hz.

A clip is named by the sha256 hex of its WAV bytes, so the same audio has the same name on the
console, the hub and every agent, and an agent can check a transferred clip by hashing it.
"""

from __future__ import annotations

import hashlib
import io
import wave
from dataclasses import dataclass

SAMPLE_RATE = 16_000
CHANNELS = 1
SAMPLE_WIDTH = 2  # bytes: signed 16-bit little-endian
BYTES_PER_SECOND = SAMPLE_RATE * CHANNELS * SAMPLE_WIDTH


class NotSchoolFormat(ValueError):
    """The bytes are not a WAV file in the school format."""


@dataclass(frozen=True, slots=True)
class SchoolClip:
    """A clip in the school format: its WAV bytes, their sha256 name and duration."""

    wav: bytes
    sha256: str
    duration_s: float

    @property
    def size_bytes(self) -> int:
        return len(self.wav)


def clip_name(wav: bytes) -> str:
    """The clip's content-addressed name: the sha256 hex of its WAV bytes."""
    return hashlib.sha256(wav).hexdigest()


def wav_from_pcm(pcm: bytes) -> SchoolClip:
    """Wrap raw school-format PCM (s16le mono 16 kHz) into a WAV file with a canonical header."""
    if len(pcm) % SAMPLE_WIDTH:
        raise NotSchoolFormat("PCM data ends in the middle of a sample")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(CHANNELS)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm)
    wav = buffer.getvalue()
    return SchoolClip(wav=wav, sha256=clip_name(wav), duration_s=len(pcm) / BYTES_PER_SECOND)


def pcm_of(wav: bytes) -> bytes:
    """The PCM samples of a school-format WAV file; NotSchoolFormat for anything else."""
    try:
        with wave.open(io.BytesIO(wav), "rb") as source:
            shape = (source.getnchannels(), source.getsampwidth(), source.getframerate())
            if shape != (CHANNELS, SAMPLE_WIDTH, SAMPLE_RATE):
                raise NotSchoolFormat(
                    f"expected mono 16-bit 16000 Hz, got {shape[0]} channel(s), "
                    f"{shape[1] * 8}-bit, {shape[2]} Hz"
                )
            return source.readframes(source.getnframes())
    except (wave.Error, EOFError) as exc:
        raise NotSchoolFormat(f"not a WAV file: {exc}") from exc


def school_clip(wav: bytes) -> SchoolClip:
    """Check *wav* is in the school format and describe it."""
    pcm = pcm_of(wav)
    return SchoolClip(wav=wav, sha256=clip_name(wav), duration_s=len(pcm) / BYTES_PER_SECOND)
