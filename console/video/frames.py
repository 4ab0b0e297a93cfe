"""A tile's frame buffer in shared memory: written by libvlc in a player process, read by the GUI.

Layout: a 64-byte header, then two RV32 pictures (double buffering). libvlc's lock callback gets
the picture the reader is not looking at; the display callback publishes it by flipping `current`
and bumping the counter. A reader copies the current picture (a few hundred microseconds for a
wall tile), far less than one frame period, so it never sees a half-written picture in practice.

No Qt here: the worker processes import this module.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Buffer
from dataclasses import dataclass
from multiprocessing import shared_memory

HEADER = struct.Struct("<QdIIIi")  # counter, timestamp, width, height, pitch, current picture
HEADER_SIZE = 64


@dataclass(frozen=True, slots=True)
class FrameInfo:
    counter: int
    timestamp: float
    width: int
    height: int
    pitch: int
    current: int


def frame_bytes(width: int, height: int) -> int:
    return HEADER_SIZE + 2 * width * height * 4


class FrameBuffer:
    """One tile's buffer. The creator (GUI side) owns and unlinks it; players only attach."""

    def __init__(self, width: int, height: int, name: str | None = None) -> None:
        if width <= 0 or height <= 0 or width > 8192 or height > 8192:
            raise ValueError(f"bad frame size {width}x{height}")
        self.width, self.height, self.pitch = width, height, width * 4
        size = frame_bytes(width, height)
        if name is None:
            self.shm = shared_memory.SharedMemory(create=True, size=size)
            self.owner = True
            HEADER.pack_into(self.shm.buf, 0, 0, 0.0, width, height, self.pitch, 0)
        else:
            # Attach without registering with the resource tracker: the creator unlinks it.
            self.shm = shared_memory.SharedMemory(name=name, track=False)
            self.owner = False
        self.name = self.shm.name
        self._picture = width * height * 4

    def picture_offset(self, index: int) -> int:
        return HEADER_SIZE + index * self._picture

    def info(self) -> FrameInfo:
        return FrameInfo(*HEADER.unpack_from(self.shm.buf, 0))

    def publish(self, index: int) -> None:
        """Called by the player after libvlc finished writing picture *index*."""
        counter = HEADER.unpack_from(self.shm.buf, 0)[0]
        HEADER.pack_into(
            self.shm.buf, 0, counter + 1, time.time(), self.width, self.height, self.pitch, index
        )

    def publish_picture(self, picture: Buffer) -> None:
        """Copy a whole picture (width x height x 4 bytes, contiguous) into the picture the reader
        is not looking at, then publish it. Keeps no view into the memory: the owner may close."""
        index = 1 - self.info().current
        start = self.picture_offset(index)
        view = self.shm.buf[start : start + self._picture]
        try:
            view[:] = memoryview(picture).cast("B")
        finally:
            view.release()
        self.publish(index)

    def copy_current(self) -> tuple[FrameInfo, bytes]:
        info = self.info()
        start = self.picture_offset(info.current)
        return info, bytes(self.shm.buf[start : start + self._picture])

    def close(self) -> None:
        try:
            self.shm.close()
        except BufferError:
            # A view is still exported (e.g. to libvlc's pointer holder); the mapping goes with the process.
            pass
        if self.owner:
            try:
                self.shm.unlink()
            except FileNotFoundError:
                pass
