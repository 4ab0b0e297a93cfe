"""Live voice (喊话) from the console: PCM from a source, 20 ms Opus frames, out through the hub link.

A `PcmSource` delivers raw PCM: `MicrophoneSource` from the default microphone (QtMultimedia
QAudioSource), `WavFileSource` from a WAV file at real-time pace (tests, demos). The controller
`LiveVoice` starts a stream for a `VoicePlan` (target, priority, zones, drill): the source feeds an
encoder thread that converts to the school format (16 kHz mono s16) when needed, cuts 20 ms frames,
encodes them with PyAV's libopus and hands each to the hub link's thread-safe `send_voice_frame`
with its frame number and capture time. Stopping sends the last frame with `end` set. The GUI
thread only moves bytes from the microphone into a queue; nothing on it encodes or waits.

Signals of LiveVoice (GUI thread):
    speakingChanged(bool): a stream started / stopped.
    levelChanged(float): the input level of the latest frame, 0..1 (for a level meter).
    stopped(str reason): the stream stopped by itself (hub refusal, no connection, encoder
        failure); reason in English from the hub or the encoder, shown as detail.
"""

from __future__ import annotations

import array
import logging
import math
import queue
import threading
import time
import uuid
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import av
from PySide6.QtCore import QIODevice, QObject, QtMsgType, Signal, qInstallMessageHandler

from console.worker_threads import TrackedThread

log = logging.getLogger(__name__)

RATE = 16000
FRAME_SAMPLES = 320  # 20 ms at 16 kHz
FRAME_BYTES = FRAME_SAMPLES * 2
FRAME_S = FRAME_SAMPLES / RATE
ENCODER_THREAD_NAME = "safecampus-voice-encoder"
FILE_THREAD_NAME = "safecampus-voice-file"
FLUSH_FRAMES_MAX = 10  # silence frames fed at the end until the encoder gives its last packet
# Priorities whose wide-area use needs the second confirmation (as a broadcast's do).
CONFIRMED_PRIORITIES = ("emergency", "drill")

Feed = Callable[[bytes], None]


@dataclass(frozen=True, slots=True)
class PcmFormat:
    """What a source delivers: interleaved PCM in one of PyAV's packed sample formats."""

    rate: int = RATE
    channels: int = 1
    sample_format: str = "s16"  # PyAV name: s16, s32, flt, u8

    @property
    def is_school_format(self) -> bool:
        return (self.rate, self.channels, self.sample_format) == (RATE, 1, "s16")

    @property
    def bytes_per_frame(self) -> int:
        width = {"u8": 1, "s16": 2, "s32": 4, "flt": 4}[self.sample_format]
        return width * self.channels


class PcmSource(Protocol):
    def unavailable_reason(self) -> str:
        """Why this source cannot capture (in English, for the log); "" when it can."""
        ...

    def pcm_format(self) -> PcmFormat: ...

    def start(self, feed: Feed) -> bool:
        """Begin delivering PCM to *feed* (from any thread); False when it could not start."""
        ...

    def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class VoicePlan:
    """Who hears the stream and how: the Broadcast page's current choices."""

    target: dict[str, object]  # {schools, districts, all} as the hub's VoiceTarget
    priority: str
    zones: list[str]
    drill: bool
    schools: int  # how many schools the target reaches (for the confirmation)
    wide: bool  # the whole city or more than one district

    @property
    def needs_confirmation(self) -> bool:
        return self.wide and self.priority in CONFIRMED_PRIORITIES

    def key(self) -> tuple[object, ...]:
        """What a confirmation covers: the same target, priority and zones."""
        target = tuple(sorted((k, repr(v)) for k, v in self.target.items()))
        return (target, self.priority, tuple(self.zones), self.drill)


class VoiceLink(Protocol):
    def send_voice_frame(self, fields: dict[str, Any]) -> None: ...


# --- sources -------------------------------------------------------------------------------------
def _quiet_qt(call: Callable[[], Any]) -> tuple[Any, list[str]]:
    """Run *call* with Qt's messages collected (audio backends complain loudly on machines
    without sound; that is a fact to report, not a warning)."""
    messages: list[str] = []

    def collect(_kind: QtMsgType, _context: object, text: str) -> None:
        messages.append(text)

    previous = qInstallMessageHandler(collect)
    try:
        result = call()
    finally:
        qInstallMessageHandler(previous)
    for text in messages:
        log.info("audio backend: %s", text)
    return result, messages


def _default_input() -> Any:
    from PySide6.QtMultimedia import QMediaDevices

    return QMediaDevices.defaultAudioInput()


class MicrophoneSource(QObject):
    """The default microphone through QtMultimedia; PCM arrives on the GUI thread's readyRead and
    is only handed on (the copy is cheap; encoding happens elsewhere).

    The device is looked for on first use, not when the page is built: asking the audio backend
    starts its threads and may take a moment, which a console that never speaks should not pay.
    Until then `unavailable_reason()` is "" and the buttons are offered."""

    def __init__(self, device: Callable[[], Any] = _default_input, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._find_device = device
        self._probed = False
        self._reason = ""
        self._device: Any = None
        self._format = PcmFormat()
        self._qt_format: Any = None
        self._audio: Any = None
        self._io: QIODevice | None = None
        self._feed: Feed | None = None

    def probe(self) -> None:
        """Look for the microphone once; afterwards unavailable_reason() says what was found."""
        if self._probed:
            return
        self._probed = True
        try:
            found, _messages = _quiet_qt(self._find_device)
        except ImportError as exc:
            self._reason = f"QtMultimedia is not installed: {exc}"
        else:
            if found is None or found.isNull():
                self._reason = "no microphone (audio input device) found on this computer"
            else:
                self._device = found
                self._format, self._qt_format = _choose_format(found)
        if self._reason:
            log.info("live voice unavailable: %s", self._reason)

    def unavailable_reason(self) -> str:
        return self._reason

    def pcm_format(self) -> PcmFormat:
        self.probe()
        return self._format

    def start(self, feed: Feed) -> bool:
        self.probe()
        if self._reason or self._device is None:
            return False
        from PySide6.QtMultimedia import QAudioSource

        self._feed = feed
        self._audio = QAudioSource(self._device, self._qt_format, self)
        io, _messages = _quiet_qt(self._audio.start)
        if io is None:
            log.error("the microphone %r did not start", self._device.description())
            self._audio = None
            return False
        self._io = io
        io.readyRead.connect(self._read)
        log.info("microphone %r capturing at %s", self._device.description(), self._format)
        return True

    def _read(self) -> None:
        if self._io is not None and self._feed is not None:
            data = bytes(self._io.readAll().data())
            if data:
                self._feed(data)

    def stop(self) -> None:
        if self._audio is not None:
            self._read()  # what is still buffered belongs to the stream
            _quiet_qt(self._audio.stop)
            self._audio.deleteLater()
        self._audio = None
        self._io = None
        self._feed = None


def _choose_format(device: Any) -> tuple[PcmFormat, Any]:
    """The school format when the device offers it, else its preferred format (converted later)."""
    from PySide6.QtMultimedia import QAudioFormat

    wanted = QAudioFormat()
    wanted.setSampleRate(RATE)
    wanted.setChannelCount(1)
    wanted.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    if device.isFormatSupported(wanted):
        return PcmFormat(), wanted
    preferred = device.preferredFormat()
    names = {
        QAudioFormat.SampleFormat.UInt8: "u8",
        QAudioFormat.SampleFormat.Int16: "s16",
        QAudioFormat.SampleFormat.Int32: "s32",
        QAudioFormat.SampleFormat.Float: "flt",
    }
    name = names.get(preferred.sampleFormat(), "s16")
    channels = min(max(preferred.channelCount(), 1), 2)
    preferred.setChannelCount(channels)
    return PcmFormat(preferred.sampleRate(), channels, name), preferred


class WavFileSource:
    """PCM from a WAV file (s16, any rate, mono or stereo) at real-time pace, on a thread of its
    own, as a microphone would deliver it; used by tests and demos instead of a microphone."""

    def __init__(self, path: Path, chunk_s: float = 0.02) -> None:
        self._path = path
        self._chunk_s = chunk_s
        self._reason = ""
        self._format = PcmFormat()
        try:
            with wave.open(str(path), "rb") as reader:
                if reader.getsampwidth() != 2 or reader.getnchannels() not in (1, 2):
                    self._reason = f"{path.name}: only 16-bit mono or stereo WAV files can be spoken"
                self._format = PcmFormat(reader.getframerate(), reader.getnchannels(), "s16")
        except (OSError, wave.Error, EOFError) as exc:
            self._reason = f"{path.name}: not a readable WAV file ({exc})"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def unavailable_reason(self) -> str:
        return self._reason

    def pcm_format(self) -> PcmFormat:
        return self._format

    def start(self, feed: Feed) -> bool:
        if self._reason or self._thread is not None:
            return False
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(feed,), name=FILE_THREAD_NAME, daemon=True)
        self._thread.start()
        return True

    def _run(self, feed: Feed) -> None:
        with wave.open(str(self._path), "rb") as reader:
            per_chunk = max(1, int(reader.getframerate() * self._chunk_s))
            began = time.monotonic()
            sent = 0
            while not self._stop.is_set():
                data = reader.readframes(per_chunk)
                if not data:
                    break
                sent += 1
                # Real-time pace: the chunk is delivered when its last sample would have been spoken.
                wait = began + sent * self._chunk_s - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    break
                feed(data)

    @property
    def finished(self) -> bool:
        """The whole file was delivered (or the source was stopped)."""
        return self._thread is None or not self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(5)


# --- the encoder ---------------------------------------------------------------------------------
class OpusFrames:
    """PCM of any source format in, 20 ms Opus packets (16 kHz mono) out."""

    def __init__(self, source_format: PcmFormat) -> None:
        self._format = source_format
        self._codec = av.CodecContext.create("libopus", "w")
        self._codec.sample_rate = RATE  # type: ignore[attr-defined]
        self._codec.layout = "mono"  # type: ignore[attr-defined]
        self._codec.format = "s16"  # type: ignore[attr-defined]
        self._codec.bit_rate = 32000
        self._codec.options = {"application": "voip", "frame_duration": "20"}
        self._codec.open()
        self._resampler = (
            None
            if source_format.is_school_format
            else av.AudioResampler(format="s16", layout="mono", rate=RATE)
        )
        self._pending = bytearray()  # school-format PCM not yet a whole frame
        self._raw = bytearray()  # source PCM not yet a whole sample frame
        self._pts = 0
        self._in_pts = 0

    def feed(self, pcm: bytes) -> list[tuple[bytes, float]]:
        """Packets for every whole 20 ms frame now complete, each with its frame's input level."""
        self._pending += self._convert(pcm)
        out: list[tuple[bytes, float]] = []
        while len(self._pending) >= FRAME_BYTES:
            frame = bytes(self._pending[:FRAME_BYTES])
            del self._pending[:FRAME_BYTES]
            level = _level(frame)
            out += [(packet, level) for packet in self._encode(frame)]
        return out

    def flush(self) -> list[bytes]:
        """The rest, padded to a frame, and what the encoder still holds (at least one packet)."""
        packets: list[bytes] = []
        if self._pending:
            packets += self._encode(bytes(self._pending).ljust(FRAME_BYTES, b"\0"))
            self._pending.clear()
        for _ in range(FLUSH_FRAMES_MAX):
            if packets:
                break
            packets += self._encode(bytes(FRAME_BYTES))
        return packets

    def _encode(self, pcm: bytes) -> list[bytes]:
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME_SAMPLES)
        frame.planes[0].update(pcm)
        frame.sample_rate = RATE
        frame.pts = self._pts
        self._pts += FRAME_SAMPLES
        return [bytes(p) for p in self._codec.encode(frame)]  # type: ignore[attr-defined]

    def _convert(self, pcm: bytes) -> bytes:
        if self._resampler is None:
            self._raw += pcm
            whole = len(self._raw) - len(self._raw) % 2
            data = bytes(self._raw[:whole])
            del self._raw[:whole]
            return data
        fmt = self._format
        self._raw += pcm
        samples = len(self._raw) // fmt.bytes_per_frame
        if not samples:
            return b""
        data = bytes(self._raw[: samples * fmt.bytes_per_frame])
        del self._raw[: samples * fmt.bytes_per_frame]
        frame = av.AudioFrame(
            format=fmt.sample_format, layout="mono" if fmt.channels == 1 else "stereo", samples=samples
        )
        frame.planes[0].update(data)
        frame.sample_rate = fmt.rate
        frame.pts = self._in_pts
        self._in_pts += samples
        converted = b""
        for out in self._resampler.resample(frame):
            converted += bytes(out.planes[0])[: out.samples * 2]
        return converted


def _level(frame: bytes) -> float:
    """The frame's RMS on a 60 dB scale, 0..1 (speech at a normal distance shows about half)."""
    samples = array.array("h", frame)
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0
    if rms < 1.0:
        return 0.0
    db = 20 * math.log10(rms / 32768)
    return min(1.0, max(0.0, (db + 60) / 60))


_END = object()
_CANCEL = object()


class VoiceStreamThread(TrackedThread):
    """Encodes one stream's PCM and sends its frames; ends after the `end` frame went out.

    Signals: level(float) per frame; failed(str stream_id, str reason) when encoding broke (the
    stream then ends without its `end` frame; the hub ends it after 2 s of silence).
    """

    level = Signal(float)
    failed = Signal(str, str)

    def __init__(self, link: VoiceLink, stream_id: str, plan: VoicePlan, source_format: PcmFormat) -> None:
        super().__init__(ENCODER_THREAD_NAME)
        self.stream_id = stream_id
        self._link = link
        self._plan = plan
        self._format = source_format
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.frames_sent = 0

    # --- any thread -------------------------------------------------------------------------------
    def feed(self, pcm: bytes) -> None:
        self._queue.put(pcm)

    def finish(self) -> None:
        self._queue.put(_END)

    def cancel(self) -> None:
        """End without sending anything (the source never started)."""
        self._queue.put(_CANCEL)

    # --- the thread -------------------------------------------------------------------------------
    def run(self) -> None:
        try:
            encoder = OpusFrames(self._format)
            while True:
                item = self._queue.get()
                if item is _END:
                    break
                if item is _CANCEL:
                    return
                assert isinstance(item, bytes)
                for packet, level in encoder.feed(item):
                    self._send(packet, end=False)
                    self.level.emit(level)
            last = encoder.flush()
        except Exception as exc:  # the stream stops; the console keeps running
            log.exception("live voice %s: encoding or sending failed", self.stream_id)
            self.failed.emit(self.stream_id, f"encoding failed: {exc}")
            return
        # The stream always ends explicitly, so the schools stop at once instead of after 2 s.
        for index, packet in enumerate(last):
            self._send(packet, end=index == len(last) - 1)
        log.info("live voice %s ended: %d frames", self.stream_id, self.frames_sent)

    def _send(self, packet: bytes, end: bool) -> None:
        plan = self._plan
        self._link.send_voice_frame(
            {
                "stream_id": self.stream_id,
                "frame_seq": self.frames_sent,
                "captured_at": time.time(),
                "opus": packet,
                "target": dict(plan.target),
                "priority": plan.priority,
                "zones": list(plan.zones),
                "drill": plan.drill,
                "end": end,
            }
        )
        self.frames_sent += 1


# --- the controller --------------------------------------------------------------------------------
class LiveVoice(QObject):
    """One operator's live voice: at most one stream at a time. See the module docstring."""

    speakingChanged = Signal(bool)
    levelChanged = Signal(float)
    stopped = Signal(str)

    def __init__(self, link: VoiceLink | None, source: PcmSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._link = link
        self._source = source
        self._stream: VoiceStreamThread | None = None
        self._ending: list[VoiceStreamThread] = []  # streams sending their last frames
        self.started_at = 0.0  # monotonic, of the current stream
        refused = getattr(link, "voiceRefused", None)
        if refused is not None:
            refused.connect(self._on_refused)

    @property
    def source(self) -> PcmSource:
        return self._source

    def unavailable_reason(self) -> str:
        if self._link is None:
            return "no school network link"
        return self._source.unavailable_reason()

    @property
    def speaking(self) -> bool:
        return self._stream is not None

    @property
    def stream_id(self) -> str:
        return self._stream.stream_id if self._stream is not None else ""

    def start(self, plan: VoicePlan) -> bool:
        """Start a stream for *plan* (the caller has checked permission and confirmation)."""
        if self._stream is not None or self._link is None or self.unavailable_reason():
            return False
        source_format = self._source.pcm_format()  # the microphone is looked for on first use
        if self.unavailable_reason():
            return False
        stream_id = f"voice-{uuid.uuid4().hex[:16]}"
        stream = VoiceStreamThread(self._link, stream_id, plan, source_format)
        stream.level.connect(self.levelChanged)
        # Bound methods of this GUI-thread object: the signals arrive queued on the GUI thread.
        stream.failed.connect(self._on_failed)
        stream.finished.connect(self._on_finished)
        stream.start()
        if not self._source.start(stream.feed):
            stream.cancel()  # nothing was captured, so the schools hear nothing, not even an end
            self._ending.append(stream)
            return False
        self._stream = stream
        self.started_at = time.monotonic()
        log.info(
            "live voice %s started (%s) to %d schools, zones %s",
            stream_id,
            plan.priority,
            plan.schools,
            plan.zones or "all",
        )
        self.speakingChanged.emit(True)
        return True

    def stop(self) -> None:
        """Stop capturing; the encoder sends what is left and the `end` frame by itself."""
        stream, self._stream = self._stream, None
        if stream is None:
            return
        self._source.stop()
        stream.finish()
        self._ending.append(stream)
        self.speakingChanged.emit(False)

    def elapsed_s(self) -> float:
        return time.monotonic() - self.started_at if self._stream is not None else 0.0

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Stop and wait for the encoder threads (closing the console)."""
        self.stop()
        for stream in list(self._ending):
            if not stream.wait(timeout_ms):
                log.error("the live voice encoder %s did not stop", stream.stream_id)
        self._ending.clear()

    @property
    def busy(self) -> bool:
        """A stream is being captured or is still sending its last frames."""
        return self._stream is not None or any(not s.isFinished() for s in self._ending)

    def _on_refused(self, stream_id: str, reason: str) -> None:
        if self._stream is not None and stream_id == self._stream.stream_id:
            self.stop()
            self.stopped.emit(reason)

    def _on_failed(self, stream_id: str, reason: str) -> None:
        self._on_refused(stream_id, reason)

    def _on_finished(self) -> None:
        for stream in [s for s in self._ending if s.isFinished()]:
            self._ending.remove(stream)
            stream.deleteLater()
