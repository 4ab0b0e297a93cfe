"""The school audio format: every clip an agent plays is a WAV file, PCM s16le, mono, 16,000 Hz.

The console and hub normalise uploads and text-to-speech to this format before anything is sent,
so the agent only checks it and never converts.
"""

from __future__ import annotations

import io
import wave

SAMPLE_RATE = 16_000
SAMPLE_WIDTH = 2  # bytes: signed 16-bit little-endian
CHANNELS = 1
BYTES_PER_SECOND = SAMPLE_RATE * SAMPLE_WIDTH * CHANNELS


class ClipFormatError(ValueError):
    """The bytes are not a WAV file in the school format; the message says what is wrong."""


def pcm_from_wav(data: bytes) -> bytes:
    """The PCM samples of a school-format WAV file; raises ClipFormatError for anything else."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            channels, width, rate = reader.getnchannels(), reader.getsampwidth(), reader.getframerate()
            if (channels, width, rate) != (CHANNELS, SAMPLE_WIDTH, SAMPLE_RATE):
                raise ClipFormatError(
                    f"WAV is {channels} channel(s), {8 * width}-bit, {rate} Hz;"
                    f" the school format is mono, 16-bit, {SAMPLE_RATE} Hz"
                )
            return reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ClipFormatError(f"not a PCM WAV file: {exc}") from None


def wav_from_pcm(pcm: bytes) -> bytes:
    """A school-format WAV file holding *pcm*."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(CHANNELS)
        writer.setsampwidth(SAMPLE_WIDTH)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(pcm)
    return buffer.getvalue()


def seconds_of(pcm_bytes: int) -> float:
    return pcm_bytes / BYTES_PER_SECOND


def bytes_for(seconds: float) -> int:
    """Whole samples' worth of bytes for *seconds* of audio."""
    return round(seconds * SAMPLE_RATE) * SAMPLE_WIDTH
