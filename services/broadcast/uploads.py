"""Operator uploads: checked and converted to the school format before anything is stored or sent.

Accepted: WAV, MP3, OGG (Vorbis/Opus) and M4A (AAC), decoded with PyAV (libavcodec in the wheel),
mixed down to mono and resampled to 16 kHz s16. Refused with a stable code and a sentence: files
over 20 MB, audio over 10 minutes, files that are not audio in one of those containers, and audio
that is silent throughout (an "alert" nobody hears is worse than none: the operator believes it
went out).
"""

from __future__ import annotations

import array
import io
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import av
import av.error

from services.broadcast.school_format import BYTES_PER_SECOND, SAMPLE_RATE, SchoolClip, wav_from_pcm

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_DURATION_S = 600.0
# Peak below about -60 dBFS: dither or hiss at most, nothing a loudspeaker makes audible.
SILENCE_PEAK = 32
# PyAV/libavformat names of the containers we accept (a "mov,mp4,..." name covers M4A).
ACCEPTED_CONTAINERS = ("wav", "mp3", "ogg", "mov,mp4,m4a,3gp,3g2,mj2")
ACCEPTED_SUFFIXES = (".wav", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".mp4")

Progress = Callable[[float], None]


class UploadRejected(ValueError):
    """An upload that cannot be used; `code` is stable (the console words it), str() explains."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalise_file(path: Path, progress: Progress | None = None) -> SchoolClip:
    """Read, check and convert the audio file at *path*; UploadRejected when it cannot be used."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _rejected("unreadable", f"cannot read {path.name}: {exc.strerror or exc}", path.name) from exc
    _check_size(size, path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _rejected("unreadable", f"cannot read {path.name}: {exc.strerror or exc}", path.name) from exc
    return normalise_bytes(data, path.name, progress)


def normalise_bytes(data: bytes, name: str = "upload", progress: Progress | None = None) -> SchoolClip:
    """Check and convert *data* (an audio file's bytes) to the school format."""
    _check_size(len(data), name)
    if not data:
        raise _rejected("empty", f"{name} is empty", name)
    pcm = _decode(data, name, progress or (lambda _f: None))
    if not pcm:
        raise _rejected("no_audio", f"{name} contains no audio samples", name)
    if _peak(pcm) < SILENCE_PEAK:
        raise _rejected("silent", f"{name} contains only silence", name)
    return wav_from_pcm(pcm)


def _check_size(size: int, name: str) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise _rejected(
            "too_large",
            f"{name} is {size / 1_048_576:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1_048_576} MB",
            name,
        )


def _decode(data: bytes, name: str, progress: Progress) -> bytes:
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise _rejected("unreadable", f"{name} is not a readable audio file ({exc})", name) from exc
    with container:
        if container.format.name not in ACCEPTED_CONTAINERS:
            raise _rejected(
                "unsupported",
                f"{name} is {container.format.long_name or container.format.name}; "
                "accepted are WAV, MP3, OGG and M4A",
                name,
            )
        if not container.streams.audio:
            raise _rejected("no_audio", f"{name} has no audio track", name)
        stream = container.streams.audio[0]
        # Lengths declared in headers are not trusted (a streamed WAV claims 2^31 frames): the
        # decoded samples are counted instead, and decoding stops as soon as they pass the limit.
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        chunks: list[bytes] = []
        total = 0
        limit = (MAX_DURATION_S + 1.0) * BYTES_PER_SECOND
        try:
            for packet in container.demux(stream):
                for frame in packet.decode():
                    for out in resampler.resample(frame):  # type: ignore[arg-type]
                        total += _take(out, chunks)
                if total > limit:
                    raise _too_long(total / BYTES_PER_SECOND, name)
                if packet.pos is not None and packet.pos > 0:
                    progress(min(1.0, packet.pos / len(data)))
            for out in resampler.resample(None):
                total += _take(out, chunks)
        except UploadRejected:
            raise
        except (av.error.FFmpegError, ValueError) as exc:
            raise _rejected("unreadable", f"{name} could not be decoded ({exc})", name) from exc
    if total > MAX_DURATION_S * BYTES_PER_SECOND + BYTES_PER_SECOND:
        raise _too_long(total / BYTES_PER_SECOND, name)
    progress(1.0)
    return b"".join(chunks)


def _take(frame: av.AudioFrame, chunks: list[bytes]) -> int:
    # A plane's buffer may be padded past the last sample.
    size = frame.samples * 2
    chunk = bytes(frame.planes[0])[:size]
    chunks.append(chunk)
    return len(chunk)


def _peak(pcm: bytes) -> int:
    samples = array.array("h")
    samples.frombytes(pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    return max(abs(max(samples)), abs(min(samples)))


def _too_long(seconds: float, name: str) -> UploadRejected:
    return _rejected(
        "too_long", f"{name} lasts {seconds:.0f} s; the limit is {MAX_DURATION_S / 60:.0f} minutes", name
    )


def _rejected(code: str, message: str, name: str) -> UploadRejected:
    log.info("upload %s refused (%s): %s", name, code, message)
    return UploadRejected(code, message)
