"""The overview tier's player: keyframes only, decoded by libavcodec, scaled once, into the tile's buffer.

libvlc with `:avcodec-skip-frame=3` still calls the display callback 15 times a second with the
last keyframe, converted and scaled again each time, and with hundreds of players those callbacks
fight for the worker's GIL until its watchdog starves (measured: 324 overview tiles saturated
both cores and most tiles never reported live). Here each tile decodes only the keyframes (one a
second at the default shapes), scales each once to the tile and copies it into the buffer's back
picture, then publishes it. Per tile that is the keyframe-only decode plus one small scale a second.

The cheapest way, for plain HTTP MPEG-TS (what cameras and the simulator serve), reads every tile
from one thread per worker: console/video/ts_stills.py. The general ways here take any URL and are
also that reader's fallback. Same surface (play() -> 0/-1, stop(), release(); errors and the end of
the stream raise the host's flags):
- PyAV (libavcodec in this process, one thread per tile; its demux and decode release the GIL).
- Otherwise one `ffmpeg -threads 1 -skip_frame nokey` process per tile writing raw BGRA to a pipe
  (same CPU per picture, but starting hundreds of processes takes tens of seconds on 2 cores).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
from typing import Any

from console.video.frames import FrameBuffer
from services.access.redaction import without_userinfo

log = logging.getLogger(__name__)

FFMPEG = shutil.which("ffmpeg")
IO_TIMEOUT_S = 5.0
# A small probe, and the packets read while probing kept for decoding: the first of them is the
# keyframe the server bursts to a new viewer. With `fflags=nobuffer` the probe threw that keyframe
# away and every tile waited for the next one (measured: first picture 1.0 s after the open, against
# 2 ms without it). 32 KB probes waited for live packets past the burst (up to 0.5 s); 16 KB holds
# a sub stream's keyframe and parameter sets.
# The connect and read timeouts are FFmpeg's own (microseconds), not av.open(timeout=...): PyAV's
# timeout is an interrupt callback that takes the GIL every time FFmpeg checks it, many times per
# packet, and with hundreds of tiles opening at once those checks starved every other thread of the
# worker (play requests waited up to a second to be applied).
OPEN_OPTIONS = {
    "probesize": "16384",
    "analyzeduration": "0",
    "timeout": str(int(IO_TIMEOUT_S * 1e6)),  # tcp: connect and each read
    "rw_timeout": str(int(IO_TIMEOUT_S * 1e6)),  # every protocol layer (http over tcp)
}

try:  # optional: the fast way
    import av
    import numpy

    HAVE_PYAV = True
except ImportError:  # pragma: no cover - depends on the installation
    HAVE_PYAV = False


def stills_available(url: str = "") -> bool:
    """Whether keyframe stills can play *url* here. A URL with a login needs PyAV: ffmpeg would
    get it on its command line, which every user of the machine can read (ps, /proc)."""
    return HAVE_PYAV or (FFMPEG is not None and without_userinfo(url) == url.strip())


def show_frame(frame: Any, buffer: FrameBuffer) -> None:
    """Scale a decoded picture (a PyAV VideoFrame) once to the tile's size and publish it."""
    size = {"width": buffer.width, "height": buffer.height}
    picture = frame.to_ndarray(**size, format="bgra", interpolation="FAST_BILINEAR")
    # Rows come padded to the scaler's alignment for some widths: one copy makes them contiguous.
    buffer.publish_picture(numpy.ascontiguousarray(picture))


class PyAvStillPlayer:
    def __init__(self, url: str, buffer: FrameBuffer, flags: dict[str, bool]) -> None:
        self.url = url
        self.buffer = buffer
        self.flags = flags
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._data_at = 0.0

    def data_at(self) -> float:
        """When the stream last gave a packet (monotonic; 0.0 before it did)."""
        return self._data_at

    def play(self) -> int:
        self.stop()
        stop = self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(stop,), name="video-still", daemon=True)
        self._thread.start()
        return 0

    def _run(self, stop: threading.Event) -> None:
        container: Any = None
        outcome = "ended"
        try:
            container = av.open(self.url, options=dict(OPEN_OPTIONS))
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            stream.codec_context.thread_count = 1
            for packet in container.demux(stream):
                if stop.is_set():
                    return
                self._data_at = time.monotonic()
                for frame in packet.decode():
                    show_frame(frame, self.buffer)
        except (av.FFmpegError, OSError, IndexError, ValueError) as exc:
            if not stop.is_set():
                # The error text may quote the URL too; the worker's redaction filter masks that.
                log.info("keyframe player for %s: %s", without_userinfo(self.url), exc)
            outcome = "error"
        finally:
            if container is not None:
                container.close()
        if not stop.is_set():
            self.flags[outcome] = True

    def stop(self) -> None:
        stop, thread = self._stop, self._thread
        self._stop = self._thread = None
        if stop is not None:
            stop.set()
        if thread is not None:
            # A packet arrives every frame period, so the thread notices within ~0.1 s; it is a
            # daemon and holds the buffer's mapping alive until then.
            thread.join(0.2)

    def release(self) -> None:
        self.stop()


class KeyframeStillPlayer:
    def __init__(self, url: str, buffer: FrameBuffer, flags: dict[str, bool]) -> None:
        self.url = url
        self.buffer = buffer
        self.flags = flags
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    def command(self) -> list[str]:
        b = self.buffer
        return [
            str(FFMPEG), "-hide_banner", "-nostdin", "-loglevel", "error", "-threads", "1",
            "-skip_frame", "nokey", "-probesize", OPEN_OPTIONS["probesize"],
            "-analyzeduration", "0", "-i", self.url, "-an", "-fps_mode", "passthrough",
            "-vf", f"scale={b.width}:{b.height}:flags=fast_bilinear", "-pix_fmt", "bgra",
            "-f", "rawvideo", "pipe:1",
        ]  # fmt: skip

    def play(self) -> int:
        self.stop()
        try:
            proc = subprocess.Popen(
                self.command(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
            )
        except OSError as exc:
            log.info("keyframe player for %s cannot start ffmpeg: %s", without_userinfo(self.url), exc)
            return -1
        self._proc = proc
        self._reader = threading.Thread(
            target=self._read, args=(proc,), name="video-still-reader", daemon=True
        )
        self._reader.start()
        return 0

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        buffer = self.buffer
        size = buffer.width * buffer.height * 4
        stdout = proc.stdout
        assert stdout is not None
        memory = buffer.shm.buf
        assert memory is not None
        while True:
            index = 1 - buffer.info().current
            start = buffer.picture_offset(index)
            view = memory[start : start + size]
            got = 0
            try:
                while got < size:
                    n = stdout.readinto(view[got:])
                    if not n:
                        break
                    got += n
            except (OSError, ValueError):
                got = -1
            finally:
                view.release()
            if got != size:
                break
            buffer.publish(index)
        code = proc.wait()
        if self._proc is proc:  # not stopped on purpose
            self.flags["ended" if code == 0 else "error"] = True

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(2)
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.join(2)  # ffmpeg is gone, so its pipe ends and the reader returns
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()

    def release(self) -> None:
        self.stop()
