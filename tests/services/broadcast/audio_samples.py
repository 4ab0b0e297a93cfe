"""Audio the broadcast tests write themselves: tones as WAV bytes and encoded files made with PyAV."""

from __future__ import annotations

import io
import math
import struct
import wave

import av


def tone_pcm(
    seconds: float, rate: int = 16_000, freq: float = 440.0, amplitude: int = 8000, channels: int = 1
) -> bytes:
    frames = int(seconds * rate)
    samples = []
    for i in range(frames):
        value = int(amplitude * math.sin(2 * math.pi * freq * i / rate))
        samples.extend([value] * channels)
    return struct.pack(f"<{len(samples)}h", *samples)


def wav_bytes(pcm: bytes, rate: int = 16_000, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def encoded(fmt: str, codec: str, seconds: float = 1.0, rate: int = 44_100) -> bytes:
    """A mono tone encoded with *codec* in container *fmt* (e.g. "mp3"/"libmp3lame")."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        fmt_name = stream.codec_context.codec.audio_formats[0].name
        frame_size = stream.codec_context.frame_size or 1024
        pcm = tone_pcm(seconds, rate)
        total = len(pcm) // 2
        pts = 0
        resampler = av.AudioResampler(format=fmt_name, layout="mono", rate=rate)
        for start in range(0, total, frame_size):
            chunk = pcm[start * 2 : (start + frame_size) * 2]
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(chunk) // 2)
            frame.planes[0].update(chunk + b"\0" * (frame.planes[0].buffer_size - len(chunk)))
            frame.sample_rate = rate
            frame.pts = pts
            pts += frame.samples
            for out in resampler.resample(frame):
                for packet in stream.encode(out):
                    container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()
